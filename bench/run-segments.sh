#!/usr/bin/env bash
#
# The segment benchmark: starts the unpacked distribution on free loopback ports and measures
# (1) the time from an event accepted by the collector to segment_entered under a paced load, and
# (2) a segment's full recount, preview count and CSV export over a million profiles COPYed straight
# into the hub's embedded PostgreSQL, each next to a plain SELECT count(*) of the same tables.
#
#   bench/run-segments.sh [--rate 5000] [--duration 30] [--profiles 1000000] [--only latency|recount] ...
#   bench/run-segments.sh --help
#
# Builds the distribution and the bench first if either is missing (Maven, from the repository root;
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub.

set -eu

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$root"

if [ ! -x distribution/target/atrium/bin/atrium ] || ! ls bench/target/atrium-bench-*.jar >/dev/null 2>&1 \
    || [ ! -d bench/target/lib ]; then
    echo "bench/run-segments.sh: building the distribution and the bench (mvn package -DskipTests -pl bench -am) ..." >&2
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
    io.atrium.bench.SegmentBench "$@"
