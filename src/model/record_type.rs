//! DNS record types, by mnemonic, including the provider records `ALIAS` (an alias at an apex)
//! and `URLFWD` (an HTTP redirect), and unknown types in RFC 3597 form (`TYPE65534`).

use std::fmt;

macro_rules! record_types {
    ($($variant:ident => $text:literal = $number:literal),* $(,)?) => {
        /// A DNS record type.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RecordType {
            $($variant,)*
            /// A type known only by number, written `TYPEnnn` (RFC 3597).
            Unknown(u16),
        }

        impl RecordType {
            const KNOWN: &[(&str, RecordType, u16)] = &[$(($text, RecordType::$variant, $number)),*];

            /// The mnemonic, uppercase.
            pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    $(RecordType::$variant => $text.into(),)*
                    RecordType::Unknown(n) => format!("TYPE{n}").into(),
                }
            }

            /// The type's number on the wire. ALIAS and URLFWD are not wire types: they are
            /// providers' records that answer as A, so they are asked and counted as A (1).
            pub fn number(&self) -> u16 {
                match self {
                    $(RecordType::$variant => $number,)*
                    RecordType::Unknown(n) => *n,
                }
            }
        }
    };
}

// In alphabetical order of mnemonic, so that the derived `Ord` sorts known types by name.
// Every type BIND 9.18 reads by name, and the provider records ALIAS and URLFWD.
record_types! {
    A => "A" = 1, A6 => "A6" = 38, Aaaa => "AAAA" = 28, Afsdb => "AFSDB" = 18,
    Alias => "ALIAS" = 1, Amtrelay => "AMTRELAY" = 260, Apl => "APL" = 42,
    Atma => "ATMA" = 34, Avc => "AVC" = 258, Brid => "BRID" = 68, Caa => "CAA" = 257, Cdnskey => "CDNSKEY" = 60,
    Cds => "CDS" = 59, Cert => "CERT" = 37, Cname => "CNAME" = 5, Csync => "CSYNC" = 62,
    Dhcid => "DHCID" = 49, Dlv => "DLV" = 32769, Dname => "DNAME" = 39,
    Dnskey => "DNSKEY" = 48, Doa => "DOA" = 259, Ds => "DS" = 43, Dsync => "DSYNC" = 66, Eid => "EID" = 31,
    Eui48 => "EUI48" = 108, Eui64 => "EUI64" = 109, Gid => "GID" = 102, Gpos => "GPOS" = 27,
    Hhit => "HHIT" = 67, Hinfo => "HINFO" = 13, Hip => "HIP" = 55, Https => "HTTPS" = 65, Ipseckey => "IPSECKEY" = 45,
    Isdn => "ISDN" = 20, Key => "KEY" = 25, Kx => "KX" = 36, L32 => "L32" = 105,
    L64 => "L64" = 106, Loc => "LOC" = 29, Lp => "LP" = 107, Mb => "MB" = 7, Md => "MD" = 3,
    Mf => "MF" = 4, Mg => "MG" = 8, Minfo => "MINFO" = 14, Mr => "MR" = 9, Mx => "MX" = 15,
    Naptr => "NAPTR" = 35, Nid => "NID" = 104, Nimloc => "NIMLOC" = 32, Ninfo => "NINFO" = 56,
    Ns => "NS" = 2, Nsap => "NSAP" = 22, NsapPtr => "NSAP-PTR" = 23, Nsec => "NSEC" = 47,
    Nsec3 => "NSEC3" = 50, Nsec3param => "NSEC3PARAM" = 51, Null => "NULL" = 10,
    Nxt => "NXT" = 30, Openpgpkey => "OPENPGPKEY" = 61, Ptr => "PTR" = 12, Px => "PX" = 26,
    Resinfo => "RESINFO" = 261, Rkey => "RKEY" = 57, Rp => "RP" = 17, Rrsig => "RRSIG" = 46,
    Rt => "RT" = 21, Sig => "SIG" = 24, Sink => "SINK" = 40, Smimea => "SMIMEA" = 53,
    Soa => "SOA" = 6, Spf => "SPF" = 99, Srv => "SRV" = 33, Sshfp => "SSHFP" = 44,
    Svcb => "SVCB" = 64, Ta => "TA" = 32768, Talink => "TALINK" = 58, Tlsa => "TLSA" = 52,
    Txt => "TXT" = 16, Uid => "UID" = 101, Uinfo => "UINFO" = 100, Unspec => "UNSPEC" = 103,
    Uri => "URI" = 256, Urlfwd => "URLFWD" = 1, Wallet => "WALLET" = 262, Wks => "WKS" = 11, X25 => "X25" = 19,
    Zonemd => "ZONEMD" = 63,
}

impl RecordType {
    /// Parses a mnemonic case-insensitively.
    pub fn parse(text: &str) -> Result<Self, String> {
        let upper = text.to_ascii_uppercase();
        if let Some((_, t, _)) = Self::KNOWN.iter().find(|(name, _, _)| *name == upper) {
            return Ok(*t);
        }
        if let Some(number) = upper.strip_prefix("TYPE") {
            if let Ok(n) = number.parse::<u16>() {
                if number.starts_with('+') {
                    return Err(format!("`{text}` is not a record type; write `TYPE{n}`"));
                }
                return Ok(Self::from_number(n));
            }
        }
        Err(format!(
            "`{text}` is not a record type; use a mnemonic such as A, AAAA, CNAME, ALIAS, MX, \
             TXT, or TYPEnnn for others"
        ))
    }

    /// Parses a type that exists on the wire, as RRSIG's type covered and NSEC's bitmap
    /// name them: a provider record is refused there, as BIND refuses it.
    pub fn parse_wire(text: &str) -> Result<Self, String> {
        let rtype = Self::parse(text)?;
        if rtype.is_provider_record() {
            return Err(format!(
                "`{text}` is a provider's record, not a DNS type on the wire"
            ));
        }
        Ok(rtype)
    }

    /// The type with this number: `TYPE1` is A, whichever way it is written, so that a
    /// generic spelling is the same RRset (and is measured, cascaded and signed as such).
    pub fn from_number(n: u16) -> Self {
        Self::KNOWN
            .iter()
            .find(|(_, t, number)| *number == n && !t.is_provider_record())
            .map_or(Self::Unknown(n), |(_, t, _)| *t)
    }

    /// A meta type (RFC 6895: 0, OPT, and 128 to 255, the question-only types such as ANY):
    /// never record data, and refused in a zone as BIND refuses it.
    pub fn is_meta(&self) -> bool {
        let n = self.number();
        !self.is_provider_record() && (n == 0 || n == 41 || (128..=255).contains(&n))
    }

    /// A record a DNS provider serves in its own way, with no type of its own on the wire:
    /// ALIAS (answers as the A records of its target) and URLFWD (answers as the A records of
    /// the provider's redirect servers).
    pub fn is_provider_record(&self) -> bool {
        matches!(self, Self::Alias | Self::Urlfwd)
    }

    /// The type resolvers ask for to reach this RRset: a provider record answers A questions,
    /// so it is looked up, watched and counted as A.
    pub fn asked_as(&self) -> Self {
        if self.is_provider_record() {
            Self::A
        } else {
            *self
        }
    }

    /// Types whose RRset makes a name answer with an address: replacing one of these by a
    /// CNAME (or the reverse) changes the shape of every answer for the name.
    pub fn is_address_like(&self) -> bool {
        matches!(self, Self::A | Self::Aaaa | Self::Alias | Self::Urlfwd)
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
        let mut names: Vec<&str> = RecordType::KNOWN.iter().map(|(n, _, _)| *n).collect();
        let by_type: Vec<&str> = {
            let mut types: Vec<RecordType> = RecordType::KNOWN.iter().map(|(_, t, _)| *t).collect();
            types.sort();
            types
                .iter()
                .map(|t| RecordType::KNOWN.iter().find(|(_, k, _)| k == t).unwrap().0)
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
        // Issue 9: a generic spelling of a known type is that type.
        assert_eq!(RecordType::parse("TYPE1").unwrap(), RecordType::A);
        assert_eq!(RecordType::parse("type5").unwrap(), RecordType::Cname);
        assert_eq!(RecordType::parse("TYPE64").unwrap(), RecordType::Svcb);
        assert_eq!(RecordType::parse("TYPE13").unwrap(), RecordType::Hinfo);
        assert_eq!(RecordType::A.number(), 1);
        assert_eq!(RecordType::Alias.number(), 1);
        for (name, t, n) in RecordType::KNOWN {
            assert_eq!(RecordType::parse(name).unwrap(), *t);
            if t.is_provider_record() {
                assert_eq!(RecordType::from_number(*n), RecordType::A, "{name}");
                assert!(RecordType::parse_wire(name).is_err(), "{name}");
            } else {
                assert_eq!(RecordType::from_number(*n), *t, "{name}");
            }
        }
        assert!(
            RecordType::parse("AAAAA")
                .unwrap_err()
                .contains("not a record type")
        );
        assert!(RecordType::parse("TYPE70000").is_err());
    }
}
