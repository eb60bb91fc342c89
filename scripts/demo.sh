#!/usr/bin/env bash
# The main job, end to end, with what exists so far. Every line it prints comes
# from running the project's binaries; nothing is canned.
#
#   scripts/demo.sh BIN_DIR
set -euo pipefail
bin=${1:-bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/agi-nostr-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "binaries"
for b in agigit relayer indexer localnet; do
  "$bin/$b" --version
done

step "a model file and its object id"
# 3 MiB of random bytes standing in for weights.
head -c $((3 << 20)) /dev/urandom >"$work/model.safetensors"
"$bin/agigit" object hash "$work/model.safetensors"
