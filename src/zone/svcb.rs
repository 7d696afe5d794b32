//! SVCB and HTTPS service parameters (RFC 9460), read from presentation form or from wire
//! data, and written in one canonical text: keys in ascending key number, values in their
//! own canonical form, case kept where it is data (`ech`, `dohpath`, opaque `keyNNNNN`).
//!
//! Both spellings of a record go through the wire form, so that equal records on the wire
//! are equal as text, and every difference on the wire is a difference in the text.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::rdata::{Field, base64, base64_decode, quote, unescape};

/// The keys with names, by number.
const KEYS: &[(u16, &str)] = &[
    (0, "mandatory"),
    (1, "alpn"),
    (2, "no-default-alpn"),
    (3, "port"),
    (4, "ipv4hint"),
    (5, "ech"),
    (6, "ipv6hint"),
    (7, "dohpath"),
];

fn key_number(name: &str) -> Result<u16, String> {
    let lower = name.to_ascii_lowercase();
    if let Some((n, _)) = KEYS.iter().find(|(_, k)| *k == lower) {
        return Ok(*n);
    }
    match lower.strip_prefix("key").map(str::parse::<u16>) {
        Some(Ok(65535)) => Err("`key65535` is reserved (RFC 9460)".into()),
        // BIND 9.18 refuses `key0` to `key6` but reads (and writes) `key7` for `dohpath`.
        Some(Ok(n)) if n <= 6 => Err(format!(
            "write `key{n}` by its name, `{}`",
            KEYS.iter()
                .find(|(k, _)| *k == n)
                .map_or("", |(_, name)| name)
        )),
        Some(Ok(n)) => Ok(n),
        _ => Err(format!(
            "`{name}` is not a service parameter key; the keys are {}, or `keyNNNNN`",
            KEYS.iter()
                .map(|(_, k)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn key_name(n: u16) -> String {
    KEYS.iter()
        .find(|(k, _)| *k == n)
        .map_or_else(|| format!("key{n}"), |(_, name)| name.to_string())
}

/// Parameters written in presentation form (the fields after priority and target), as
/// `(key, wire value)` sorted by key.
pub fn from_presentation(fields: &[Field<'_>]) -> Result<Vec<(u16, Vec<u8>)>, String> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while i < fields.len() {
        let field = fields[i];
        i += 1;
        if field.quoted {
            return Err(format!(
                "`\"{}\"` is a value without a key; write `key=value`",
                field.text
            ));
        }
        let (key, value) = match field.text.split_once('=') {
            // `alpn="h2,h3"`: the value is the quoted string right after the `=`.
            Some((key, "")) => match fields.get(i) {
                Some(next) if next.quoted => {
                    i += 1;
                    (key, Some(next.text))
                }
                _ => return Err(format!("`{key}=` has no value")),
            },
            // Written in one word, as octoDNS's text values are: `alpn="h2,h3"`.
            Some((key, value)) => {
                let inner = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
                (key, Some(inner.unwrap_or(value)))
            }
            None => (field.text, None),
        };
        let number = key_number(key)?;
        if params.iter().any(|(k, _)| *k == number) {
            return Err(format!("the key `{}` is given twice", key_name(number)));
        }
        params.push((number, value_to_wire(number, value)?));
    }
    params.sort_by_key(|(k, _)| *k);
    check(&params)?;
    Ok(params)
}

/// One value to its wire form.
fn value_to_wire(key: u16, value: Option<&str>) -> Result<Vec<u8>, String> {
    let name = key_name(key);
    let needs = |v: Option<&'_ str>| match v {
        Some(v) => Ok(v.to_string()),
        None => Err(format!("`{name}` needs a value")),
    };
    let mut bytes = Vec::new();
    match key {
        2 => {
            if value.is_some_and(|v| !v.is_empty()) {
                return Err(format!("`{name}` takes no value"));
            }
        }
        0 => {
            let mut keys = Vec::new();
            let list = needs(value)?;
            for item in list.split(',') {
                let k = key_number(item)?;
                if k == 0 {
                    return Err("`mandatory` cannot list itself".into());
                }
                if keys.contains(&k) {
                    return Err(format!("`mandatory` lists `{item}` twice"));
                }
                keys.push(k);
            }
            keys.sort_unstable();
            for k in keys {
                bytes.extend_from_slice(&k.to_be_bytes());
            }
        }
        1 => {
            // Two passes, as RFC 9460 (appendix A) reads a value list: the value is first a
            // character-string (`\DDD` and `\X` decoded), then split at commas, where `\,`
            // is a comma inside an item and `\\` a backslash. So `a\,b` is two ids and
            // `a\\,b` one.
            let mut decoded = Vec::new();
            unescape(&needs(value)?, &mut decoded)?;
            let mut items = vec![Vec::new()];
            let mut at = decoded.iter();
            while let Some(&b) = at.next() {
                match b {
                    b'\\' => match at.next() {
                        Some(&next) => items.last_mut().map_or((), |i| i.push(next)),
                        None => return Err("an `alpn` value ends with a lone backslash".into()),
                    },
                    b',' => items.push(Vec::new()),
                    b => items.last_mut().map_or((), |i| i.push(b)),
                }
            }
            for item in items {
                if item.is_empty() || item.len() > 255 {
                    return Err("an `alpn` protocol id is 1 to 255 bytes".into());
                }
                bytes.push(item.len() as u8);
                bytes.extend(item);
            }
        }
        3 => {
            let port: u16 = needs(value)?
                .as_str()
                .parse()
                .map_err(|_| format!("`{}` is not a port", value.unwrap_or_default()))?;
            bytes.extend_from_slice(&port.to_be_bytes());
        }
        4 => {
            let list = needs(value)?;
            for item in list.split(',') {
                let ip: Ipv4Addr = item
                    .parse()
                    .map_err(|_| format!("`{item}` is not an IPv4 address"))?;
                bytes.extend_from_slice(&ip.octets());
            }
        }
        6 => {
            let list = needs(value)?;
            for item in list.split(',') {
                let ip: Ipv6Addr = item
                    .parse()
                    .map_err(|_| format!("`{item}` is not an IPv6 address"))?;
                bytes.extend_from_slice(&ip.octets());
            }
        }
        5 => {
            // An empty `ech` is read by BIND 9.18 (and written as a bare `ech`).
            bytes = base64_decode(value.unwrap_or_default())
                .ok_or_else(|| format!("the `{name}` value is not base64"))?;
        }
        _ => {
            if let Some(v) = value {
                unescape(v, &mut bytes)?;
            }
        }
    }
    Ok(bytes)
}

/// Parameters in wire form (what follows the target in SVCB data).
pub fn from_wire(mut data: &[u8]) -> Result<Vec<(u16, Vec<u8>)>, String> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    while !data.is_empty() {
        let [k0, k1, l0, l1, rest @ ..] = data else {
            return Err("service parameters end in the middle of a key".into());
        };
        let key = u16::from_be_bytes([*k0, *k1]);
        let len = u16::from_be_bytes([*l0, *l1]) as usize;
        let value = rest
            .get(..len)
            .ok_or("a service parameter's value is longer than the data")?;
        if params.last().is_some_and(|(last, _)| *last >= key) {
            return Err("service parameters are not in ascending key order".into());
        }
        params.push((key, value.to_vec()));
        data = &rest[len..];
    }
    check(&params)?;
    Ok(params)
}

/// Rules every parameter list keeps, however it was written.
fn check(params: &[(u16, Vec<u8>)]) -> Result<(), String> {
    for (key, value) in params {
        let ok = match key {
            0 => !value.is_empty() && value.len() % 2 == 0,
            2 => value.is_empty(),
            3 => value.len() == 2,
            4 => !value.is_empty() && value.len() % 4 == 0,
            1 => alpn_ids_fit(value),
            6 => !value.is_empty() && value.len() % 16 == 0,
            _ => true,
        };
        if !ok {
            return Err(format!(
                "the `{}` value has the wrong length",
                key_name(*key)
            ));
        }
    }
    if let Some((_, listed)) = params.iter().find(|(k, _)| *k == 0) {
        let keys: Vec<u16> = listed
            .chunks(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        if keys.contains(&0) || keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("`mandatory` must list other keys, each once, in ascending order".into());
        }
        for pair in listed.chunks(2) {
            let k = u16::from_be_bytes([pair[0], pair[1]]);
            if !params.iter().any(|(p, _)| *p == k) {
                return Err(format!(
                    "`mandatory` lists `{}`, which the record does not have",
                    key_name(k)
                ));
            }
        }
    }
    Ok(())
}

/// `alpn` wire data: length-prefixed ids, each 1 byte or more, filling the value exactly.
fn alpn_ids_fit(mut value: &[u8]) -> bool {
    if value.is_empty() {
        return false;
    }
    while let Some((&len, tail)) = value.split_first() {
        if len == 0 || tail.len() < len as usize {
            return false;
        }
        value = &tail[len as usize..];
    }
    true
}

/// The canonical text of a parameter list.
pub fn to_text(params: &[(u16, Vec<u8>)]) -> String {
    let mut out = String::new();
    for (key, value) in params {
        out.push(' ');
        out.push_str(&key_name(*key));
        match key {
            2 => {}
            0 => {
                let names: Vec<String> = value
                    .chunks(2)
                    .map(|p| key_name(u16::from_be_bytes([p[0], p[1]])))
                    .collect();
                let _ = write!(out, "={}", names.join(","));
            }
            1 => {
                // The reverse of reading: each id with `\\` and `,` escaped, joined by commas,
                // then written as one character-string.
                let mut list = Vec::new();
                let mut rest = value.as_slice();
                while let Some((&len, tail)) = rest.split_first() {
                    let id = &tail[..(len as usize).min(tail.len())];
                    rest = &tail[id.len()..];
                    if !list.is_empty() {
                        list.push(b',');
                    }
                    for &b in id {
                        if b == b'\\' || b == b',' {
                            list.push(b'\\');
                        }
                        list.push(b);
                    }
                }
                let _ = write!(out, "={}", quote(&list));
            }
            3 => {
                let _ = write!(out, "={}", u16::from_be_bytes([value[0], value[1]]));
            }
            4 => {
                let ips: Vec<String> = value
                    .chunks(4)
                    .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
                    .collect();
                let _ = write!(out, "={}", ips.join(","));
            }
            6 => {
                let ips: Vec<String> = value
                    .chunks(16)
                    .map(|b| {
                        let octets: [u8; 16] = b.try_into().unwrap_or_default();
                        Ipv6Addr::from(octets).to_string()
                    })
                    .collect();
                let _ = write!(out, "={}", ips.join(","));
            }
            5 if value.is_empty() => {}
            5 => {
                let _ = write!(out, "={}", base64(value));
            }
            _ if value.is_empty() => {}
            _ => {
                let _ = write!(out, "={}", quote(value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Field<'_>> {
        // Split like the lexer: `k="v"` is `k=` then the quoted `v`.
        let mut out = Vec::new();
        for word in text.split(' ') {
            match word.split_once("=\"") {
                Some((key, value)) => {
                    out.push(Field {
                        text: &word[..key.len() + 1],
                        quoted: false,
                    });
                    out.push(Field {
                        text: value.strip_suffix('"').unwrap_or(value),
                        quoted: true,
                    });
                }
                None => out.push(Field {
                    text: word,
                    quoted: false,
                }),
            }
        }
        out
    }

    fn text(params: &str) -> Result<String, String> {
        from_presentation(&fields(params)).map(|p| to_text(&p))
    }

    /// Issue 10: values kept their case only by accident of sorting; order and case are data.
    #[test]
    fn values_keep_their_case_and_keys_their_order_by_number() {
        assert_eq!(
            text("port=443 ALPN=h2,h3 ech=AEj+CgBE").unwrap(),
            " alpn=\"h2,h3\" port=443 ech=AEj+CgBE"
        );
        assert_ne!(text("ech=AEj+CgBE").unwrap(), text("ech=aej+cgbe").unwrap());
        assert_ne!(
            text("key65000=\"a\" key65001=\"b\"").unwrap(),
            text("key65000=\"b\" key65001=\"a\"").unwrap()
        );
        assert_eq!(text("alpn=\"h2,h3\"").unwrap(), text("alpn=h2,h3").unwrap());
        // Review: `a\,b` is two ids, `a\\,b` one (RFC 9460, appendix A).
        assert_eq!(text("alpn=a\\,b").unwrap(), " alpn=\"a,b\"");
        assert_eq!(text("alpn=a\\\\,b").unwrap(), " alpn=\"a\\\\,b\"");
        assert_ne!(text("alpn=a\\,b").unwrap(), text("alpn=a\\\\,b").unwrap());
        let one_word = [Field {
            text: "alpn=\"h2,h3\"",
            quoted: false,
        }];
        assert_eq!(
            to_text(&from_presentation(&one_word).unwrap()),
            text("alpn=h2,h3").unwrap()
        );
        assert_eq!(
            text("ipv6hint=2001:DB8::1 mandatory=ipv6hint").unwrap(),
            " mandatory=ipv6hint ipv6hint=2001:db8::1"
        );
    }

    #[test]
    fn invalid_parameters_are_refused() {
        for (params, words) in [
            ("port=1 port=2", "twice"),
            ("bogus=1", "not a service parameter key"),
            ("port=x", "not a port"),
            ("mandatory=port", "does not have"),
            ("no-default-alpn=x", "no value"),
            ("key1=h2", "by its name"),
            ("ipv4hint=::1", "IPv4"),
            ("ech=!!", "base64"),
        ] {
            let e = text(params).unwrap_err();
            assert!(e.contains(words), "{params}: {e}");
        }
    }

    #[test]
    fn wire_and_presentation_agree() {
        let p = from_presentation(&fields("alpn=h2 port=8443 ipv4hint=192.0.2.1")).unwrap();
        let mut wire = Vec::new();
        for (k, v) in &p {
            wire.extend_from_slice(&k.to_be_bytes());
            wire.extend_from_slice(&(v.len() as u16).to_be_bytes());
            wire.extend_from_slice(v);
        }
        assert_eq!(to_text(&from_wire(&wire).unwrap()), to_text(&p));
        assert!(from_wire(&[0, 3, 0, 2, 1]).is_err());
    }
}
