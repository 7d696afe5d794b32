//! LOC record data (RFC 1876): read from presentation or wire form into the 16 bytes on the
//! wire, and written back as BIND writes it, so that every spelling BIND reads as one location
//! (`52 22 N`, `52 22 0 N`, `52 22 0.000 N`; `10m` or `10`) is one record here too.
//!
//! Sizes and precisions are stored as a digit and a power of ten (centimetres); a value that
//! does not fit is truncated to the digit, exactly as BIND does (`1500m` is stored as `1000m`).

use std::fmt::Write;

/// The equator and the prime meridian on the wire (2^31 thousandths of an arc second).
const EQUATOR: u32 = 1 << 31;
/// Altitude is stored in centimetres above 100,000 m below the WGS 84 spheroid.
const ALTITUDE_BASE: i64 = 10_000_000;

/// The wire form of a LOC record: version 0, size, horizontal and vertical precision,
/// latitude, longitude, altitude.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Loc {
    size: u8,
    horizontal: u8,
    vertical: u8,
    latitude: u32,
    longitude: u32,
    altitude: u32,
}

impl Loc {
    /// Reads the presentation form:
    /// `d1 [m1 [s1]] {N|S} d2 [m2 [s2]] {E|W} alt[m] [size[m] [hp[m] [vp[m]]]]`.
    pub(super) fn from_text(words: &[&str]) -> Result<Self, String> {
        let mut words = words.iter().copied();
        let latitude = angle(&mut words, 90, ('N', 'S'), "latitude")?;
        let longitude = angle(&mut words, 180, ('E', 'W'), "longitude")?;
        let altitude = words
            .next()
            .ok_or("LOC needs an altitude after the longitude (for example `0m`)")?;
        let altitude = metres(altitude, true, "altitude")?;
        let altitude = u32::try_from(altitude + ALTITUDE_BASE)
            .map_err(|_| "a LOC altitude must be between -100000.00m and 42849672.95m")?;
        let mut precision = |default: u8, what: &str| -> Result<u8, String> {
            match words.next() {
                None => Ok(default),
                Some(word) => Ok(encode_precision(metres(word, false, what)?)),
            }
        };
        let size = precision(0x12, "size")?; // 1m
        let horizontal = precision(0x16, "horizontal precision")?; // 10,000m
        let vertical = precision(0x13, "vertical precision")?; // 10m
        if let Some(extra) = words.next() {
            return Err(format!(
                "`{extra}`: a LOC record ends after its vertical precision"
            ));
        }
        Ok(Self {
            size,
            horizontal,
            vertical,
            latitude,
            longitude,
            altitude,
        })
    }

    /// Reads the wire form. `None` for a version other than 0, which BIND keeps in generic
    /// form (and so does changegate).
    pub(super) fn from_wire(data: &[u8]) -> Result<Option<Self>, String> {
        if data.first().is_some_and(|&version| version != 0) {
            return Ok(None);
        }
        let bytes: &[u8; 16] = data
            .try_into()
            .map_err(|_| format!("LOC data is 16 bytes, this `\\#` gives {}", data.len()))?;
        for &precision in &bytes[1..4] {
            if precision >> 4 > 9 || precision & 0x0f > 9 {
                return Err(format!(
                    "LOC size or precision byte {precision:#04x} is not a digit and a power of ten"
                ));
            }
        }
        let word = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let loc = Self {
            size: bytes[1],
            horizontal: bytes[2],
            vertical: bytes[3],
            latitude: word(4),
            longitude: word(8),
            altitude: word(12),
        };
        let limit = |value: u32, degrees: u32| value.abs_diff(EQUATOR) <= degrees * 3_600_000;
        if !limit(loc.latitude, 90) || !limit(loc.longitude, 180) {
            return Err("LOC latitude or longitude is out of range".into());
        }
        Ok(Some(loc))
    }

    /// The presentation text BIND writes: `52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m`.
    pub(super) fn to_text(&self) -> String {
        let mut out = String::new();
        write_angle(&mut out, self.latitude, ('N', 'S'));
        out.push(' ');
        write_angle(&mut out, self.longitude, ('E', 'W'));
        let centimetres = i64::from(self.altitude) - ALTITUDE_BASE;
        let sign = if centimetres < 0 { "-" } else { "" };
        let centimetres = centimetres.unsigned_abs();
        let _ = write!(
            out,
            " {sign}{}.{:02}m",
            centimetres / 100,
            centimetres % 100
        );
        for precision in [self.size, self.horizontal, self.vertical] {
            out.push(' ');
            write_precision(&mut out, precision);
        }
        out
    }
}

/// Degrees, optional minutes and seconds, then the hemisphere letter; as thousandths of an arc
/// second from 2^31.
fn angle<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    max_degrees: u32,
    (positive, negative): (char, char),
    what: &str,
) -> Result<u32, String> {
    let mut parts = Vec::new();
    let direction = loop {
        let word = words
            .next()
            .ok_or_else(|| format!("LOC {what} ends before its `{positive}` or `{negative}`"))?;
        // Uppercase only, as BIND reads it.
        if word.len() == 1 && word.starts_with([positive, negative]) {
            break word.starts_with(positive);
        }
        if parts.len() == 3 {
            return Err(format!(
                "`{word}`: LOC {what} is degrees, minutes and seconds, then `{positive}` or `{negative}`"
            ));
        }
        parts.push(word);
    };
    let whole = |text: &str, max: u32, unit: &str| -> Result<u32, String> {
        match text.parse::<u32>() {
            Ok(n) if n <= max && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(format!(
                "`{text}` is not valid LOC {what} {unit} (0 to {max})"
            )),
        }
    };
    let degrees = match parts.first() {
        Some(d) => whole(d, max_degrees, "degrees")?,
        None => return Err(format!("LOC {what} needs degrees")),
    };
    let minutes = parts.get(1).map_or(Ok(0), |m| whole(m, 59, "minutes"))?;
    let millis = match parts.get(2) {
        None => 0,
        Some(s) => {
            let (int, frac) = s.split_once('.').unwrap_or((s, ""));
            let digits_ok = !(int.is_empty() && frac.is_empty())
                && int.len() <= 2
                && frac.len() <= 3
                && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
            let seconds = if int.is_empty() {
                Ok(0)
            } else {
                int.parse::<u32>()
            };
            let seconds = seconds.ok().filter(|&n| digits_ok && n <= 59);
            let Some(seconds) = seconds else {
                return Err(format!(
                    "`{s}` is not valid LOC {what} seconds (0 to 59.999)"
                ));
            };
            let frac: u32 = format!("{frac:0<3}").parse().unwrap_or(0);
            seconds * 1000 + frac
        }
    };
    let total = (degrees * 3600 + minutes * 60) * 1000 + millis;
    if total > max_degrees * 3_600_000 {
        return Err(format!("LOC {what} is more than {max_degrees} degrees"));
    }
    Ok(if direction {
        EQUATOR + total
    } else {
        EQUATOR - total
    })
}

/// A length in metres with at most two decimals and an optional `m`, as centimetres. As BIND
/// reads it: an altitude may be signed, `1.` and `.5` are numbers, and a size or precision is
/// at most 90,000,000 whole metres.
fn metres(word: &str, signed: bool, what: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{word}` is not a LOC {what} (metres, at most two decimals, optionally ending in `m`)"
        )
    };
    let number = word.strip_suffix('m').unwrap_or(word);
    let (negative, number) = match number.as_bytes().first() {
        Some(b'-') if signed => (true, &number[1..]),
        Some(b'+') if signed => (false, &number[1..]),
        _ => (false, number),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty())
        || frac.len() > 2
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let int = int.trim_start_matches('0');
    let int: i64 = if int.is_empty() {
        0
    } else if int.len() > 10 {
        return Err(format!("`{word}`: a LOC {what} is out of range"));
    } else {
        int.parse().map_err(|_| bad())?
    };
    if !signed && int > 90_000_000 {
        return Err(format!("`{word}`: a LOC {what} is at most 90000000m"));
    }
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let cm = int * 100 + frac;
    Ok(if negative { -cm } else { cm })
}

/// Centimetres as a digit and a power of ten, truncated as BIND truncates (from one metre up,
/// the centimetres are dropped before the digit is taken).
fn encode_precision(cm: i64) -> u8 {
    let mut exponent = 0u8;
    let mut mantissa = if cm >= 100 { cm / 100 * 100 } else { cm };
    while mantissa >= 10 && exponent < 9 {
        mantissa /= 10;
        exponent += 1;
    }
    (mantissa.min(9) as u8) << 4 | exponent
}

fn write_precision(out: &mut String, byte: u8) {
    let (mantissa, exponent) = (u64::from(byte >> 4), u32::from(byte & 0x0f));
    // As BIND writes it: whole metres from 10^2 cm up, else `0.NNm`.
    if exponent >= 2 {
        let _ = write!(out, "{}m", mantissa * 10u64.pow(exponent - 2));
    } else {
        let _ = write!(out, "0.{:02}m", mantissa * 10u64.pow(exponent));
    }
}

fn write_angle(out: &mut String, value: u32, (positive, negative): (char, char)) {
    let (hemisphere, total) = if value >= EQUATOR {
        (positive, value - EQUATOR)
    } else {
        (negative, EQUATOR - value)
    };
    let (degrees, rest) = (total / 3_600_000, total % 3_600_000);
    let (minutes, millis) = (rest / 60_000, rest % 60_000);
    let _ = write!(
        out,
        "{degrees} {minutes} {}.{:03} {hemisphere}",
        millis / 1000,
        millis % 1000
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Result<String, String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        Loc::from_text(&words).map(|l| l.to_text())
    }

    #[test]
    fn spellings_of_one_location_are_one_text() {
        let full = text("52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m").unwrap();
        assert_eq!(full, "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m");
        assert_eq!(text("52 22 23 N 4 53 32 E -2m").unwrap(), full);
        assert_eq!(text("52 22 23.0 N 4 53 32 E -2.0").unwrap(), full);
        assert_eq!(
            text("52 N 4 E 0").unwrap(),
            "52 0 0.000 N 4 0 0.000 E 0.00m 1m 10000m 10m"
        );
    }

    #[test]
    fn precision_is_truncated_as_bind_truncates() {
        assert_eq!(
            text("0 N 0 E 0 1500m 0.5m 0").unwrap(),
            "0 0 0.000 N 0 0 0.000 E 0.00m 1000m 0.50m 0.00m"
        );
    }

    #[test]
    fn wire_and_text_agree() {
        let words: Vec<&str> = "42 21 54 N 71 06 18 W -24m 30m"
            .split_whitespace()
            .collect();
        let loc = Loc::from_text(&words).unwrap();
        let mut wire = vec![0, loc.size, loc.horizontal, loc.vertical];
        for word in [loc.latitude, loc.longitude, loc.altitude] {
            wire.extend_from_slice(&word.to_be_bytes());
        }
        assert_eq!(
            loc.to_text(),
            "42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m"
        );
        assert_eq!(Loc::from_wire(&wire).unwrap(), Some(loc));
        wire[0] = 1;
        assert_eq!(Loc::from_wire(&wire).unwrap(), None);
    }

    #[test]
    fn out_of_range_is_refused() {
        for bad in [
            "91 N 0 E 0",
            "90 1 N 0 E 0",
            "0 60 N 0 E 0",
            "0 0 60 N 0 E 0",
            "0 0 1.2345 N 0 E 0",
            "0 N 181 E 0",
            "0 N 0 E -100000.01m",
            "0 N 0 E 0 1m 1m 1m 1m",
            "0 N 0 E",
            "0 0 0 0 N 0 E 0",
            "0 X 0 E 0",
            "0 N 0 E 1.234m",
            "0 N 0 E 0M",
            "1 n 0 E 0",
            "0 N 0 E 0 90000001",
            "0 N 0 E 42849672.96",
            "0 N 0 E +-5",
            "0 N 0 E 0 -1",
        ] {
            assert!(text(bad).is_err(), "{bad} was read");
        }
    }
}
