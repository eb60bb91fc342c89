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

step "localnet: the chain with the Move package, its REST API and faucet"
"$bin/localnet" run --rest-addr 127.0.0.1:0 --faucet-addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0 \
  --package-dir move --named-address agi_nostr --log-level warn >"$work/localnet.out" 2>"$work/localnet.log" &
localnet_pid=$!
trap 'kill "$localnet_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
ready=
for _ in $(seq 200); do
  ready=$(grep '^localnet ready ' "$work/localnet.out" || true)
  [[ -n $ready ]] && break
  sleep 0.1
done
[[ -n $ready ]] || { cat "$work/localnet.log" >&2; exit 1; }
echo "$ready"
field() { tr ' ' '\n' <<<"$ready" | sed -n "s/^$1=//p"; }
rest=$(field rest)
pkg=$(field package); pkg=${pkg#*@}
curl -fsS "$rest"; echo
someone=0x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "funding $someone: $(curl -fsS -X POST "$(field faucet)/mint?amount=100000000&address=$someone")"
curl -fsS -X POST -H 'Content-Type: application/json' "$rest/view" \
  -d "{\"function\":\"0x1::coin::balance\",\"type_arguments\":[\"0x1::aptos_coin::AptosCoin\"],\"arguments\":[\"$someone\"]}"; echo " octas"
curl -fsS -X POST -H 'Content-Type: application/json' "$rest/view" \
  -d "{\"function\":\"$pkg::market::next_order_id\",\"type_arguments\":[],\"arguments\":[]}"; echo " (next order id)"
kill -TERM "$localnet_pid"
wait "$localnet_pid"
