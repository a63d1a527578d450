//! HTTP dates as `Retry-After` carries them: RFC 9110's IMF-fixdate, read into a
//! [`SystemTime`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's preferred form).
pub(super) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let rest = text.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT"
        || parts.next().is_some()
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || s > 60
        // A year outside 1970..=9999 is no date a server means; bounding it keeps the arithmetic
        // below from overflowing on hostile input.
        || !(1970..=9999).contains(&year)
    {
        return None;
    }
    let days = crate::time::days_from_civil(year, month, day);
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}
