//! Durations as people write them in tickets and policies: `30s`, `15m`, `72h`, `14d`, `2w`,
//! or combinations such as `1h30m`.

use std::fmt;

/// A whole number of seconds, shown in the largest unit that divides it exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: u64,
}

const UNITS: &[(char, u64)] = &[
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];
/// Units for display: days rather than weeks, as windows are usually written (`14d`).
const DISPLAY_UNITS: &[(char, u64)] = &[('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl Duration {
    pub const fn from_secs(seconds: u64) -> Self {
        Self { seconds }
    }

    pub fn as_secs(&self) -> u64 {
        self.seconds
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let hint = || {
            format!(
                "`{text}` is not a duration; write a number and a unit, e.g. `30s`, `15m`, \
                 `72h`, `14d`, `2w` or `1h30m`"
            )
        };
        if text.is_empty() {
            return Err(hint());
        }
        let mut seconds: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(hint());
            }
            let number: u64 = rest[..digits].parse().map_err(|_| hint())?;
            let unit = rest[digits..].chars().next().ok_or_else(hint)?;
            let (_, factor) = UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(hint)?;
            seconds = number
                .checked_mul(*factor)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(|| format!("`{text}` is too long a duration"))?;
            rest = &rest[digits + unit.len_utf8()..];
        }
        Ok(Self { seconds })
    }

    /// As a signed span, for arithmetic with instants.
    pub fn to_signed(self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_secs(i64::try_from(self.as_secs()).unwrap_or(i64::MAX))
    }

    pub fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.seconds)
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides the duration exactly, so `14d` prints as `14d` (the form
    /// PromQL range selectors accept too).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (unit, factor) = DISPLAY_UNITS
            .iter()
            .find(|(_, factor)| self.seconds % factor == 0 && self.seconds >= *factor)
            .unwrap_or(&('s', 1));
        write!(f, "{}{unit}", self.seconds / factor)
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_in_the_largest_exact_unit() {
        assert_eq!(Duration::parse("15m").unwrap().as_secs(), 900);
        assert_eq!(Duration::parse("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(Duration::parse("14d").unwrap().to_string(), "14d");
        assert_eq!(Duration::parse("2w").unwrap().to_string(), "14d");
        assert_eq!(Duration::parse("72h").unwrap().to_string(), "3d");
        assert_eq!(Duration::parse("90m").unwrap().to_string(), "90m");
        assert_eq!(Duration::from_secs(0).to_string(), "0s");
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "",
            "15",
            "m",
            "15x",
            "1.5h",
            "-3d",
            "15 m",
            "99999999999999999999w",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
