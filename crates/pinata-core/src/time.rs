//! Timestamps as the API writes them: ISO-8601 UTC (`2024-07-11T23:33:27.665Z`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Formats `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (JavaScript's `Date.toISOString()`).
pub fn format_iso8601(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC only; the API's own format).
pub fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &text[19..];
    let (frac, z) = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.trim_end_matches('Z');
            if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|c| c.is_ascii_digit())
            {
                return None;
            }
            let nanos = digits.parse::<u64>().ok()? * 10u64.pow(9 - digits.len() as u32);
            (nanos, &r[digits.len()..])
        }
        None => (0, rest),
    };
    if z != "Z" || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let days = days_from_civil(y as i64, mo as u32, d as u32);
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + mi * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_nanos(frac))
}

/// `t` as ISO-8601 UTC with every digit it holds: milliseconds (`.665Z`, as the API writes them)
/// when that is exact, else nanoseconds, so [`parse_iso8601`] reads back the same instant.
fn format_exact(t: SystemTime) -> String {
    let nanos = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let millis = format_iso8601(t);
    if nanos.is_multiple_of(1_000_000) {
        return millis;
    }
    // `YYYY-MM-DDTHH:MM:SS` then the fraction in microseconds when that is exact (as
    // PostgreSQL-backed APIs write `….485934Z`), else nanoseconds.
    let seconds = &millis[..millis.len() - 5];
    if nanos.is_multiple_of(1_000) {
        format!("{seconds}.{:06}Z", nanos / 1_000)
    } else {
        format!("{seconds}.{nanos:09}Z")
    }
}

/// Serialises a `SystemTime` as the API writes timestamps, read back exactly by [`deserialize`].
pub(crate) fn serialize<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_exact(*t))
}

/// As [`serialize`], for an optional timestamp (`null` when absent).
pub(crate) fn serialize_optional<S: serde::Serializer>(
    t: &Option<SystemTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, s),
        None => s.serialize_none(),
    }
}

/// A timestamp as `Debug` shows it in the API's types: the date (`2024-07-11T23:33:27.665Z`), not
/// seconds since 1970.
pub(crate) struct Dated<'a>(pub(crate) &'a SystemTime);

impl std::fmt::Debug for Dated<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_exact(*self.0))
    }
}

/// As [`Dated`], for an optional timestamp (`Some(2024-07-11T23:33:27.665Z)` or `None`).
pub(crate) struct MaybeDated<'a>(pub(crate) &'a Option<SystemTime>);

impl std::fmt::Debug for MaybeDated<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_ref().map(Dated).fmt(f)
    }
}

/// Deserialises an ISO-8601 timestamp (as [`parse_iso8601`] reads it) into a `SystemTime`.
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse_iso8601(&text).ok_or_else(|| {
        serde::de::Error::custom(format_args!(
            "expected an ISO-8601 UTC timestamp, found {:?}",
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// As [`deserialize`], for a timestamp that may be `null` or absent (with `#[serde(default)]`).
pub(crate) fn deserialize_optional<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<SystemTime>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "deserialize")] SystemTime);
    Ok(<Option<Wrapped> as serde::Deserialize>::deserialize(d)?.map(|Wrapped(t)| t))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of `days` since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let at = |s, ms| UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms);
        for (t, text) in [
            (at(0, 0), "1970-01-01T00:00:00.000Z"),
            (at(1_720_740_807, 665), "2024-07-11T23:33:27.665Z"),
            (at(951_782_400, 0), "2000-02-29T00:00:00.000Z"),
            (at(4_102_444_799, 999), "2099-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(format_iso8601(t), text);
            assert_eq!(parse_iso8601(text), Some(t));
        }
        assert_eq!(
            parse_iso8601("2024-07-11T23:33:27Z"),
            Some(at(1_720_740_807, 0))
        );
        // What is serialised reads back as the same instant, however precise.
        for t in [
            at(1_720_740_807, 665),
            at(1_720_740_807, 0) + Duration::from_nanos(123_456_789),
            at(1_720_740_807, 0) + Duration::from_nanos(1),
        ] {
            assert_eq!(
                parse_iso8601(&format_exact(t)),
                Some(t),
                "{}",
                format_exact(t)
            );
        }
        assert_eq!(
            format_exact(at(0, 0) + Duration::from_nanos(5)),
            "1970-01-01T00:00:00.000000005Z"
        );
        // Microseconds as an API writes them, not padded to nanoseconds.
        assert_eq!(
            format_exact(at(1_720_740_807, 0) + Duration::from_micros(485_934)),
            "2024-07-11T23:33:27.485934Z"
        );
        assert_eq!(
            format!("{:?}", Dated(&at(1_720_740_807, 665))),
            "2024-07-11T23:33:27.665Z"
        );
        for bad in [
            "",
            "2024-07-11",
            "2024-07-11T23:33:27",
            "2024-13-11T23:33:27Z",
            "2024-07-11T23:33:27+02:00",
            "x024-07-11T23:33:27.1Z",
            "2024-07-11T23:33:27.Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }
}
