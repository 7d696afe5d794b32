//! The DNSSEC chain across a delegation: a DS in the parent must match a DNSKEY the child
//! serves (RFC 4034 §5.1.4: the digest over the owner name in wire form and the DNSKEY's
//! data; RFC 4034 Appendix B: the key tag), or every validating resolver answers SERVFAIL for
//! the whole child zone.
//!
//! Record data here is the canonical text the zone readers produce (and the live resolver
//! reads into): DNSKEY `flags protocol algorithm base64`, DS `tag algorithm type hex`.

use crate::model::Fqdn;

/// A DNSKEY: its tag and algorithm, and its record data in wire form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub tag: u16,
    pub algorithm: u8,
    /// The text it was read from.
    pub text: String,
    rdata: Vec<u8>,
}

/// A DS record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ds {
    pub tag: u16,
    pub algorithm: u8,
    pub digest_type: u8,
    pub digest: Vec<u8>,
    pub text: String,
}

/// Reads a DNSKEY (or CDNSKEY) value.
pub fn key(text: &str) -> Option<Key> {
    let mut parts = text.split_whitespace();
    let flags: u16 = parts.next()?.parse().ok()?;
    let protocol: u8 = parts.next()?.parse().ok()?;
    let algorithm: u8 = parts.next()?.parse().ok()?;
    let public: String = parts.collect();
    let public = super::rdata::base64_decode(&public)?;
    let mut rdata = Vec::with_capacity(4 + public.len());
    rdata.extend_from_slice(&flags.to_be_bytes());
    rdata.push(protocol);
    rdata.push(algorithm);
    rdata.extend_from_slice(&public);
    Some(Key {
        tag: key_tag(&rdata),
        algorithm,
        text: text.to_string(),
        rdata,
    })
}

/// Reads a DS value.
pub fn ds(text: &str) -> Option<Ds> {
    let mut parts = text.split_whitespace();
    let tag = parts.next()?.parse().ok()?;
    let algorithm = parts.next()?.parse().ok()?;
    let digest_type = parts.next()?.parse().ok()?;
    let hex: String = parts.collect();
    if hex.len() % 2 != 0 {
        return None;
    }
    let digest = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(Ds {
        tag,
        algorithm,
        digest_type,
        digest,
        text: text.to_string(),
    })
}

/// RFC 4034 Appendix B.
fn key_tag(rdata: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for (i, byte) in rdata.iter().enumerate() {
        sum += if i % 2 == 0 {
            u32::from(*byte) << 8
        } else {
            u32::from(*byte)
        };
    }
    sum += (sum >> 16) & 0xffff;
    (sum & 0xffff) as u16
}

/// The owner name in canonical wire form: lowercase labels, each after its length.
fn wire_name(name: &Fqdn) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.as_str().len() + 2);
    if !name.as_str().is_empty() {
        for label in name.as_str().split('.') {
            out.push(label.len() as u8);
            out.extend(label.bytes().map(|b| b.to_ascii_lowercase()));
        }
    }
    out.push(0);
    out
}

/// True if `ds` is the digest of `key` at `owner` (the child zone's apex).
pub fn matches(ds: &Ds, owner: &Fqdn, key: &Key) -> bool {
    use ring::digest;
    if ds.tag != key.tag || ds.algorithm != key.algorithm {
        return false;
    }
    let algorithm = match ds.digest_type {
        1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        2 => &digest::SHA256,
        4 => &digest::SHA384,
        _ => return false,
    };
    let mut context = digest::Context::new(algorithm);
    context.update(&wire_name(owner));
    context.update(&key.rdata);
    context.finish().as_ref() == ds.digest.as_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key made by `dnssec-keygen -a ECDSAP256SHA256 -f KSK child.example`, and the DS
    /// records `dnssec-dsfromkey` gave for it (digest types 2, 1 and 4).
    const KEY: &str = "257 3 13 8YJrQ4UAkfEbq/FfSkCJe2q2dJ1uo1Fv92etWbi2mhGrnyqhdVGpFRQ/9FybePXBhqCJPq6uZvLxhfzbDZ9ONg==";
    const DS2: &str = "60851 13 2 8430389e861711712c8e367d809cc3ebd57bc2b86f2921ee297efb8b67205e36";
    const DS1: &str = "60851 13 1 077026ac64289de853284f66af483fdf9a714ed4";
    const DS4: &str = "60851 13 4 36d73c11dc50533f1cae1ba58b940d8e184e2430133e9e9092e973917c953c77539462eccc8ed8f6666f3946d031085e";

    #[test]
    fn digests_and_tags_are_bind_s() {
        let dnskey = key(KEY).unwrap();
        assert_eq!(dnskey.tag, 60851);
        let owner = Fqdn::parse("Child.Example.").unwrap();
        for text in [DS2, DS1, DS4] {
            assert!(matches(&ds(text).unwrap(), &owner, &dnskey), "{text}");
        }
        assert!(!matches(
            &ds(DS2).unwrap(),
            &Fqdn::parse("other.example").unwrap(),
            &dnskey
        ));
        let wrong = DS2.replace("8430", "8431");
        assert!(!matches(&ds(&wrong).unwrap(), &owner, &dnskey));
        assert!(ds("1 2 3 abc").is_none() && key("257 3 13 !!").is_none());
    }
}

/// Where a child's keys were read (its desired state, or a server), and the keys, or why
/// they could not be read.
pub type KeySource = (String, Result<Vec<Key>, String>);

/// A delegation whose chain a change may break: the parent zone, the child, and the DS set
/// the parent will publish.
#[derive(Clone, Debug)]
pub struct Delegation {
    pub parent: Fqdn,
    pub child: Fqdn,
    pub ds: Vec<Ds>,
    /// The DS RRset's TTL.
    pub ttl: u32,
}

fn values_of<'s>(
    state: &'s super::State,
    zone: &Fqdn,
    name: &Fqdn,
    rtype: crate::model::RecordType,
) -> &'s [Box<str>] {
    state
        .zones
        .get(zone)
        .and_then(|z| z.find(name, rtype))
        .map_or(&[], |r| r.values.as_slice())
}

/// The delegations to check after the change: each DS RRset the change creates or updates,
/// and each DS RRset of a managed child whose DNSKEYs the change touches.
pub fn touched(head: &super::State, diff: &super::ZoneDiff) -> Vec<Delegation> {
    use crate::model::RecordType as T;
    let mut out: Vec<Delegation> = Vec::new();
    let mut add = |parent: &Fqdn, child: &Fqdn| {
        if out.iter().any(|d| &d.child == child) {
            return;
        }
        let Some(rrset) = head.zones.get(parent).and_then(|z| z.find(child, T::Ds)) else {
            return;
        };
        out.push(Delegation {
            parent: parent.clone(),
            child: child.clone(),
            ds: rrset.values.iter().filter_map(|v| ds(v)).collect(),
            ttl: rrset.ttl,
        });
    };
    for change in &diff.changes {
        match change.rtype() {
            T::Ds if change.new.is_some() => add(&change.zone, change.name()),
            T::Dnskey if change.name() == &change.zone => {
                // The parent: the longest other zone above the child.
                let parent = head
                    .zones
                    .keys()
                    .filter(|z| *z != &change.zone && change.zone.is_in(z))
                    .max_by_key(|z| z.label_count());
                if let Some(parent) = parent {
                    add(parent, &change.zone.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// The DNSKEYs a managed child publishes after the change, if it is managed.
pub fn desired_keys(head: &super::State, child: &Fqdn) -> Option<Vec<Key>> {
    let zone = head.zones.get(child)?;
    Some(
        zone.find(child, crate::model::RecordType::Dnskey)
            .map(|r| r.values.iter().filter_map(|v| key(v)).collect())
            .unwrap_or_default(),
    )
}

/// `dnssec-chain-broken`: why the DS set matches none of the keys a source of the child's
/// keys serves (its desired state, or each of its authoritative servers), or why the keys
/// could not be had.
pub fn broken(d: &Delegation, sources: &[KeySource]) -> Vec<String> {
    let mut out = Vec::new();
    let listed: Vec<String> =
        d.ds.iter()
            .map(|ds| {
                format!(
                    "{} (key tag {}, algorithm {}, digest type {})",
                    ds.text, ds.tag, ds.algorithm, ds.digest_type
                )
            })
            .collect();
    for (source, keys) in sources {
        match keys {
            Err(why) => out.push(format!(
                "the DNSKEYs of `{}` cannot be read from {source}: {why}; a DS that may match nothing is not published blind",
                d.child
            )),
            Ok(keys) if !d.ds.iter().any(|ds| keys.iter().any(|k| matches(ds, &d.child, k))) => {
                let served: Vec<String> = keys
                    .iter()
                    .map(|k| format!("tag {} algorithm {}", k.tag, k.algorithm))
                    .collect();
                out.push(format!(
                    "after this change `{}` in `{}` has DS {} and none matches a DNSKEY {source} serves ({}): every validating resolver would answer SERVFAIL for all of `{}`; publish a DS computed from a key the child serves (`dnssec-dsfromkey`), or remove the DS first to make the delegation insecure",
                    d.child,
                    d.parent,
                    listed.join(", "),
                    if served.is_empty() { "none".to_string() } else { served.join(", ") },
                    d.child
                ));
            }
            Ok(_) => {}
        }
    }
    out
}

/// `dnssec-order`: steps of a key rollover that must be apart, done in one change. Removing a
/// DS and the key it matches: the DS first, then, after the DS's TTL, the key. Adding a key
/// and its DS: the key first, then, after the DNSKEY TTL, the DS.
pub fn order(base: &super::State, head: &super::State, diff: &super::ZoneDiff) -> Vec<String> {
    use crate::model::RecordType as T;
    let mut out = Vec::new();
    for change in diff.changes.iter().filter(|c| c.rtype() == T::Ds) {
        let (parent, child) = (&change.zone, change.name());
        let old_ds: Vec<Ds> = values_of(base, parent, child, T::Ds)
            .iter()
            .filter_map(|v| ds(v))
            .collect();
        let new_ds: Vec<Ds> = values_of(head, parent, child, T::Ds)
            .iter()
            .filter_map(|v| ds(v))
            .collect();
        let old_keys: Vec<Key> = values_of(base, child, child, T::Dnskey)
            .iter()
            .filter_map(|v| key(v))
            .collect();
        let new_keys: Vec<Key> = values_of(head, child, child, T::Dnskey)
            .iter()
            .filter_map(|v| key(v))
            .collect();
        let ds_ttl = change
            .old
            .as_ref()
            .or(change.new.as_ref())
            .map_or(0, |r| r.ttl);
        let key_ttl = head
            .zones
            .get(child)
            .and_then(|z| z.find(child, T::Dnskey))
            .map_or(0, |r| r.ttl);
        for removed in old_ds.iter().filter(|d| !new_ds.contains(d)) {
            for gone in old_keys
                .iter()
                .filter(|k| !new_keys.contains(k) && matches(removed, child, k))
            {
                out.push(format!(
                    "this change removes the DS {} of `{child}` and the DNSKEY it matches (tag {}) together: resolvers that cached the DS ({ds_ttl} s) would find no key for it and answer SERVFAIL; remove the DS first, wait its TTL ({ds_ttl} s), then remove the key in a later change",
                    removed.text, gone.tag
                ));
            }
        }
        for added in new_ds.iter().filter(|d| !old_ds.contains(d)) {
            for fresh in new_keys
                .iter()
                .filter(|k| !old_keys.contains(k) && matches(added, child, k))
            {
                out.push(format!(
                    "this change publishes the DNSKEY (tag {}) of `{child}` and a DS for it together: resolvers that cached the old DNSKEY set ({key_ttl} s) would not have the key the DS names; publish the key first, wait the DNSKEY TTL ({key_ttl} s), then add the DS in a later change",
                    fresh.tag
                ));
            }
        }
    }
    out
}
