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

# --- agigit: a model repository over three relays -------------------------
# Three relayers (each its own schema in $DATABASE_URL) on loopback; an
# author publishes a model, a second user clones it byte-identical, pulls an
# update, and clones again with one relay down.
bin=$(cd "$bin" && pwd)
relay_pids=()
stop_relays() { for p in "${relay_pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'stop_relays; rm -rf "$work"' EXIT
start_relay() { # NAME: starts a relayer, sets $relay_url
  local name=$1 log="$work/$1.log" addr=
  mkdir -p "$work/$name-blobs"
  # stdout to the log as well: the relayer must not hold the caller's pipe.
  "$bin/relayer" run --listen 127.0.0.1:0 --blob-dir "$work/$name-blobs" --schema "demo_${name}_$$" \
    --log-format json >>"$log" 2>&1 &
  relay_pids+=($!)
  for _ in $(seq 300); do
    addr=$(grep -o '"msg":"listening"[^}]*"addr":"[^"]*"' "$log" | sed 's/.*"addr":"\([^"]*\)"/\1/' || true)
    [[ -n $addr ]] && { relay_url="ws://$addr"; return; }
    sleep 0.1
  done
  echo "relayer $name did not start:" >&2; cat "$log" >&2; exit 1
}

step "three relays (relayer run, one PostgreSQL schema each)"
start_relay r1; r1=$relay_url
start_relay r2; r2=$relay_url
start_relay r3; r3=$relay_url
echo "$r1 $r2 $r3"

author() { AGIGIT_HOME="$work/author" AGIGIT_KEY= "$bin/agigit" "$@"; }
reader() { AGIGIT_HOME="$work/reader" AGIGIT_KEY= "$bin/agigit" "$@"; }

step "the author's identity and repository"
author key new
author init --name tiny-model --description "a tiny demo model: one 1024x1024 layer" "$work/model"
cd "$work/model"
# A real safetensors file: one F32 tensor of 1024x1024 (4 MiB), its JSON
# header padded to 8 bytes, preceded by its length (u64, little endian).
header='{"layers.0.weight":{"dtype":"F32","shape":[1024,1024],"data_offsets":[0,4194304]}}'
while (( ${#header} % 8 )); do header+=' '; done
len=${#header}
printf "$(printf '\\x%02x\\x%02x\\x00\\x00\\x00\\x00\\x00\\x00' $((len & 255)) $((len >> 8)))" >model.safetensors
printf '%s' "$header" >>model.safetensors
head -c 4194304 /dev/urandom >>model.safetensors
echo '{"hidden_size": 1024, "num_layers": 1}' >config.json
author add .
author commit -m "first weights"
author status

step "push to the three relays (k of n shards, Blossom uploads, signed events)"
author relay add "$r1" "$r2" "$r3"
author relay list
author push
naddr=$(author address)
echo "address: $naddr"

step "a second user finds it by searching the relays (NIP-50), then clones it"
cd "$work"
reader key new
reader search --relay "$r1" --relay "$r2" tiny demo model
reader clone "$naddr" copy
cmp model/model.safetensors copy/model.safetensors && cmp model/config.json copy/config.json && echo "clone is byte-identical"
reader -C copy log --oneline

step "the author pushes a new version; the reader pulls"
echo '{"hidden_size": 1024, "num_layers": 1, "rope_theta": 10000}' >model/config.json
author -C model commit -a -m "config: rope theta"
author -C model push
reader -C copy pull
reader -C copy log --oneline
cmp model/config.json copy/config.json && echo "pull is byte-identical"

step "one relay down: any k shards still rebuild the model"
kill "${relay_pids[0]}"; wait "${relay_pids[0]}" 2>/dev/null || true
reader clone "$naddr" copy2
cmp model/model.safetensors copy2/model.safetensors && echo "clone with a relay down is byte-identical"

step "PoWoC: a model scored by how well it compresses validation data"
# 1 MiB of validation and 2 MiB of training text: the Go standard library's
# sources, as `agigit powoc corpus` cuts them (10 MiB each).
mkdir "$work/powoc" && cd "$work/powoc"
author powoc corpus --validation val.full --training train.full >/dev/null
head -c $((1 << 20)) val.full >val
head -c $((2 << 20)) train.full >train
if command -v xz >/dev/null; then echo "xz -9e: $(xz -9e -c val | wc -c) bytes"; fi
author powoc init --out base.model
author powoc score --model base.model --data val --out base.claim | grep -E 'code length|description length'
# A contributor trains the base further; the new version pays only for its
# delta from the base; a smaller description length is what PoWoC rewards.
author powoc train --data train --from base.model --search=false --out tuned.model
author powoc score --model tuned.model --parent base.model --data val --out tuned.claim | grep -E 'code length|model cost|description length'
author powoc verify --model tuned.model --parent base.model --claim tuned.claim --data val | head -1
