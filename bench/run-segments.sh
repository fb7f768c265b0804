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
# add -o to MVN_ARGS to build offline). ATRIUM_JAVA_OPTS is passed on to the hub. See bench-main.sh.

set -eu

# shellcheck source=bench/bench-main.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/bench-main.sh"
bench_main run-segments.sh io.atrium.bench.SegmentBench "$@"
