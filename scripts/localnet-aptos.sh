#!/usr/bin/env bash
# Runs the real Aptos localnet (`aptos node run-localnet`) and publishes the
# project's Move package there at the same address the embedded localnet
# uses (the publisher account of `localnet publisher-key`), so the same
# clients and configuration work against either. It needs the aptos CLI,
# which the project's CI machines do not have; see docs/LOCALNET.md.
#
#   scripts/localnet-aptos.sh BIN_DIR [PACKAGE_DIR] [NAMED_ADDRESS]
set -euo pipefail
bin=$(cd "${1:-bin}" && pwd)
root=$(pwd)
pkg=$(cd "${2:-move}" && pwd)
name=${3:-agi_nostr}

if ! command -v aptos >/dev/null 2>&1; then
  echo "localnet-aptos: the aptos CLI is not installed (https://aptos.dev/build/cli)" >&2
  exit 1
fi
work=${LOCALNET_APTOS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/agi-nostr-aptos.XXXXXX")}
mkdir -p "$work"

# Node API on 8080, faucet on 8081, readiness on 8070: the CLI's defaults.
aptos node run-localnet --test-dir "$work/chain" --force-restart --assume-yes >"$work/localnet.log" 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null || true; wait "$node" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

echo "starting aptos node run-localnet (log: $work/localnet.log)"
for i in $(seq 180); do
  if curl -fsS http://127.0.0.1:8070/ >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$node" 2>/dev/null; then
    echo "localnet-aptos: the localnet exited:" >&2
    tail -n 30 "$work/localnet.log" >&2
    exit 1
  fi
  [[ $i == 180 ]] && { echo "localnet-aptos: not ready after 180s" >&2; exit 1; }
  sleep 1
done

read -r key addr < <("$bin/localnet" publisher-key)
# The profile lives in $work/.aptos; the CLI finds it from the working directory.
cd "$work"
aptos init --profile agi-nostr --network local --private-key "$key" --assume-yes
aptos move publish --profile agi-nostr --package-dir "$pkg" \
  --named-addresses "$name=agi-nostr" --assume-yes
cd "$root"
echo "localnet ready rest=http://127.0.0.1:8080/v1 faucet=http://127.0.0.1:8081 chain_id=4 package=$name@$addr"
wait "$node"
