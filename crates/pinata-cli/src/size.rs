//! Sizes on the command line (`--max-size 2G`, `10MB`, `1.5GiB`) and back (`2G` in a hint).
//!
//! The rule, one for every size the CLI takes: a number (a fraction allowed, rounded down to a
//! whole byte), then an optional unit, in any case. No unit or `B`: bytes. A bare letter `K`,
//! `M`, `G`, `T`, `P` counts in 1024s, as `ls -h` and curl read it, and so does its `iB` form
//! (`KiB`, `MiB`, `GiB`, `TiB`, `PiB`). The `B` form (`KB`, `MB`, `GB`, `TB`, `PB`) counts in
//! 1000s, as a disk's label does.

/// The one-line rule, for error messages and `--help`.
pub const SIZE_RULE: &str = "a size: bytes, or with a unit: K, M, G, T (or KiB, MiB, GiB, TiB) \
                             count in 1024s, KB, MB, GB, TB in 1000s; e.g. 2G, 500MB, 1.5GiB";

/// The units, lower case, with their sizes.
const UNITS: [(&str, u64); 16] = [
    ("b", 1),
    ("k", 1 << 10),
    ("kib", 1 << 10),
    ("kb", 1_000),
    ("m", 1 << 20),
    ("mib", 1 << 20),
    ("mb", 1_000_000),
    ("g", 1 << 30),
    ("gib", 1 << 30),
    ("gb", 1_000_000_000),
    ("t", 1 << 40),
    ("tib", 1 << 40),
    ("tb", 1_000_000_000_000),
    ("p", 1 << 50),
    ("pib", 1 << 50),
    ("pb", 1_000_000_000_000_000),
];

/// Parses a size by [the rule](self): `2G` is 2147483648 bytes, `2GB` 2000000000.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let not_a_size = || format!("{text:?} is not {SIZE_RULE}");
    let too_large = || format!("{text:?} is more bytes than this program counts (16 EiB)");
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier = match UNITS.iter().find(|(name, _)| *name == unit) {
        Some((_, size)) => *size,
        None if unit.is_empty() => 1,
        None => return Err(not_a_size()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(not_a_size());
    }
    let whole: u64 = match whole {
        "" => 0,
        digits => digits.parse().map_err(|_| too_large())?,
    };
    let bytes = whole.checked_mul(multiplier).ok_or_else(too_large)?;
    // The fraction's share, rounded down to a whole byte: 1.5K is 1536. Digits past the 19th
    // weigh less than a byte of the largest unit.
    let digits = &fraction[..fraction.len().min(19)];
    if digits.is_empty() {
        return Ok(bytes);
    }
    let part: u128 = digits.parse().map_err(|_| not_a_size())?;
    let extra = part * u128::from(multiplier) / 10u128.pow(digits.len() as u32);
    u64::try_from(extra)
        .ok()
        .and_then(|extra| bytes.checked_add(extra))
        .ok_or_else(too_large)
}

/// `n` bytes as a value for a size flag, rounded up to a whole unit that [`parse_size`] reads
/// back as at least `n`: `2G`, `1537M`, `26K`, `100`.
pub fn flag_value(n: u64) -> String {
    for (unit, size) in [
        ("T", 1u64 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{}{unit}", n / size);
        }
    }
    if n >= 1 << 20 {
        format!("{}M", n.div_ceil(1 << 20))
    } else if n >= 1 << 10 {
        format!("{}K", n.div_ceil(1 << 10))
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn sizes_by_the_rule() {
        for (text, bytes) in [
            ("0", 0),
            ("100", 100),
            ("100B", 100),
            ("100 b", 100),
            ("1K", 1024),
            ("1k", 1024),
            ("1KiB", 1024),
            ("1kib", 1024),
            ("1KB", 1000),
            ("1kb", 1000),
            ("10M", 10 << 20),
            ("10MiB", 10 << 20),
            ("10MB", 10_000_000),
            ("2G", 2 << 30),
            ("2 GiB", 2 << 30),
            ("2GB", 2_000_000_000),
            ("1.5G", 1_610_612_736),
            ("1.5GiB", 1_610_612_736),
            ("1.5GB", 1_500_000_000),
            ("0.5K", 512),
            (".5K", 512),
            ("1.0001K", 1024),
            ("1T", 1 << 40),
            ("1TB", 1_000_000_000_000),
            ("1P", 1 << 50),
            (" 3M ", 3 << 20),
            ("18446744073709551615", u64::MAX),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn not_sizes_say_the_rule() {
        for text in [
            "", "G", "2X", "2GBB", "-1", "1.2.3", "2 G B", "1e3", "two", ".",
        ] {
            let e = parse_size(text).unwrap_err();
            assert_eq!(e, format!("{text:?} is not {SIZE_RULE}"));
        }
        for text in [
            "16385P",
            "18446744073709551616",
            "16384P",
            "99999999999999999999999",
        ] {
            let e = parse_size(text).unwrap_err();
            assert!(
                e.contains("more bytes than this program counts"),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn flag_values_read_back_as_at_least_the_size() {
        for (n, text) in [
            (0, "0"),
            (100, "100"),
            (1024, "1K"),
            (26_000, "26K"),
            (1 << 30, "1G"),
            (2 << 30, "2G"),
            (1_610_612_736, "1536M"),
            (1_610_612_737, "1537M"),
            (3 << 40, "3T"),
        ] {
            assert_eq!(flag_value(n), text);
            assert!(parse_size(text).unwrap() >= n);
        }
    }
}
