//! Server text as errors show it: control and other invisible characters escaped, length capped.
//!
//! An error body, a `Location`, a CID in an answer: whatever a server sends can end up in a log
//! line or on a terminal when an error is printed. Printed raw, an ESC starts a terminal escape
//! sequence, CR or LF forge log lines, BEL rings, and a bidi override (U+202E) reorders what the
//! reader sees. [`Shown`] prints such text with every character of that kind as an escape (`\n`,
//! `\r`, `\t`, `\u{1b}`) and stops after [`MAX_SHOWN`] characters with a note of how many more
//! there were. The data itself stays as it came (redacted of the client's secrets, see
//! `redact.rs`); only what `Display` writes is escaped.

use std::fmt::{self, Write};

/// The most characters of one piece of server text that an error's `Display` writes (escapes
/// counted as the characters they print).
pub(crate) const MAX_SHOWN: usize = 500;

/// Server text, displayed escaped and capped.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = 0usize;
        for (at, c) in self.0.char_indices() {
            let escaped = escape(c);
            let width = escaped.as_ref().map_or(1, |e| e.chars().count());
            if shown + width > MAX_SHOWN {
                let rest = self.0[at..].chars().count();
                return write!(f, "… ({rest} more characters not shown)");
            }
            shown += width;
            match escaped {
                Some(e) => f.write_str(&e)?,
                None => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// `text` as a terminal or a log may safely show it when it came from a server (or anyone else):
/// every character [`is_unprintable`] says could act on the terminal or hide itself is escaped
/// (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`), everything else is as it was. Not capped, unlike the
/// text an error shows: data is shown whole. Borrowed when nothing needed escaping.
///
/// ```
/// assert_eq!(pinata_core::escape_untrusted("a\u{1b}]52;c;aGk=\u{7}b"), "a\\u{1b}]52;c;aGk=\\u{7}b");
/// assert_eq!(pinata_core::escape_untrusted("photo.png"), "photo.png");
/// ```
pub fn escape_untrusted(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match escape(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How `c` is shown, when it must not be written as it is.
fn escape(c: char) -> Option<String> {
    if !is_unprintable(c) {
        return None;
    }
    Some(match c {
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        other => format!("\\u{{{:x}}}", u32::from(other)),
    })
}

/// Control characters (C0, DEL, C1), and the characters that print nothing yet change what is
/// shown: Unicode's format characters (bidi embeddings, overrides, isolates and marks; zero-width
/// spaces and joiners; the BOM; tags; interlinear annotation), the line and paragraph separators,
/// and the invisible fillers used to spoof text: what [`escape_untrusted`] escapes.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{08E2}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        Shown(text).to_string()
    }

    #[test]
    fn printable_text_is_unchanged() {
        for text in [
            "",
            "Invalid JSON provided",
            r#"{"a":"b\n"} <html> 'quotes' \ backslash"#,
            "héllo wörld 日本語 emoji 🎉",
        ] {
            assert_eq!(shown(text), text);
        }
    }

    #[test]
    fn controls_and_invisible_characters_are_escaped() {
        assert_eq!(
            shown("a\x1b[31mred\r\nX-Forged: 1\x07\t\0\x7f\u{85}"),
            "a\\u{1b}[31mred\\r\\nX-Forged: 1\\u{7}\\t\\u{0}\\u{7f}\\u{85}"
        );
        assert_eq!(
            shown("abc\u{202E}fed\u{2066}\u{200B}\u{FEFF}\u{2028}"),
            "abc\\u{202e}fed\\u{2066}\\u{200b}\\u{feff}\\u{2028}"
        );
        assert_eq!(shown("\u{E0041}"), "\\u{e0041}");
        for c in (0u32..=0x10FFFF).filter_map(char::from_u32) {
            let s = shown(&c.to_string());
            assert!(!s.chars().any(is_unprintable), "{:x}", u32::from(c));
        }
    }

    #[test]
    fn long_text_is_capped_with_a_note() {
        let long = "x".repeat(MAX_SHOWN + 20);
        assert_eq!(
            shown(&long),
            format!("{}… (20 more characters not shown)", "x".repeat(MAX_SHOWN))
        );
        assert_eq!(shown(&"y".repeat(MAX_SHOWN)), "y".repeat(MAX_SHOWN));
        // Escapes count as what they print, and one is never cut in half.
        let escapes = "\x1b".repeat(200);
        let s = shown(&escapes);
        assert!(s.starts_with(&"\\u{1b}".repeat(83)), "{s}");
        assert!(s.ends_with("… (117 more characters not shown)"), "{s}");
        assert!(s.chars().count() <= MAX_SHOWN + 40);
    }
}
