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

step "relayer: Nostr relay, Blossom blob server and metrics on one address"
# A fresh schema per run, so a demo against your own DATABASE_URL leaves
# your data alone.
"$bin/relayer" run --listen 127.0.0.1:0 --blob-dir "$work/blobs" --schema "demo_relayer_$$" \
  --log-format json 2>"$work/relayer.log" &
relayer_pid=$!
trap 'kill "$relayer_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
addr=
for _ in $(seq 100); do
  addr=$(grep -o '"msg":"listening","addr":"[^"]*"' "$work/relayer.log" | head -1 | sed 's/.*"addr":"//; s/"$//') || true
  [[ -n $addr ]] && break
  sleep 0.1
done
[[ -n $addr ]] || { cat "$work/relayer.log" >&2; exit 1; }
echo "relayer listening on $addr"
curl -fsS -H 'Accept: application/nostr+json' "http://$addr/"; echo
curl -fsS "http://$addr/healthz"
curl -fsS "http://$addr/metrics" | grep -E '^relayer_(connections|events_stored_total|blob_bytes_in_total) ' || true
kill -TERM "$relayer_pid"
wait "$relayer_pid"
grep -o '"msg":"[^"]*"' "$work/relayer.log" | sed 's/"msg":/relayer log: /'
