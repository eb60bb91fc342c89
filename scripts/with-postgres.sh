#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a PostgreSQL server.
#
# When DATABASE_URL is already set, the command runs against it unchanged.
# Otherwise a throwaway cluster is created in a temporary directory (initdb +
# pg_ctl, found on PATH or under /usr/lib/postgresql/*/bin), started on a free
# loopback port, and stopped and removed when the command ends, whatever its
# exit status. The command's exit status is returned.
#
#   scripts/with-postgres.sh go test ./...
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [[ -n ${DATABASE_URL:-} ]]; then
  exec "$@"
fi

find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin /usr/local/opt/postgresql*/bin /opt/homebrew/opt/postgresql*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return
    fi
  done
}

bin=$(find_bin)
if [[ -z $bin ]]; then
  echo "PostgreSQL is not installed: install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) or set DATABASE_URL" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/agi-nostr-pg.XXXXXX")
# initdb refuses to run as root; run the cluster as an unprivileged user then.
as=()
if [[ $(id -u) -eq 0 ]]; then
  user=postgres
  id "$user" >/dev/null 2>&1 || user=nobody
  chown "$user" "$dir"
  chmod 700 "$dir"
  as=(runuser -u "$user" --)
fi

cleanup() {
  local rc=$?
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
  echo "initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

started=
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  port_free "$port" || continue
  if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [[ -z $started ]]; then
  echo "could not start a throwaway PostgreSQL; its log:" >&2
  cat "$dir/server.log" >&2 2>/dev/null || true
  exit 1
fi

echo "with-postgres: throwaway PostgreSQL on 127.0.0.1:$port ($bin)" >&2
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
set +e
"$@"
rc=$?
set -e
exit "$rc"
