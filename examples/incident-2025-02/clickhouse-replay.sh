#!/bin/sh
# Replays the incident with its evidence where it really lives: DNS query logs in ClickHouse,
# in DNS-collector's layout. Starts a throwaway clickhouse-server (Debian's package) on a
# free loopback port, loads 14 days of query rows from ns1 and ns2 (a heartbeat every hour on
# each, 412 queries for autologon-tm, and autologon's traffic), points a copy of this folder
# at it with `backend = "clickhouse"`, and runs `changegate check`.
#
#   examples/incident-2025-02/clickhouse-replay.sh            (uses `cargo run`)
#   CHANGEGATE=/path/to/changegate examples/incident-2025-02/clickhouse-replay.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${CHANGEGATE:-}" ]; then
    cargo build --quiet --locked --manifest-path "$here/../../Cargo.toml"
    CHANGEGATE="$here/../../target/debug/changegate"
fi
command -v clickhouse-server >/dev/null || { echo "needs clickhouse-server (apt-get install clickhouse-server)" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
http=${ports% *}
tcp=${ports#* }
mkdir -p "$work/ch"
cat > "$work/ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$work/ch/data/</path>
  <tmp_path>$work/ch/tmp/</tmp_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
</yandex>
XML
(cd "$work/ch" && exec clickhouse-server --config-file="$work/ch/config.xml" >"$work/ch/server.log" 2>&1) &
pid=$!
python3 "$here/clickhouse/load_logs.py" "http://127.0.0.1:$http" "${CHANGEGATE_NOW:-2025-02-25T12:00:00Z}"

mkdir "$work/repo"
cp -R "$here/." "$work/repo/"
cd "$work/repo"
# Query logs are asked by name and type: the policy's `[deletion]` needs only its window.
python3 - policies/default.toml <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
start = text.index('[deletion]')
end = text.index('window = ', start)
open(path, 'w').write(text[:start] + '[deletion]\n' + text[end:])
PY
cat > changegate.toml <<TOML
policy = "policies/default.toml"
tickets = "changes"

[sources]
zonefiles = ["zones/*.zone"]

[metrics]
backend = "clickhouse"
url = "http://127.0.0.1:$http"
table = "dnstap"
schema = "dns-collector"
servers = ["ns1", "ns2"]
TOML
CHANGEGATE_NOW=${CHANGEGATE_NOW:-2025-02-25T12:00:00Z} "$CHANGEGATE" check "$@"
