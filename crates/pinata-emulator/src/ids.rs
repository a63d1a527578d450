//! Random identifiers in the formats Pinata uses: 20-hex API keys, 64-hex secrets, UUIDs.

use std::io;

/// `n` random bytes from the operating system.
pub(crate) fn random_bytes(n: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).map_err(io::Error::other)?;
    Ok(buf)
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// The bytes of lower- or upper-case hex `text` (`None` for an odd length or another character).
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let b = text.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// `hex_len` random hex digits (`hex_len` even).
pub(crate) fn random_hex(hex_len: usize) -> io::Result<String> {
    Ok(hex(&random_bytes(hex_len / 2)?))
}

/// A random version-4 UUID.
pub(crate) fn uuid_v4() -> io::Result<String> {
    let mut b = random_bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    Ok(format_uuid(&mut b))
}

/// A version-7 UUID whose first 60 bits after the version are `stamp` (48 bits of Unix
/// milliseconds, then a 12-bit counter), the rest random: ids made with increasing stamps sort,
/// as strings, in the order they were made.
pub(crate) fn uuid_v7(stamp: u64) -> io::Result<String> {
    let mut b = random_bytes(16)?;
    let ms = stamp >> 12;
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    // Invariant: `stamp & 0xfff` fits the 12 bits after the version nibble.
    let counter = (stamp & 0xfff) as u16;
    b[6] = 0x70 | (counter >> 8) as u8;
    b[7] = (counter & 0xff) as u8;
    Ok(format_uuid(&mut b))
}

/// The stamp (milliseconds << 12 | counter) a [`uuid_v7`] was made from; `None` for another text.
pub(crate) fn uuid_v7_stamp(id: &str) -> Option<u64> {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || hex.as_bytes()[12] != b'7' {
        return None;
    }
    let ms = u64::from_str_radix(hex.get(..12)?, 16).ok()?;
    let counter = u64::from_str_radix(hex.get(13..16)?, 16).ok()?;
    Some(ms << 12 | counter)
}

/// A UUID derived from `seed` (the first 16 bytes of its SHA-256, shaped as version 4).
pub(crate) fn uuid_from(seed: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(seed);
    let mut b = digest[..16].to_vec();
    b[6] = (b[6] & 0x0f) | 0x40;
    format_uuid(&mut b)
}

fn format_uuid(b: &mut [u8]) -> String {
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let key = random_hex(20).unwrap();
        assert_eq!(key.len(), 20);
        assert_eq!(unhex(&key).map(|b| hex(&b)), Some(key.clone()));
        assert_eq!(unhex("00fF1a"), Some(vec![0, 255, 26]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        let u = uuid_v4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid_v4().unwrap(), u);
        assert_eq!(uuid_from(b"k"), uuid_from(b"k"));
        assert_ne!(uuid_from(b"k"), uuid_from(b"j"));
        assert_eq!(&uuid_from(b"k")[14..15], "4");
        let (a, b) = (uuid_v7(5 << 12 | 0xfff).unwrap(), uuid_v7(6 << 12).unwrap());
        assert_eq!(uuid_v7_stamp(&a), Some(5 << 12 | 0xfff));
        assert_eq!(uuid_v7_stamp(&b), Some(6 << 12));
        assert_eq!(uuid_v7_stamp(&uuid_v4().unwrap()), None);
        assert!(a < b, "{a} sorts before {b}");
        assert!(a.starts_with("00000000-0005-7fff-"), "{a}");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
