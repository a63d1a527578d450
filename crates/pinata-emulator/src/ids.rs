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
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        let u = uuid_v4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid_v4().unwrap(), u);
        assert_eq!(uuid_from(b"k"), uuid_from(b"k"));
        assert_ne!(uuid_from(b"k"), uuid_from(b"j"));
        assert_eq!(&uuid_from(b"k")[14..15], "4");
    }
}
