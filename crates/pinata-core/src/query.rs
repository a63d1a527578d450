//! Building query strings: `application/x-www-form-urlencoded`, as browsers and the official SDKs send.

use std::fmt::Write as _;

/// An ordered list of query parameters that renders as `?a=1&b=x%20y` (or nothing when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name=value`.
    pub fn push(&mut self, name: impl Into<String>, value: impl ToString) -> &mut Self {
        self.pairs.push((name.into(), value.to_string()));
        self
    }

    /// Appends `name=value` when `value` is `Some`.
    pub fn push_opt<V: ToString>(&mut self, name: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.push(name, v);
        }
        self
    }

    /// `path` followed by the encoded query.
    pub fn append_to(&self, path: &str) -> String {
        let mut out = path.to_owned();
        for (i, (name, value)) in self.pairs.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            encode_into(&mut out, name);
            out.push('=');
            encode_into(&mut out, value);
        }
        out
    }

    /// Parses a query string (without the `?`), for servers and tests. Invalid escapes are kept as
    /// they are; `+` means a space.
    pub fn parse(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (name, value) = part.split_once('=').unwrap_or((part, ""));
                (decode(name), decode(value))
            })
            .collect()
    }
}

/// `text` percent-encoded for use as one path segment (or query value).
pub(crate) fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text);
    out
}

/// Percent-encodes everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`.
fn encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_decodes() {
        let mut q = Query::new();
        q.push("name", "my key & co/é").push("offset", 10);
        q.push_opt::<bool>("revoked", None);
        let s = q.append_to("/users/apiKeys");
        assert_eq!(
            s,
            "/users/apiKeys?name=my%20key%20%26%20co%2F%C3%A9&offset=10"
        );
        let (_, query) = s.split_once('?').unwrap();
        assert_eq!(
            Query::parse(query),
            vec![
                ("name".to_owned(), "my key & co/é".to_owned()),
                ("offset".to_owned(), "10".to_owned())
            ]
        );
        assert_eq!(Query::new().append_to("/p"), "/p");
    }

    #[test]
    fn decoding_is_lenient() {
        assert_eq!(
            Query::parse("a=%&b=%4&c=%zz&d=x+y"),
            vec![
                ("a".to_owned(), "%".to_owned()),
                ("b".to_owned(), "%4".to_owned()),
                ("c".to_owned(), "%zz".to_owned()),
                ("d".to_owned(), "x y".to_owned()),
            ]
        );
    }
}
