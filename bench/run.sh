#!/usr/bin/env bash
#
# The collector benchmark: starts the unpacked distribution on free loopback ports, loads
# /v1/batch for a bounded time, waits until every accepted event is in PostgreSQL, measures the raw
# COPY rate of the same rows in the same PostgreSQL and prints a summary with the ratio.
#
#   bench/run.sh [--duration 30] [--threads 8] [--batch-min 50] [--batch-max 100] [--users 50000] ...
#   bench/run.sh --help
#
# Builds the distribution and the bench first if either is missing (Maven, from the repository root;
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub.

set -eu

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$root"

if [ ! -x distribution/target/atrium/bin/atrium ] || ! ls bench/target/atrium-bench-*.jar >/dev/null 2>&1 \
    || [ ! -d bench/target/lib ]; then
    echo "bench/run.sh: building the distribution and the bench (mvn package -DskipTests -pl bench -am) ..." >&2
    # shellcheck disable=SC2086
    mvn -B -ntp -q ${MVN_ARGS:-} package -DskipTests -pl bench -am
fi

jar=$(ls bench/target/atrium-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
java_cmd=java
if [ -n "${JAVA_HOME:-}" ]; then
    java_cmd=$JAVA_HOME/bin/java
fi
exec "$java_cmd" -Xmx1g -cp "$jar:bench/target/lib/*" \
    -Datrium.dist.dir="$root/distribution/target/atrium" \
    io.atrium.bench.CollectorBench "$@"
