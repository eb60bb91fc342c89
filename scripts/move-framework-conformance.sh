#!/usr/bin/env bash
# Runs the unit tests of a real Aptos framework release (move-stdlib,
# aptos-stdlib, aptos-framework) with `localnet move test` and prints the
# pass counts per package, then the tests that failed for another reason
# than a native the localnet does not have.
#
#   scripts/move-framework-conformance.sh FRAMEWORK_DIR_OR_TARBALL [OUT_DIR]
#
# FRAMEWORK is a directory holding move-stdlib/, aptos-stdlib/ and
# aptos-framework/ (the aptos-labs/aptos-framework mirror) or a .tar.gz of
# one. The packages are copied to a scratch folder and renamed (RealMoveStdlib,
# RealAptosStdlib, RealAptosFramework) so that they do not collide with the
# framework built into localnet; natives are the localnet's. OUT_DIR keeps
# each package's full report (default: a temporary folder, removed).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${1:?usage: move-framework-conformance.sh FRAMEWORK_DIR_OR_TARBALL [OUT_DIR]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${2:-$work/out}
mkdir -p "$out"
if [[ -f $src ]]; then
  tar -xzf "$src" -C "$work"
  src=$(dirname "$(find "$work" -maxdepth 3 -type d -name move-stdlib | head -1)")
fi
for p in move-stdlib aptos-stdlib aptos-framework; do
  [[ -f $src/$p/Move.toml ]] || { echo "no $p/Move.toml in $src" >&2; exit 2; }
  cp -r "$src/$p" "$work/$p"
  chmod -R u+w "$work/$p"
done
sed -i 's/^name = "MoveStdlib"/name = "RealMoveStdlib"/' "$work/move-stdlib/Move.toml"
sed -i 's/^name = "AptosStdlib"/name = "RealAptosStdlib"/; s/^MoveStdlib = /RealMoveStdlib = /' "$work/aptos-stdlib/Move.toml"
sed -i 's/^name = "AptosFramework"/name = "RealAptosFramework"/; s/^MoveStdlib = /RealMoveStdlib = /; s/^AptosStdlib = /RealAptosStdlib = /' "$work/aptos-framework/Move.toml"
(cd "$root" && go build -o "$work/localnet" ./localnet)
for p in move-stdlib aptos-stdlib aptos-framework; do
  (cd "$work/$p" && "$work/localnet" move test >"$out/$p.txt" 2>&1) || true
  printf '%-16s %s\n' "$p" "$(grep -h '^Test result' "$out/$p.txt" || echo 'did not run (see the report)')"
done
echo "failures not caused by a missing native:"
for p in move-stdlib aptos-stdlib aptos-framework; do
  # A failure box starts with its test name; keep the ones whose message
  # does not name an unavailable native.
  awk -v pkg="$p" '
    /^Failures in / { mod = $3; sub(":$", "", mod) }
    /^┌── / { name = $2; msg = ""; next }
    name != "" && /^└/ { if (msg !~ /is not available/) print "  " pkg ": " mod "::" name; name = ""; next }
    name != "" { msg = msg $0 }
  ' "$out/$p.txt"
done
