#!/usr/bin/env bash
# Runs the benchmarks of every package. A benchmark with a target measures
# its own baseline in the same run and reports the ratio as a metric (see
# docs/BENCHMARKS.md), so figures always compare on the same machine.
#
#   scripts/bench.sh [BENCH_REGEXP] [BENCHTIME]
set -euo pipefail
pattern=${1:-.}
benchtime=${2:-1s}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(go version | cut -d' ' -f3-) $(nproc) cores"
go test -run '^$' -bench "$pattern" -benchtime "$benchtime" -benchmem -timeout 60m ./... |
  grep -v -e '^?' -e 'no test files'
