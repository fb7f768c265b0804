# Sourced by bench/run*.sh: builds the distribution and the bench if either is missing (Maven, from
# the repository root; add -o to MVN_ARGS to build offline), then runs one bench main on the built
# tree with the arguments given. ATRIUM_JAVA_OPTS is passed on to the hub (by the bench).
#
#   bench_main <script name> <main class> [arguments ...]

bench_main() {
    local script=$1 main=$2
    shift 2
    local root
    root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
    cd -- "$root"

    if [ ! -x distribution/target/atrium/bin/atrium ] || ! ls bench/target/atrium-bench-*.jar >/dev/null 2>&1 \
        || [ ! -d bench/target/lib ]; then
        echo "bench/$script: building the distribution and the bench (mvn package -DskipTests -pl bench -am) ..." >&2
        # shellcheck disable=SC2086
        mvn -B -ntp -q ${MVN_ARGS:-} package -DskipTests -pl bench -am
    fi

    local jar java_cmd=java
    jar=$(ls bench/target/atrium-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
    if [ -n "${JAVA_HOME:-}" ]; then
        java_cmd=$JAVA_HOME/bin/java
    fi
    exec "$java_cmd" -Xmx1g -cp "$jar:bench/target/lib/*" \
        -Datrium.dist.dir="$root/distribution/target/atrium" \
        "$main" "$@"
}
