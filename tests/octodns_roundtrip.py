"""Reads one octoDNS zone the way octoDNS does (YamlProvider), then writes it back out twice:
as a BIND zone file (octodns-bind's ZoneFileProvider) and as octoDNS YAML (YamlProvider).
changegate's differential test reads all three and compares them (a type octodns-bind cannot
write leaves the zone file out). Exits 1, with octoDNS's
reason on stderr, when octoDNS refuses the zone.

    python octodns_roundtrip.py SOURCE_DIR ZONE ZONEFILE_DIR YAML_DIR [DEFAULT_TTL]
"""

import sys

from octodns.provider import SupportsException
from octodns.provider.yaml import YamlProvider
from octodns.zone import Zone
from octodns_bind import ZoneFileProvider


def main():
    source, name, zonefile_dir, yaml_dir = sys.argv[1:5]
    default_ttl = int(sys.argv[5]) if len(sys.argv) > 5 else 3600
    zone = Zone(name + '.', [])
    try:
        YamlProvider(
            'source', source, default_ttl=default_ttl, enforce_order=False
        ).populate(zone)
    except Exception as e:  # octoDNS refuses the zone: say why
        print(f'{type(e).__name__}: {e}', file=sys.stderr)
        return 1
    for target in (
        ZoneFileProvider('zonefile', zonefile_dir, file_extension='.zone'),
        YamlProvider('yaml', yaml_dir, default_ttl=default_ttl, enforce_order=False),
    ):
        try:
            plan = target.plan(zone)
        except SupportsException as e:
            # octodns-bind cannot write every type octoDNS reads (URI, ...): that rendering
            # is left out, and said so.
            print(f'not written by {target.id}: {e}', file=sys.stderr)
            continue
        if plan:
            target.apply(plan)
    return 0


if __name__ == '__main__':
    sys.exit(main())
