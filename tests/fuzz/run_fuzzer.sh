#!/usr/bin/env bash
# Runs one libFuzzer target for a short time over its committed seed corpus. New inputs go to a
# temporary directory, never into the source tree; a crash leaves its input in the build folder.
# usage: run_fuzzer.sh FUZZER SEED_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$(dirname "$fuzzer")/" "$work" "$seeds"
