#!/usr/bin/env bash
# Runs Move packages under `localnet move test` and under the reference Move
# toolchain (a real compiler and VM, when installed) and compares the
# per-test PASS/FAIL/TIMEOUT lines (sorted: the reference runs modules in
# parallel, so its lines interleave). The reference toolchain is never needed
# by `make test`; run this by hand after changing the interpreter.
#
#   scripts/move-oracle-diff.sh [ORACLE] [PACKAGE_DIR...]
#
# ORACLE defaults to $MOVE_ORACLE or ../shared/tools/move-oracle/run; the
# packages default to the interpreter's passing and failing test packages
# that stay within the reference compiler's language subset.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
oracle=${1:-${MOVE_ORACLE:-$root/../shared/tools/move-oracle/run}}
shift || true
if [[ ! -x $oracle ]]; then
  echo "reference toolchain not found at $oracle (pass its path as the first argument)" >&2
  exit 2
fi
pkgs=("$@")
if [[ ${#pkgs[@]} == 0 ]]; then
  pkgs=("$root/localnet/move/testdata/lang" "$root/localnet/move/testdata/basics" "$root/localnet/move/testdata/failing/errors")
fi
bin=$(mktemp -d)/localnet
trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$root" && go build -o "$bin" ./localnet)
status=0
for dir in "${pkgs[@]}"; do
  ours=$(cd "$dir" && "$bin" move test 2>/dev/null | grep -E '^\[ (PASS|FAIL|TIMEOUT) ' | sort || true)
  theirs=$("$oracle" test "$dir" 2>/dev/null | grep -E '^\[ (PASS|FAIL|TIMEOUT) ' | sort || true)
  if [[ -z $theirs ]]; then
    echo "?? $dir: the reference toolchain ran no test (does it compile there?)"
    status=1
  elif [[ $ours == "$theirs" ]]; then
    echo "ok $dir: $(wc -l <<<"$ours") tests agree"
  else
    echo "!! $dir differs:"
    diff <(echo "$ours") <(echo "$theirs") | sed 's/^/   /' || true
    status=1
  fi
done
exit $status
