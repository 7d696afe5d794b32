#!/usr/bin/env python3
"""Writes a pair of zones for benchmarking: OLD with N records and NEW with 1% of them
deleted, 1% changed and 1% added, across A, AAAA, CNAME, TXT and MX. Deterministic.

    gen_zones.py N OLD NEW                 RFC 1035 zone files
    gen_zones.py N OLD_DIR NEW_DIR octodns octoDNS YAML (OLD_DIR/bench.example.yaml, ...)
"""
import random
import sys

def octodns_record(i, n, origin, variant=0):
    """The same record as `record`, as an octoDNS YAML entry."""
    kind = i % 5
    name = f"host{i}"
    if kind == 0:
        value = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{(i + variant) & 255}"
        return f"{name}:\n  type: A\n  ttl: 300\n  value: {value}\n"
    if kind == 1:
        value = f"2001:db8:{(i >> 16):x}:{i & 0xffff:x}::{variant + 1:x}"
        return f"{name}:\n  type: AAAA\n  ttl: 300\n  value: '{value}'\n"
    if kind == 2:
        return f"{name}:\n  type: CNAME\n  ttl: 300\n  value: host{i - 2 + 5 * variant}.{origin}.\n"
    if kind == 3:
        return (f"{name}:\n  type: TXT\n  ttl: 300\n  values:\n"
                f"  - v=spf1 include:_spf{i}.example.net ~all\n  - k={i + variant}\n")
    return (f"{name}:\n  type: MX\n  ttl: 300\n  value:\n"
            f"    exchange: mx{i % 97}.example.net.\n    preference: {10 + variant}\n")


def main():
    n, old_path, new_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    yaml = len(sys.argv) > 4 and sys.argv[4] == "octodns"
    rng = random.Random(20250225)
    origin = "bench.example"
    header = f"$ORIGIN {origin}.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"

    def record(i, variant=0):
        kind = i % 5
        name = f"host{i}"
        if kind == 0:
            return f"{name} 300 IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{(i + variant) & 255}\n"
        if kind == 1:
            return f"{name} 300 IN AAAA 2001:db8:{(i >> 16):x}:{i & 0xffff:x}::{variant + 1:x}\n"
        if kind == 2:
            # Aliases point at address records (host(i-2) is an A), as in real zones; a
            # changed alias points at the next one.
            return f"{name} 300 IN CNAME host{i - 2 + 5 * variant}.{origin}.\n"
        if kind == 3:
            return f'{name} 300 IN TXT "v=spf1 include:_spf{i}.example.net ~all" "k={i + variant}"\n'
        return f"{name} 300 IN MX {10 + variant} mx{i % 97}.example.net.\n"

    deleted, changed = set(), set()
    for i in range(n):
        r = rng.random()
        if r < 0.01:
            deleted.add(i)
        elif r < 0.02:
            changed.add(i)
    if yaml:
        import os
        for d in (old_path, new_path):
            os.makedirs(d, exist_ok=True)
        head = f"---\n'':\n  type: NS\n  value: ns1.{origin}.\nns1:\n  type: A\n  value: 192.0.2.53\n"
        with open(f"{old_path}/{origin}.yaml", "w") as old, open(f"{new_path}/{origin}.yaml", "w") as new:
            old.write(head)
            new.write(head)
            for i in range(n):
                old.write(octodns_record(i, n, origin))
                if i not in deleted:
                    new.write(octodns_record(i, n, origin, 1 if i in changed else 0))
            for j in range(n // 100):
                new.write(octodns_record(n + j, n, origin))
        return
    with open(old_path, "w") as old, open(new_path, "w") as new:
        old.write(header)
        new.write(header)
        for i in range(n):
            old.write(record(i))
            if i in deleted:
                continue
            new.write(record(i, 1) if i in changed else record(i))
        for j in range(n // 100):
            new.write(record(n + j))

if __name__ == "__main__":
    main()
