#!/usr/bin/env bash
# Runs each fuzz target of the module for a while. The seed corpus lives in
# each package's testdata/fuzz and also runs in every `make test`.
#
#   scripts/fuzz.sh [FUZZTIME]
set -euo pipefail
fuzztime=${1:-10s}
found=0
while read -r dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u); do
    found=1
    echo "== $dir $target ($fuzztime)"
    go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" "./${dir#./}"
  done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u)
[[ $found == 1 ]] || echo "no fuzz targets"
