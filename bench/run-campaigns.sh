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
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub. See bench-main.sh.

set -eu

# shellcheck source=bench/bench-main.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/bench-main.sh"
bench_main run-campaigns.sh io.atrium.bench.CampaignBench "$@"
