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
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub. See bench-main.sh.

set -eu

# shellcheck source=bench/bench-main.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/bench-main.sh"
bench_main run.sh io.atrium.bench.CollectorBench "$@"
