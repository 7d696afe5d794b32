#!/usr/bin/env python3
"""Writes a `terraform show -json` plan with N DNS record resources (deterministic).

Route 53 records in a module with `for_each` keys, shaped as the AWS provider writes them:
1% deleted, 1% updated (new values), 1% created, the rest no-op; every 100th record is an
alias of a load balancer, and one load balancer is deleted (its aliases lose their answers).

    benches/gen_plan.py 10000 plan.json
"""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(42)
ZID = "Z0123456789ABCDEFGHIJ"
PROVIDER = "tf.example.com/hashicorp/aws"


def record(name, rtype, records=None, alias=None, ttl=300):
    return {"alias": [alias] if alias else [], "allow_overwrite": None, "cidr_routing_policy": [],
            "failover_routing_policy": [], "fqdn": name, "geolocation_routing_policy": [],
            "geoproximity_routing_policy": [], "health_check_id": "", "id": f"{ZID}_{name}_{rtype}",
            "latency_routing_policy": [], "multivalue_answer_routing_policy": False, "name": name,
            "records": records, "set_identifier": "", "timeouts": None,
            "ttl": None if alias else ttl, "type": rtype, "weighted_routing_policy": [], "zone_id": ZID}


def lb(i):
    return {"arn": f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb{i}/{i:016x}",
            "id": f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb{i}/{i:016x}",
            "dns_name": f"lb{i}-{i * 7919}.eu-west-1.elb.amazonaws.com", "zone_id": "Z32O12XQLNTSW2",
            "name": f"lb{i}", "internal": False, "load_balancer_type": "application"}


def values(i):
    kind = i % 4
    name = f"host{i}.bench.example"
    if i % 100 == 0:
        alias = {"name": "dualstack." + lb((i // 100) % 10)["dns_name"], "zone_id": "Z32O12XQLNTSW2",
                 "evaluate_target_health": True}
        return record(name, "A", alias=alias)
    if kind == 0:
        return record(name, "A", [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"])
    if kind == 1:
        return record(name, "AAAA", [f"2001:db8::{i:x}"])
    if kind == 2:
        return record(name, "CNAME", [f"host{(i // 4) * 4}.bench.example"])
    return record(name, "TXT", [f"v=spf1 ip4:10.0.{i & 255}.0/24 -all", f"token-{i}"])


def change(address, index, rtype, actions, before, after, module="module.dns"):
    c = {"address": address, "module_address": module, "mode": "managed", "type": rtype,
         "name": address.split(".")[-1].split("[")[0], "provider_name": PROVIDER,
         "change": {"actions": actions, "before": before, "after": after,
                    "after_unknown": {} if after else False, "before_sensitive": {} if before else False,
                    "after_sensitive": {} if after else False}}
    if index is not None:
        c["index"] = index
    return c


changes, planned, prior = [], [], []
for i in range(n):
    key = f"host{i}"
    address = f'module.dns.aws_route53_record.this["{key}"]'
    before = values(i)
    roll = rng.random()
    if roll < 0.01 and i % 100:
        actions, after = ["delete"], None
    elif roll < 0.02 and i % 100 and before["records"]:
        after = json.loads(json.dumps(before))
        after["ttl"] = 60
        actions = ["update"]
    elif roll < 0.03:
        actions, after, before = ["create"], values(i + n), None
        after["name"] = after["fqdn"] = f"new{i}.bench.example"
    else:
        actions, after = ["no-op"], before
    changes.append(change(address, key, "aws_route53_record", actions, before, after))
    for side, values_ in ((planned, after), (prior, before)):
        if values_ is not None:
            side.append({"address": address, "mode": "managed", "type": "aws_route53_record", "name": "this",
                         "index": key, "provider_name": PROVIDER, "schema_version": 2, "values": values_,
                         "sensitive_values": {}})
for i in range(10):
    address = f"module.edge.aws_lb.lb{i}"
    actions, after = (["delete"], None) if i == 3 else (["no-op"], lb(i))
    changes.append(change(address, None, "aws_lb", actions, lb(i), after, module="module.edge"))
zone = {"address": "module.dns.data.aws_route53_zone.main", "mode": "data", "type": "aws_route53_zone",
        "name": "main", "provider_name": PROVIDER, "schema_version": 0,
        "values": {"zone_id": ZID, "id": ZID, "name": "bench.example", "private_zone": False}, "sensitive_values": {}}
doc = {
    "format_version": "1.2", "terraform_version": "1.10.3",
    "planned_values": {"root_module": {"child_modules": [{"address": "module.dns", "resources": planned}]}},
    "resource_changes": changes,
    "prior_state": {"format_version": "1.0", "terraform_version": "1.10.3",
                    "values": {"root_module": {"child_modules": [{"address": "module.dns", "resources": prior + [zone]}]}}},
    "configuration": {"root_module": {}},
    "timestamp": "2026-12-05T00:00:00Z", "applyable": True, "complete": True, "errored": False,
}
with open(out, "w") as f:
    json.dump(doc, f, separators=(",", ":"))
