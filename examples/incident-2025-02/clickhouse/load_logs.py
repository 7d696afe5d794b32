"""Loads the incident's DNS query logs into ClickHouse, as DNS-collector's ClickHouse logger
writes them: waits for the server, creates the table, inserts 14 days of query rows ending at
the replay's instant.

    python3 load_logs.py http://127.0.0.1:8123 2025-02-25T12:00:00Z
"""

import json
import sys
import time
import urllib.request
from datetime import datetime

TABLE = """CREATE TABLE dnstap (identity String, queryip String, qname String,
    operation String, family String, protocol String, qtype String, rcode String,
    timensec UInt64, timestamp DateTime) ENGINE = MergeTree() ORDER BY timestamp"""


def post(url, body, query=''):
    request = urllib.request.Request(url + '/' + query, data=body.encode(), method='POST')
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def main():
    url, now = sys.argv[1], sys.argv[2]
    end = int(datetime.fromisoformat(now.replace('Z', '+00:00')).timestamp())
    for _ in range(300):
        try:
            if urllib.request.urlopen(url + '/ping', timeout=1).read() == b'Ok.\n':
                break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit('clickhouse-server did not start')
    post(url, TABLE)
    rows = []

    def row(server, qname, qtype, at):
        rows.append(json.dumps({
            'identity': server, 'queryip': '198.51.100.7', 'qname': qname,
            'operation': 'CLIENT_QUERY', 'family': 'INET', 'protocol': 'UDP', 'qtype': qtype,
            'rcode': 'NOERROR', 'timensec': 0,
            'timestamp': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(at)),
        }))

    hours = 15 * 24
    for hour in range(hours):
        for server in ('ns1', 'ns2'):
            row(server, '_changegate-heartbeat.example.com.', 'TXT', end - hour * 3600 - 30)
    # autologon-tm: 412 queries over the 14 days, from resolvers that still had it.
    for i in range(412):
        row('ns1' if i % 2 else 'ns2', 'autologon-tm.example.com.', 'A', end - 60 - i * 2930)
    # autologon: busy (a sample of its traffic: one query every two minutes).
    for i in range(14 * 24 * 30):
        row('ns1' if i % 2 else 'ns2', 'AutoLogon.example.com', 'A', end - 45 - i * 120)
    post(url, '\n'.join(rows) + '\n', '?query=INSERT%20INTO%20dnstap%20FORMAT%20JSONEachRow')


if __name__ == '__main__':
    main()
