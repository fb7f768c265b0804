#!/usr/bin/env bash
#
# The campaign benchmark: starts the unpacked distribution on free loopback ports, COPYs a million
# people (profile, e-mail, first name, consent, audience membership) into its embedded PostgreSQL,
# launches a broadcast through the API and times it until every journey's first message is on the
# email channel's outbound queue, printing the progress and the rate while it runs.
#
#   bench/run-campaigns.sh [--profiles 1000000] [--timeout 1800] [--sample 5] ...
#   bench/run-campaigns.sh --help
#
# Builds the distribution and the bench first if either is missing (Maven, from the repository root;
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub.

set -eu

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$root"

if [ ! -x distribution/target/atrium/bin/atrium ] || ! ls bench/target/atrium-bench-*.jar >/dev/null 2>&1 \
    || [ ! -d bench/target/lib ]; then
    echo "bench/run-campaigns.sh: building the distribution and the bench (mvn package -DskipTests -pl bench -am) ..." >&2
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
    io.atrium.bench.CampaignBench "$@"
