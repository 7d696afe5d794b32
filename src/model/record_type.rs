//! DNS record types, by mnemonic, including `ALIAS` (a provider-side alias at an apex) and
//! unknown types in RFC 3597 form (`TYPE65534`).

use std::fmt;

macro_rules! record_types {
    ($($variant:ident => $text:literal),* $(,)?) => {
        /// A DNS record type.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RecordType {
            $($variant,)*
            /// A type known only by number, written `TYPEnnn` (RFC 3597).
            Unknown(u16),
        }

        impl RecordType {
            const KNOWN: &[(&str, RecordType)] = &[$(($text, RecordType::$variant)),*];

            /// The mnemonic, uppercase.
            pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    $(RecordType::$variant => $text.into(),)*
                    RecordType::Unknown(n) => format!("TYPE{n}").into(),
                }
            }
        }
    };
}

// In alphabetical order of mnemonic, so that the derived `Ord` sorts known types by name.
record_types! {
    A => "A", Aaaa => "AAAA", Alias => "ALIAS", Caa => "CAA", Cname => "CNAME",
    Dname => "DNAME", Dnskey => "DNSKEY", Ds => "DS", Https => "HTTPS", Loc => "LOC",
    Mx => "MX", Naptr => "NAPTR", Ns => "NS", Ptr => "PTR", Soa => "SOA", Spf => "SPF",
    Srv => "SRV", Sshfp => "SSHFP", Svcb => "SVCB", Tlsa => "TLSA", Txt => "TXT",
    Uri => "URI",
}

impl RecordType {
    /// Parses a mnemonic case-insensitively.
    pub fn parse(text: &str) -> Result<Self, String> {
        let upper = text.to_ascii_uppercase();
        if let Some((_, t)) = Self::KNOWN.iter().find(|(name, _)| *name == upper) {
            return Ok(*t);
        }
        if let Some(number) = upper.strip_prefix("TYPE") {
            if let Ok(n) = number.parse::<u16>() {
                return Ok(Self::Unknown(n));
            }
        }
        Err(format!(
            "`{text}` is not a record type; use a mnemonic such as A, AAAA, CNAME, ALIAS, MX, \
             TXT, or TYPEnnn for others"
        ))
    }

    /// Types whose RRset makes a name answer with an address: replacing one of these by a
    /// CNAME (or the reverse) changes the shape of every answer for the name.
    pub fn is_address_like(&self) -> bool {
        matches!(self, Self::A | Self::Aaaa | Self::Alias)
    }

    /// True if replacing this type by `to` on one name is a *type change*: an address type
    /// (A, AAAA, ALIAS) traded for a CNAME, or the reverse.
    pub fn retypes_to(&self, to: RecordType) -> bool {
        (self.is_address_like() && to == Self::Cname)
            || (*self == Self::Cname && to.is_address_like())
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl serde::Serialize for RecordType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_order_by_mnemonic() {
        let mut names: Vec<&str> = RecordType::KNOWN.iter().map(|(n, _)| *n).collect();
        let by_type: Vec<&str> = {
            let mut types: Vec<RecordType> = RecordType::KNOWN.iter().map(|(_, t)| *t).collect();
            types.sort();
            types
                .iter()
                .map(|t| RecordType::KNOWN.iter().find(|(_, k)| k == t).unwrap().0)
                .collect()
        };
        names.sort();
        assert_eq!(names, by_type);
    }

    #[test]
    fn parses_mnemonics_and_rfc3597_numbers() {
        assert_eq!(RecordType::parse("aaaa").unwrap(), RecordType::Aaaa);
        assert_eq!(
            RecordType::parse("TYPE65534").unwrap(),
            RecordType::Unknown(65534)
        );
        assert_eq!(RecordType::Unknown(99).to_string(), "TYPE99");
        assert!(
            RecordType::parse("AAAAA")
                .unwrap_err()
                .contains("not a record type")
        );
        assert!(RecordType::parse("TYPE70000").is_err());
    }
}
