//! Canonical record data: the text two equal records share however they were written.
//! Names become lowercase and absolute (with the trailing dot), addresses canonical, numbers
//! plain, TXT strings unescaped and re-chunked at 255 bytes, hex lowercase, base64 unbroken.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::model::RecordType;

/// A field of record data as written: a bare word or the inside of a quoted string.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    pub text: &'a str,
    pub quoted: bool,
}

/// Makes a name absolute and lowercase, with the trailing dot. `@` is the origin.
pub fn absolute_name(name: &str, origin: &str) -> Result<String, String> {
    let mut out = bare_name(name, origin)?;
    out.push('.');
    Ok(out)
}

/// [`absolute_name`] without the trailing dot, in one allocation (owner names).
pub fn bare_name(name: &str, origin: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len() + origin.len() + 2);
    if name == "@" {
        out.push_str(origin);
    } else if let Some(stripped) = name
        .strip_suffix('.')
        .filter(|s| !s.ends_with('\\') || s.ends_with("\\\\"))
    {
        out.push_str(stripped);
    } else {
        out.push_str(name);
        if !origin.is_empty() {
            out.push('.');
            out.push_str(origin);
        }
    }
    out.make_ascii_lowercase();
    // Only names with escapes or with bytes the canonical text escapes need rewriting.
    let plain = |b: u8| {
        b.is_ascii_graphic() && !matches!(b, b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$')
    };
    if !out.bytes().all(plain) {
        out = canonical_escapes(&out)?;
    }
    check_name(&out)?;
    Ok(out)
}

/// A name's escapes written one way, so that names equal on the wire are equal as text:
/// `\065bc` and `Abc` are both `abc`. Letters, digits, `-`, `_` and `*` stand as themselves
/// (lowercase), a dot or special character inside a label is `\.`-escaped, and every other
/// byte is `\DDD`.
fn canonical_escapes(name: &str) -> Result<String, String> {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let (b, escaped) = match bytes[i] {
            b'\\' => {
                let rest = &bytes[i + 1..];
                if rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) {
                    let value = u32::from(rest[0] - b'0') * 100
                        + u32::from(rest[1] - b'0') * 10
                        + u32::from(rest[2] - b'0');
                    let value = u8::try_from(value).map_err(|_| {
                        format!("`\\{}` is not a byte (at most \\255)", &name[i + 1..i + 4])
                    })?;
                    i += 4;
                    (value, true)
                } else if let Some(&next) = rest.first() {
                    i += 2;
                    (next, true)
                } else {
                    return Err(format!("the name `{name}` ends with a lone backslash"));
                }
            }
            b => {
                i += 1;
                (b, false)
            }
        };
        if b == b'.' && !escaped {
            out.push('.');
        } else {
            push_label_byte(&mut out, b);
        }
    }
    Ok(out)
}

/// One byte of a label in canonical text: lowercase, special characters `\`-escaped,
/// anything not printable as `\DDD`.
fn push_label_byte(out: &mut String, b: u8) {
    match b.to_ascii_lowercase() {
        c @ (b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$') => {
            out.push('\\');
            out.push(c as char);
        }
        c if c.is_ascii_graphic() => out.push(c as char),
        c => {
            let _ = write!(out, "\\{c:03}");
        }
    }
}

/// Label lengths and total length (escapes counted as written, which only over-counts).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Ok(());
    }
    // Lengths on the wire: escapes decoded, labels split at unescaped dots only.
    let bytes = name.as_bytes();
    let (mut label, mut total, mut i) = (0usize, 1usize, 0usize);
    let mut start = 0;
    let end_label = |label: &mut usize, total: &mut usize, at: usize, start: usize| {
        if *label == 0 {
            return Err(format!("the name `{name}` has an empty label"));
        }
        if *label > 63 {
            return Err(format!(
                "the label `{}` is longer than 63 bytes",
                &name[start..at]
            ));
        }
        *total += *label + 1;
        *label = 0;
        Ok(())
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\\'
                if bytes
                    .get(i + 1..i + 4)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit)) =>
            {
                i += 4;
                label += 1;
            }
            b'\\' => {
                i += 2;
                label += 1;
            }
            b'.' => {
                end_label(&mut label, &mut total, i, start)?;
                i += 1;
                start = i;
            }
            _ => {
                i += 1;
                label += 1;
            }
        }
    }
    end_label(&mut label, &mut total, bytes.len(), start)?;
    if total > 255 {
        return Err(format!(
            "the name `{name}` is longer than 255 bytes on the wire"
        ));
    }
    Ok(())
}

fn number<T: std::str::FromStr>(field: &Field<'_>, what: &str) -> Result<T, String> {
    field
        .text
        .parse()
        .map_err(|_| format!("`{}` is not a valid {what}", field.text))
}

/// DNSSEC algorithm mnemonics BIND reads (RFC 4034 appendix A.1 and its updates).
const ALGORITHMS: &[(&str, u8)] = &[
    ("RSAMD5", 1),
    ("DH", 2),
    ("DSA", 3),
    ("RSASHA1", 5),
    ("NSEC3DSA", 6),
    ("NSEC3RSASHA1", 7),
    ("RSASHA256", 8),
    ("RSASHA512", 10),
    ("ECCGOST", 12),
    ("ECDSAP256SHA256", 13),
    ("ECDSAP384SHA384", 14),
    ("ED25519", 15),
    ("ED448", 16),
    ("INDIRECT", 252),
    ("PRIVATEDNS", 253),
    ("PRIVATEOID", 254),
];

/// DS digest type mnemonics BIND reads.
const DIGESTS: &[(&str, u8)] = &[
    ("SHA-1", 1),
    ("SHA1", 1),
    ("SHA-256", 2),
    ("SHA256", 2),
    ("GOST", 3),
    ("SHA-384", 4),
    ("SHA384", 4),
];

/// A number, or its mnemonic (any case), as the number.
fn mnemonic(field: &Field<'_>, table: &[(&str, u8)], what: &str) -> Result<u8, String> {
    if let Some((_, n)) = table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(field.text))
    {
        return Ok(*n);
    }
    number(field, what)
}

fn expect(fields: &[Field<'_>], n: usize, rtype: RecordType, shape: &str) -> Result<(), String> {
    if fields.len() == n {
        Ok(())
    } else {
        Err(format!(
            "{rtype} takes {n} field(s) ({shape}), found {}",
            fields.len()
        ))
    }
}

/// Canonicalises the record data of one record.
pub fn canonical(rtype: RecordType, fields: &[Field<'_>], origin: &str) -> Result<String, String> {
    use RecordType as T;
    if rtype.is_meta() {
        return Err(format!(
            "{rtype} is a meta type (a question, never record data); BIND refuses it in a zone"
        ));
    }
    if matches!(rtype, T::Md | T::Mf) {
        return Err(format!(
            "{rtype} is obsolete (RFC 973: use MX); BIND refuses it in a zone"
        ));
    }
    if let Some(first) = fields.first() {
        // `\#` starts generic data only when a length follows (BIND reads `TXT \# text` as
        // the strings `#` and `text`).
        let length_follows = fields
            .get(1)
            .is_some_and(|f| !f.quoted && f.text.bytes().all(|b| b.is_ascii_digit()));
        if first.text == "\\#" && !first.quoted && (length_follows || fields.len() == 1) {
            let generic = unknown_rdata(fields)?;
            return from_generic(rtype, &generic).map(|known| known.unwrap_or(generic));
        }
    }
    let name = |f: &Field<'_>| absolute_name(f.text, origin);
    let mut out = String::new();
    match rtype {
        T::A => {
            expect(fields, 1, rtype, "an IPv4 address")?;
            let ip: Ipv4Addr = number(&fields[0], "IPv4 address")?;
            let _ = write!(out, "{ip}");
        }
        T::Aaaa => {
            expect(fields, 1, rtype, "an IPv6 address")?;
            let ip: Ipv6Addr = number(&fields[0], "IPv6 address")?;
            let _ = write!(out, "{ip}");
        }
        T::Cname | T::Ns | T::Ptr | T::Dname | T::Alias => {
            expect(fields, 1, rtype, "a name")?;
            out = name(&fields[0])?;
        }
        T::Mx | T::Afsdb | T::Rt | T::Kx => {
            expect(fields, 2, rtype, "preference and exchange")?;
            let pref: u16 = number(&fields[0], "preference")?;
            let _ = write!(out, "{pref} {}", name(&fields[1])?);
        }
        T::Srv => {
            expect(fields, 4, rtype, "priority, weight, port and target")?;
            let p: u16 = number(&fields[0], "SRV priority")?;
            let w: u16 = number(&fields[1], "SRV weight")?;
            let port: u16 = number(&fields[2], "SRV port")?;
            let _ = write!(out, "{p} {w} {port} {}", name(&fields[3])?);
        }
        T::Txt | T::Spf => {
            // Each field is one character-string on the wire: the boundaries are data
            // (DNS-SD reads `"txtvers=1" "path=/x"` as two keys), so they are kept.
            if fields.is_empty() {
                return Err(format!("{rtype} needs at least one string"));
            }
            let mut strings = Vec::with_capacity(fields.len());
            for field in fields {
                let mut bytes = Vec::new();
                unescape(field.text, &mut bytes)?;
                if bytes.len() > 255 {
                    return Err(format!(
                        "a {rtype} string holds at most 255 bytes, this one {}; split it into several quoted strings",
                        bytes.len()
                    ));
                }
                strings.push(quote(&bytes));
            }
            out = strings.join(" ");
        }
        T::Soa => {
            expect(
                fields,
                7,
                rtype,
                "mname, rname, serial, refresh, retry, expire and minimum",
            )?;
            let _ = write!(out, "{} {}", name(&fields[0])?, name(&fields[1])?);
            for field in &fields[2..] {
                let _ = write!(out, " {}", ttl_value(field.text)?);
            }
        }
        T::Caa => {
            expect(fields, 3, rtype, "flags, tag and value")?;
            let flags: u8 = number(&fields[0], "CAA flags")?;
            let mut value = Vec::new();
            unescape(fields[2].text, &mut value)?;
            let _ = write!(out, "{flags} {} {}", fields[1].text, quote(&value));
        }
        T::Naptr => {
            expect(
                fields,
                6,
                rtype,
                "order, preference, flags, service, regexp and replacement",
            )?;
            let order: u16 = number(&fields[0], "NAPTR order")?;
            let pref: u16 = number(&fields[1], "NAPTR preference")?;
            let _ = write!(out, "{order} {pref}");
            for field in &fields[2..5] {
                let mut bytes = Vec::new();
                unescape(field.text, &mut bytes)?;
                let _ = write!(out, " {}", quote(&bytes));
            }
            let _ = write!(out, " {}", name(&fields[5])?);
        }
        T::Sshfp => {
            // The fingerprint may be split across fields (or lines, in parentheses).
            if fields.len() < 3 {
                return Err("SSHFP takes algorithm, fingerprint type and fingerprint".into());
            }
            let a: u8 = number(&fields[0], "SSHFP algorithm")?;
            let t: u8 = number(&fields[1], "SSHFP type")?;
            let fingerprint = hex(&fields[2..])?;
            digest_length(rtype, t, fingerprint.len() / 2)?;
            let _ = write!(out, "{a} {t} {fingerprint}");
        }
        T::Tlsa | T::Smimea => {
            if fields.len() < 4 {
                return Err("TLSA takes usage, selector, matching type and data".into());
            }
            let u: u8 = number(&fields[0], "TLSA usage")?;
            let s: u8 = number(&fields[1], "TLSA selector")?;
            let m: u8 = number(&fields[2], "TLSA matching type")?;
            let _ = write!(out, "{u} {s} {m} {}", hex(&fields[3..])?);
        }
        T::Ds | T::Cds | T::Dlv | T::Ta => {
            if fields.len() < 4 {
                return Err(format!(
                    "{rtype} takes key tag, algorithm, digest type and digest"
                ));
            }
            let tag: u16 = number(&fields[0], "DS key tag")?;
            let alg = mnemonic(&fields[1], ALGORITHMS, "DS algorithm")?;
            let dt = mnemonic(&fields[2], DIGESTS, "DS digest type")?;
            let digest = hex(&fields[3..])?;
            digest_length(rtype, dt, digest.len() / 2)?;
            let _ = write!(out, "{tag} {alg} {dt} {digest}");
        }
        T::Dnskey | T::Cdnskey | T::Key | T::Rkey => {
            if fields.len() < 4 {
                return Err("DNSKEY takes flags, protocol, algorithm and key".into());
            }
            let flags: u16 = number(&fields[0], "DNSKEY flags")?;
            let proto: u8 = number(&fields[1], "DNSKEY protocol")?;
            let alg = mnemonic(&fields[2], ALGORITHMS, "DNSKEY algorithm")?;
            let key = base64_fields(&fields[3..], "DNSKEY key")?;
            let _ = write!(out, "{flags} {proto} {alg} {key}");
        }
        T::Rrsig | T::Sig => {
            if fields.len() < 9 {
                return Err(format!(
                    "{rtype} takes type covered, algorithm, labels, original TTL, expiration, inception, key tag, signer and signature"
                ));
            }
            let covered = RecordType::parse_wire(fields[0].text)?;
            let alg = mnemonic(&fields[1], ALGORITHMS, "algorithm")?;
            let labels: u8 = number(&fields[2], "label count")?;
            let ttl = ttl_value(fields[3].text)?;
            let expiration = sig_time(fields[4].text)?;
            let inception = sig_time(fields[5].text)?;
            let tag: u16 = number(&fields[6], "key tag")?;
            let signer = name(&fields[7])?;
            let signature = base64_fields(&fields[8..], "signature")?;
            let _ = write!(
                out,
                "{covered} {alg} {labels} {ttl} {expiration} {inception} {tag} {signer} {signature}"
            );
        }
        T::Nsec => {
            if fields.is_empty() {
                return Err("NSEC takes the next name and the types present".into());
            }
            let _ = write!(out, "{}{}", name(&fields[0])?, type_list(&fields[1..])?);
        }
        T::Nsec3 | T::Nsec3param => {
            let needed = if rtype == T::Nsec3 { 5 } else { 4 };
            if fields.len() < needed {
                return Err(format!(
                    "{rtype} takes hash algorithm, flags, iterations, salt{}",
                    if rtype == T::Nsec3 {
                        ", next hashed owner and types"
                    } else {
                        ""
                    }
                ));
            }
            let alg: u8 = number(&fields[0], "hash algorithm")?;
            let flags: u8 = number(&fields[1], "flags")?;
            let iterations: u16 = number(&fields[2], "iterations")?;
            let salt = if fields[3].text == "-" {
                "-".to_string()
            } else {
                hex(&fields[3..4])?
            };
            let _ = write!(out, "{alg} {flags} {iterations} {salt}");
            if rtype == T::Nsec3 {
                let next = fields[4].text.to_ascii_uppercase();
                // Base32hex without padding: 8 characters hold 5 bytes, and a partial group
                // has 2, 4, 5 or 7 characters.
                if next.is_empty()
                    || !matches!(next.len() % 8, 0 | 2 | 4 | 5 | 7)
                    || !next
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'A'..=b'V').contains(&b))
                {
                    return Err(format!("`{}` is not a base32hex hash", fields[4].text));
                }
                let _ = write!(out, " {next}{}", type_list(&fields[5..])?);
            }
        }
        T::Hinfo => {
            expect(fields, 2, rtype, "CPU and OS")?;
            out = strings(fields)?;
        }
        T::X25 => {
            expect(fields, 1, rtype, "a PSDN address")?;
            out = strings(fields)?;
        }
        T::Isdn => {
            if fields.is_empty() || fields.len() > 2 {
                return Err("ISDN takes an address and an optional subaddress".into());
            }
            out = strings(fields)?;
        }
        T::Rp | T::Minfo => {
            expect(fields, 2, rtype, "two names")?;
            let _ = write!(out, "{} {}", name(&fields[0])?, name(&fields[1])?);
        }
        T::Mb | T::Mg | T::Mr | T::NsapPtr => {
            expect(fields, 1, rtype, "a name")?;
            out = name(&fields[0])?;
        }
        T::Px => {
            expect(fields, 3, rtype, "preference and two names")?;
            let pref: u16 = number(&fields[0], "PX preference")?;
            let _ = write!(out, "{pref} {} {}", name(&fields[1])?, name(&fields[2])?);
        }
        T::Uri => {
            expect(fields, 3, rtype, "priority, weight and target")?;
            let p: u16 = number(&fields[0], "URI priority")?;
            let w: u16 = number(&fields[1], "URI weight")?;
            let mut target = Vec::new();
            unescape(fields[2].text, &mut target)?;
            let _ = write!(out, "{p} {w} {}", quote(&target));
        }
        T::Lp => {
            expect(fields, 2, rtype, "preference and a name")?;
            let pref: u16 = number(&fields[0], "LP preference")?;
            let _ = write!(out, "{pref} {}", name(&fields[1])?);
        }
        T::Talink => {
            expect(fields, 2, rtype, "two names")?;
            let _ = write!(out, "{} {}", name(&fields[0])?, name(&fields[1])?);
        }
        T::Ipseckey => {
            if fields.len() < 4 {
                return Err(
                    "IPSECKEY takes precedence, gateway type, algorithm, gateway and a key".into(),
                );
            }
            let precedence: u8 = number(&fields[0], "precedence")?;
            let kind: u8 = number(&fields[1], "gateway type")?;
            let alg: u8 = number(&fields[2], "algorithm")?;
            let gateway = gateway(kind, &fields[3], &name)?;
            let _ = write!(out, "{precedence} {kind} {alg} {gateway}");
            if fields.len() > 4 {
                let _ = write!(out, " {}", base64_fields(&fields[4..], "key")?);
            }
        }
        T::Amtrelay => {
            expect(
                fields,
                4,
                rtype,
                "precedence, discovery-optional, type and relay",
            )?;
            let precedence: u8 = number(&fields[0], "precedence")?;
            let discovery: u8 = number(&fields[1], "discovery-optional bit")?;
            if discovery > 1 {
                return Err("the AMTRELAY discovery-optional bit is 0 or 1".into());
            }
            let kind: u8 = number(&fields[2], "relay type")?;
            let relay = gateway(kind, &fields[3], &name)?;
            let _ = write!(out, "{precedence} {discovery} {kind} {relay}");
        }
        T::Unknown(_) => {
            return Err(format!(
                "{rtype} has no presentation form: write its data in RFC 3597 form, `\\# LENGTH HEX`"
            ));
        }
        T::A6 | T::Nxt | T::Hip => {
            return Err(format!(
                "{rtype} records are not read by changegate: their data names hosts in a form it does not compare; write them in RFC 3597 form (`\\# ...`), or leave them out of the change"
            ));
        }
        T::Openpgpkey | T::Dhcid => {
            if fields.is_empty() {
                return Err(format!("{rtype} takes base64 data"));
            }
            out = base64_fields(fields, "data")?;
        }
        T::Urlfwd => {
            return Err(
                "URLFWD is a provider's HTTP redirect with no zone-file form; write it in the octoDNS file".into(),
            );
        }
        T::Zonemd => {
            if fields.len() < 4 {
                return Err("ZONEMD takes serial, scheme, hash algorithm and digest".into());
            }
            let serial: u32 = number(&fields[0], "ZONEMD serial")?;
            let scheme: u8 = number(&fields[1], "ZONEMD scheme")?;
            let alg: u8 = number(&fields[2], "ZONEMD hash algorithm")?;
            let digest = hex(&fields[3..])?;
            if digest.len() < 24 {
                return Err("a ZONEMD digest is at least 12 bytes (RFC 8976)".into());
            }
            let _ = write!(out, "{serial} {scheme} {alg} {digest}");
        }
        T::Eid | T::Nimloc => {
            if fields.is_empty() {
                return Err(format!("{rtype} takes hexadecimal data"));
            }
            out = hex(fields)?;
        }
        T::L64 | T::Nid => {
            expect(
                fields,
                2,
                rtype,
                "preference and a 64-bit locator or node id",
            )?;
            let pref: u16 = number(&fields[0], "preference")?;
            let groups: Vec<&str> = fields[1].text.split(':').collect();
            let valid = groups.len() == 4
                && groups.iter().all(|g| {
                    (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit())
                });
            if !valid {
                return Err(format!(
                    "`{}` is not four groups of hex digits joined by `:`",
                    fields[1].text
                ));
            }
            let groups: Vec<String> = groups
                .iter()
                .map(|g| format!("{:x}", u16::from_str_radix(g, 16).unwrap_or_default()))
                .collect();
            let _ = write!(out, "{pref} {}", groups.join(":"));
        }
        T::Loc => {
            let words: Vec<&str> = fields.iter().map(|f| f.text).collect();
            out = super::loc::Loc::from_text(&words)?.to_text();
        }
        T::Eui48 | T::Eui64 => {
            expect(fields, 1, rtype, "an address written as hex pairs")?;
            let pairs = if rtype == T::Eui48 { 6 } else { 8 };
            let text = fields[0].text.to_ascii_lowercase();
            let ok = text.split('-').count() == pairs
                && text
                    .split('-')
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
            if !ok {
                return Err(format!(
                    "`{}` is not an {rtype} address ({pairs} hex pairs joined by `-`)",
                    fields[0].text
                ));
            }
            out = text;
        }
        T::Svcb | T::Https => {
            if fields.len() < 2 {
                return Err(format!("{rtype} takes a priority, a target and parameters"));
            }
            let prio: u16 = number(&fields[0], "priority")?;
            let params = super::svcb::from_presentation(&fields[2..])?;
            let _ = write!(
                out,
                "{prio} {}{}",
                name(&fields[1])?,
                super::svcb::to_text(&params)
            );
        }
        _ => {
            // Other types: fields as written, whitespace normalised.
            let parts: Vec<String> = fields
                .iter()
                .map(|f| {
                    if f.quoted {
                        format!("\"{}\"", f.text)
                    } else {
                        f.text.to_string()
                    }
                })
                .collect();
            out = parts.join(" ");
        }
    }
    Ok(out)
}

/// A known type's data written in RFC 3597 generic form (`\# 4 c0000202`), as the canonical
/// text the type's own form gives (`192.0.2.2`), so that both spellings are one record; the
/// data must be exactly what the type holds. `None` for types read only in generic form.
fn from_generic(rtype: RecordType, generic: &str) -> Result<Option<String>, String> {
    use RecordType as T;
    let hex_data = generic.splitn(3, ' ').nth(2).unwrap_or_default();
    let data: Vec<u8> = (0..hex_data.len() / 2)
        .map(|i| u8::from_str_radix(&hex_data[2 * i..2 * i + 2], 16).unwrap_or_default())
        .collect();
    let mut wire = Wire {
        data: &data,
        at: 0,
        rtype,
    };
    let mut out = String::new();
    match rtype {
        T::A => {
            let b = wire.take(4)?;
            let _ = write!(out, "{}", Ipv4Addr::new(b[0], b[1], b[2], b[3]));
        }
        T::Aaaa => {
            let b: [u8; 16] = wire.take(16)?.try_into().unwrap_or_default();
            let _ = write!(out, "{}", Ipv6Addr::from(b));
        }
        T::Cname | T::Ns | T::Ptr | T::Dname => out = wire.name()?,
        T::Mx | T::Afsdb | T::Rt | T::Kx => {
            let pref = wire.u16()?;
            let _ = write!(out, "{pref} {}", wire.name()?);
        }
        T::Srv => {
            let (p, w, port) = (wire.u16()?, wire.u16()?, wire.u16()?);
            let _ = write!(out, "{p} {w} {port} {}", wire.name()?);
        }
        T::Txt | T::Spf => {
            let mut strings = Vec::new();
            while wire.at < data.len() {
                let len = wire.take(1)?[0] as usize;
                strings.push(quote(wire.take(len)?));
            }
            if data.is_empty() {
                return Err(format!("{rtype} data holds at least one string"));
            }
            out = strings.join(" ");
        }
        T::Soa => {
            let _ = write!(out, "{} {}", wire.name()?, wire.name()?);
            for _ in 0..5 {
                let _ = write!(out, " {}", wire.u32()?);
            }
        }
        T::Caa => {
            let flags = wire.take(1)?[0];
            let len = wire.take(1)?[0] as usize;
            let tag = String::from_utf8_lossy(wire.take(len)?).into_owned();
            let value = wire.rest();
            let _ = write!(out, "{flags} {tag} {}", quote(value));
        }
        T::Sshfp => {
            let (a, t) = (wire.take(1)?[0], wire.take(1)?[0]);
            let fingerprint = wire.rest();
            digest_length(rtype, t, fingerprint.len())?;
            let _ = write!(out, "{a} {t} {}", to_hex(fingerprint));
        }
        T::Tlsa | T::Smimea => {
            let (u, sel, m) = (wire.take(1)?[0], wire.take(1)?[0], wire.take(1)?[0]);
            let _ = write!(out, "{u} {sel} {m} {}", to_hex(wire.rest()));
        }
        T::Ds | T::Cds => {
            let tag = wire.u16()?;
            let (alg, dt) = (wire.take(1)?[0], wire.take(1)?[0]);
            let digest = wire.rest();
            digest_length(rtype, dt, digest.len())?;
            let _ = write!(out, "{tag} {alg} {dt} {}", to_hex(digest));
        }
        T::Svcb | T::Https => {
            let prio = wire.u16()?;
            let target = wire.name()?;
            let params = super::svcb::from_wire(wire.rest())?;
            let _ = write!(out, "{prio} {target}{}", super::svcb::to_text(&params));
        }
        T::Dnskey | T::Cdnskey => {
            let flags = wire.u16()?;
            let (proto, alg) = (wire.take(1)?[0], wire.take(1)?[0]);
            let _ = write!(out, "{flags} {proto} {alg} {}", base64(wire.rest()));
        }
        T::Hinfo | T::X25 | T::Isdn => {
            let mut strings = Vec::new();
            while wire.at < data.len() {
                strings.push(wire.string()?);
            }
            let (least, most) = match rtype {
                T::Hinfo => (2, 2),
                T::X25 => (1, 1),
                _ => (1, 2),
            };
            if !(least..=most).contains(&strings.len()) {
                return Err(format!(
                    "this {rtype} record's `\\#` data holds {} strings",
                    strings.len()
                ));
            }
            out = strings.join(" ");
        }
        T::Naptr => {
            let (order, pref) = (wire.u16()?, wire.u16()?);
            let (flags, service, regexp) = (wire.string()?, wire.string()?, wire.string()?);
            let _ = write!(
                out,
                "{order} {pref} {flags} {service} {regexp} {}",
                wire.name()?
            );
        }
        T::Rp | T::Minfo | T::Talink => {
            let _ = write!(out, "{} {}", wire.name()?, wire.name()?);
        }
        T::Mb | T::Mg | T::Mr | T::NsapPtr => out = wire.name()?,
        T::Px => {
            let pref = wire.u16()?;
            let _ = write!(out, "{pref} {} {}", wire.name()?, wire.name()?);
        }
        T::Lp => {
            let pref = wire.u16()?;
            let _ = write!(out, "{pref} {}", wire.name()?);
        }
        T::Uri => {
            let (p, w) = (wire.u16()?, wire.u16()?);
            let target = wire.rest();
            if target.is_empty() {
                return Err("a URI record's target is empty".into());
            }
            let _ = write!(out, "{p} {w} {}", quote(target));
        }
        T::Openpgpkey | T::Dhcid => {
            let bytes = wire.rest();
            if bytes.is_empty() {
                return Err(format!("this {rtype} record's `\\#` data is empty"));
            }
            out = base64(bytes);
        }
        T::Eui48 | T::Eui64 => {
            let bytes = wire.take(if rtype == T::Eui48 { 6 } else { 8 })?;
            let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            out = pairs.join("-");
        }
        T::Loc => match super::loc::Loc::from_wire(wire.rest())? {
            Some(loc) => out = loc.to_text(),
            None => return Ok(None),
        },
        _ => return Ok(None),
    }
    if wire.at != data.len() {
        return Err(format!(
            "`\\#` gives {} bytes, but this {rtype} record's data ends after {}",
            data.len(),
            wire.at
        ));
    }
    Ok(Some(out))
}

/// The digest sizes BIND checks: SSHFP fingerprints of type 1 (SHA-1) and 2 (SHA-256), and DS
/// digests of type 1, 2 and 4 (SHA-384). Other types take any length.
fn digest_length(rtype: RecordType, kind: u8, len: usize) -> Result<(), String> {
    let expected = match (rtype, kind) {
        (RecordType::Sshfp, 1) | (RecordType::Ds | RecordType::Cds, 1) => 20,
        (RecordType::Sshfp, 2) | (RecordType::Ds | RecordType::Cds, 2) => 32,
        (RecordType::Ds | RecordType::Cds, 4) => 48,
        _ => return Ok(()),
    };
    if len == expected {
        Ok(())
    } else {
        Err(format!(
            "a {rtype} digest of type {kind} is {expected} bytes, this one {len}"
        ))
    }
}

/// Record data in wire form, read front to back.
struct Wire<'a> {
    data: &'a [u8],
    at: usize,
    rtype: RecordType,
}

impl<'a> Wire<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at + n;
        let bytes = self.data.get(self.at..end).ok_or_else(|| {
            format!(
                "`\\#` gives {} bytes, too few for a {} record",
                self.data.len(),
                self.rtype
            )
        })?;
        self.at = end;
        Ok(bytes)
    }

    fn rest(&mut self) -> &'a [u8] {
        let rest = &self.data[self.at..];
        self.at = self.data.len();
        rest
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A character-string, quoted as the canonical text has it.
    fn string(&mut self) -> Result<String, String> {
        let len = self.take(1)?[0] as usize;
        Ok(quote(self.take(len)?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An uncompressed name, as the canonical text: lowercase, absolute, escaped.
    fn name(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let len = self.take(1)?[0] as usize;
            if len == 0 {
                break;
            }
            if len > 63 {
                return Err(format!(
                    "a name in this {} record's `\\#` data has a label longer than 63 bytes (or is compressed)",
                    self.rtype
                ));
            }
            for &b in self.take(len)? {
                push_label_byte(&mut out, b);
            }
            out.push('.');
        }
        if out.is_empty() {
            out.push('.');
        }
        Ok(out)
    }
}

fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Standard base64 with padding (RFC 4648), as DNSKEY keys are written.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The gateway (IPSECKEY) or relay (AMTRELAY) of a type: 0 none (`.`), 1 IPv4, 2 IPv6,
/// 3 a name.
fn gateway(
    kind: u8,
    field: &Field<'_>,
    name: &dyn Fn(&Field<'_>) -> Result<String, String>,
) -> Result<String, String> {
    match kind {
        0 if field.text == "." => Ok(".".into()),
        1 => number::<Ipv4Addr>(field, "IPv4 gateway").map(|ip| ip.to_string()),
        2 => number::<Ipv6Addr>(field, "IPv6 gateway").map(|ip| ip.to_string()),
        3 => name(field),
        _ => Err(format!(
            "gateway type {kind} with `{}`: the types are 0 (`.`), 1 (IPv4), 2 (IPv6) and 3 (a name)",
            field.text
        )),
    }
}

/// Base64 data written across fields (as signatures and keys are, in parentheses), in one
/// canonical string: decoded and written again, so that spacing never matters.
fn base64_fields(fields: &[Field<'_>], what: &str) -> Result<String, String> {
    let joined: String = fields.iter().map(|f| f.text).collect();
    base64_decode(&joined)
        .map(|bytes| base64(&bytes))
        .ok_or_else(|| format!("the {what} is not base64"))
}

/// Character-strings, each quoted as the canonical text writes them.
fn strings(fields: &[Field<'_>]) -> Result<String, String> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let mut bytes = Vec::new();
        unescape(field.text, &mut bytes)?;
        if bytes.len() > 255 {
            return Err(format!(
                "a character-string holds at most 255 bytes, this one {}",
                bytes.len()
            ));
        }
        out.push(quote(&bytes));
    }
    Ok(out.join(" "))
}

/// The types of an NSEC or NSEC3 bitmap, by number, each once, as mnemonics.
fn type_list(fields: &[Field<'_>]) -> Result<String, String> {
    let mut types = fields
        .iter()
        .map(|f| RecordType::parse_wire(f.text))
        .collect::<Result<Vec<_>, _>>()?;
    types.sort_by_key(RecordType::number);
    types.dedup();
    Ok(types.iter().map(|t| format!(" {t}")).collect())
}

/// An RRSIG time: `YYYYMMDDHHmmSS` (UTC), or seconds since 1970, as that 14-digit form.
fn sig_time(text: &str) -> Result<String, String> {
    let bad = || format!("`{text}` is not a signature time (YYYYMMDDHHmmSS)");
    if text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit()) {
        // A real instant: no month 13, no 31 February.
        jiff::civil::DateTime::strptime("%Y%m%d%H%M%S", text).map_err(|_| bad())?;
        return Ok(text.to_string());
    }
    let seconds: i64 = text.parse().map_err(|_| bad())?;
    let at = jiff::Timestamp::from_second(seconds).map_err(|_| bad())?;
    Ok(at.strftime("%Y%m%d%H%M%S").to_string())
}

/// Decodes standard base64 (padding optional); `None` if it is not base64.
pub(super) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    let trimmed = text.trim_end_matches('=');
    // Padded to a whole number of 4-character groups, as BIND requires.
    if text.len() - trimmed.len() > 2 || text.len() % 4 != 0 {
        return None;
    }
    for c in trimmed.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6 && acc == 0).then_some(out)
}

/// RFC 3597: `\# <length> <hex>`.
fn unknown_rdata(fields: &[Field<'_>]) -> Result<String, String> {
    let length: usize = fields
        .get(1)
        .ok_or("`\\#` must be followed by the data length")?
        .text
        .parse::<u16>()
        .map_err(|_| "the length after `\\#` is not a number from 0 to 65535".to_string())?
        .into();
    let data = hex(&fields[2..])?;
    if data.len() != length * 2 {
        return Err(format!(
            "`\\#` says {length} bytes but the data has {}",
            data.len() / 2
        ));
    }
    Ok(if data.is_empty() {
        format!("\\# {length}")
    } else {
        format!("\\# {length} {data}")
    })
}

fn hex(fields: &[Field<'_>]) -> Result<String, String> {
    let mut out = String::new();
    for f in fields {
        if !f.text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{}` is not hexadecimal", f.text));
        }
        out.push_str(&f.text.to_ascii_lowercase());
    }
    if out.len() % 2 == 1 {
        return Err("hexadecimal data has an odd number of digits".into());
    }
    Ok(out)
}

/// A record's TTL: [`ttl_value`], where one above 2^31-1 is 0, as RFC 2181 §8 says and BIND
/// loads it.
pub fn record_ttl(text: &str) -> Result<u32, String> {
    ttl_value(text).map(|ttl| if ttl > i32::MAX as u32 { 0 } else { ttl })
}

/// A TTL or SOA timer: seconds, or BIND units (`1h30m`, `2w`).
pub fn ttl_value(text: &str) -> Result<u32, String> {
    if let Ok(n) = text.parse::<u32>() {
        return Ok(n);
    }
    let seconds = crate::model::Duration::parse(&text.to_ascii_lowercase())
        .map_err(|_| format!("`{text}` is not a TTL (seconds, or units such as `1h30m`)"))?
        .as_secs();
    u32::try_from(seconds).map_err(|_| format!("`{text}` is too large for a TTL"))
}

/// Unescapes master-file text (`\"`, `\\`, `\DDD`) into bytes.
pub fn unescape(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let rest = &bytes[i + 1..];
        if rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) {
            let value = (rest[0] - b'0') as u32 * 100
                + (rest[1] - b'0') as u32 * 10
                + (rest[2] - b'0') as u32;
            let value = u8::try_from(value).map_err(|_| {
                format!("`\\{}` is not a byte (at most \\255)", &text[i + 1..i + 4])
            })?;
            out.push(value);
            i += 4;
        } else if rest.first().is_some_and(u8::is_ascii_digit) {
            return Err(format!(
                "`\\{}` is not an escape: a backslash and a digit start `\\DDD`, three digits",
                String::from_utf8_lossy(&rest[..rest.len().min(3)])
            ));
        } else if let Some(&next) = rest.first() {
            out.push(next);
            i += 2;
        } else {
            return Err("text ends with a lone backslash".into());
        }
    }
    Ok(())
}

/// One logical TXT value as quoted strings of at most 255 bytes, the way octoDNS's providers
/// chunk a value longer than one string.
pub fn txt(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "\"\"".into();
    }
    bytes.chunks(255).map(quote).collect::<Vec<_>>().join(" ")
}

/// One quoted string with `"` and `\` escaped and non-printable bytes as `\DDD`.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> Field<'_> {
        Field {
            text,
            quoted: false,
        }
    }

    fn q(text: &str) -> Field<'_> {
        Field { text, quoted: true }
    }

    #[test]
    fn names_become_absolute_and_lowercase() {
        assert_eq!(
            absolute_name("WWW", "example.com").unwrap(),
            "www.example.com."
        );
        assert_eq!(absolute_name("@", "example.com").unwrap(), "example.com.");
        assert_eq!(
            absolute_name("Mail.Example.NET.", "example.com").unwrap(),
            "mail.example.net."
        );
        assert!(absolute_name("a..b", "example.com").is_err());
    }

    #[test]
    fn record_data_is_canonical() {
        let o = "example.com";
        assert_eq!(
            canonical(RecordType::Aaaa, &[f("2001:DB8:0:0::1")], o).unwrap(),
            "2001:db8::1"
        );
        assert_eq!(
            canonical(RecordType::Mx, &[f("010"), f("MX1")], o).unwrap(),
            "10 mx1.example.com."
        );
        assert_eq!(
            canonical(
                RecordType::Txt,
                &[q("v=spf1 \\\"x\\\""), q(" more\\059")],
                o
            )
            .unwrap(),
            "\"v=spf1 \\\"x\\\"\" \" more;\""
        );
        assert_eq!(
            canonical(
                RecordType::Soa,
                &[
                    f("ns1"),
                    f("host"),
                    f("1"),
                    f("1h"),
                    f("10m"),
                    f("1w"),
                    f("300")
                ],
                o
            )
            .unwrap(),
            "ns1.example.com. host.example.com. 1 3600 600 604800 300"
        );
        assert_eq!(
            canonical(
                RecordType::Unknown(65534),
                &[f("\\#"), f("3"), f("ABCD"), f("ef")],
                o
            )
            .unwrap(),
            "\\# 3 abcdef"
        );
        assert!(canonical(RecordType::A, &[f("300.1.1.1")], o).is_err());
        assert!(canonical(RecordType::Unknown(1), &[f("\\#"), f("2"), f("ab")], o).is_err());
    }

    /// Issue 9 and 10: a known type written in generic form is the same record as its own
    /// form, and generic data of the wrong size for the type is refused.
    #[test]
    fn generic_forms_of_known_types_are_the_types_own_text() {
        let o = "example.com";
        let same = |rtype: RecordType, generic: &[&str], own: &[&str]| {
            let g: Vec<Field<'_>> = generic.iter().map(|t| f(t)).collect();
            let p: Vec<Field<'_>> = own.iter().map(|t| f(t)).collect();
            assert_eq!(
                canonical(rtype, &g, o).unwrap(),
                canonical(rtype, &p, o).unwrap(),
                "{rtype}"
            );
        };
        same(RecordType::A, &["\\#", "4", "c0000202"], &["192.0.2.2"]);
        same(
            RecordType::Aaaa,
            &["\\#", "16", "20010db8000000000000000000000001"],
            &["2001:db8::1"],
        );
        same(
            RecordType::Cname,
            &["\\#", "17", "03777777076578616d706c6503636f6d00"],
            &["www"],
        );
        same(
            RecordType::Mx,
            &["\\#", "19", "000a", "036d7831076578616d706c6503636f6d00"],
            &["10", "mx1"],
        );
        same(RecordType::Txt, &["\\#", "4", "03616263"], &["abc"]);
        same(
            RecordType::Dnskey,
            &["\\#", "7", "0101", "03", "08", "010203"],
            &["257", "3", "8", "AQID"],
        );
        assert!(
            canonical(RecordType::A, &[f("\\#"), f("5"), f("c000020201")], o)
                .unwrap_err()
                .contains("ends after 4")
        );
        assert!(
            canonical(RecordType::A, &[f("\\#"), f("3"), f("c00002")], o)
                .unwrap_err()
                .contains("too few")
        );
        // HINFO's generic data is its two strings; types read only generically keep the
        // generic text.
        assert_eq!(
            canonical(RecordType::Hinfo, &[f("\\#"), f("2"), f("0000")], o).unwrap(),
            "\"\" \"\""
        );
        assert_eq!(
            canonical(RecordType::Nsec3param, &[f("\\#"), f("2"), f("0000")], o).unwrap(),
            "\\# 2 0000"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"a"), "YQ==");
    }

    /// Review: label lengths are counted on the wire, so 32 escaped backslashes are a valid
    /// 32-byte label (it overflowed), an escaped dot is inside a label, and a generic length
    /// too big for any record is refused (it overflowed too).
    #[test]
    fn lengths_are_counted_on_the_wire_without_overflow() {
        let o = "example.com";
        assert!(bare_name(&"\\\\".repeat(32), o).is_ok());
        assert!(bare_name("x\\.", o).is_ok());
        let long = format!("{}\\.{}", "b".repeat(50), "b".repeat(50));
        assert!(bare_name(&long, o).unwrap_err().contains("longer than 63"));
        let huge = [f("\\#"), f("18446744073709551615"), f("00")];
        assert!(canonical(RecordType::Unknown(65000), &huge, o).is_err());
        assert!(canonical(RecordType::Unknown(65000), &[f("\\#"), f("0"), f("ab")], o).is_err());
    }

    /// Issue 10: `\065bc` and `Abc` were two RRsets; they are one name.
    #[test]
    fn names_are_compared_in_their_wire_form() {
        let o = "example.com";
        assert_eq!(
            bare_name("\\065bc", o).unwrap(),
            bare_name("Abc", o).unwrap()
        );
        assert_eq!(bare_name("a\\.b", o).unwrap(), "a\\.b.example.com");
        assert_eq!(bare_name("a\\046b", o).unwrap(), "a\\.b.example.com");
        assert_eq!(bare_name("\\032x", o).unwrap(), "\\032x.example.com");
        assert_eq!(bare_name("\\(x", o).unwrap(), "\\(x.example.com");
        assert!(bare_name("\\256x", o).is_err());
    }

    #[test]
    fn txt_strings_keep_their_boundaries_and_at_most_255_bytes() {
        let out = canonical(RecordType::Txt, &[q("txtvers=1"), q("path=/x")], "o").unwrap();
        assert_eq!(out, "\"txtvers=1\" \"path=/x\"");
        let one = canonical(RecordType::Txt, &[q("txtvers=1path=/x")], "o").unwrap();
        assert_ne!(out, one, "issue 10: two strings are not one");
        let long = "x".repeat(256);
        assert!(
            canonical(RecordType::Txt, &[q(&long)], "o")
                .unwrap_err()
                .contains("255")
        );
        assert_eq!(
            txt("x".repeat(300).as_bytes()),
            format!("\"{}\" \"{}\"", "x".repeat(255), "x".repeat(45))
        );
    }
}
