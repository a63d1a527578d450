//! What goes on stdout (data: a table, JSON, or bare ids) and on stderr (messages).

use std::fmt::Write as _;
use std::io::Write;
use std::time::SystemTime;

use pinata_ureq::{escape_untrusted, is_unprintable};
use serde::Serialize;
use serde_json::Value;

use crate::exit::{CliError, CliResult};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tables and `key: value` lines for people.
    Human,
    /// One JSON document, or JSON lines for lists.
    Json,
    /// Only each item's handle, one per line ([`Item::id`]).
    Quiet,
}

/// Where a command writes.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// The format.
    pub format: Format,
}

/// One item of a list or a single result: its JSON, its id (for `-q`), and its table cells.
#[derive(Debug, Clone)]
pub struct Item {
    /// The JSON form: a record serialised ([`Item::new`]) — an API object as the library's type
    /// writes it, or a record of the CLI's own. Kept as a `Value`, whose keys serde_json writes
    /// in sorted order, so a record's keys come out in the same order whatever its type.
    pub json: Value,
    /// What `-q` prints: the item's handle, by one rule — a record's id for what the account
    /// keeps as records (files, groups, keys, pin jobs: what their `get`, `update`, `delete`,
    /// `revoke`, `cancel` take), the CID for content (an upload, a computed CID, a legacy pin, a
    /// swap: what `download` and `link` take), a path or URL for what is neither.
    pub id: String,
    /// Cells, in the order of the table's headers.
    pub cells: Vec<String>,
}

impl Item {
    /// An item whose JSON is `record` serialised, with its id and table cells.
    pub fn new(record: &impl Serialize, id: String, cells: Vec<String>) -> CliResult<Item> {
        let json = serde_json::to_value(record)
            .map_err(|e| CliError::local(format!("cannot write the result as JSON: {e}")))?;
        Ok(Item { json, id, cells })
    }
}

fn write_failed(e: std::io::Error) -> CliError {
    CliError::local(format!("cannot write to stdout: {e}"))
}

/// Writes `text` to stdout, where a closed pipe (`| head`) is not an error.
pub fn print_out(text: &str) -> CliResult<()> {
    write_out(text.as_bytes())
}

/// Writes `bytes` to stdout, where a closed pipe (`| head`) is not an error: the reader has what
/// it wanted, and the command succeeded (exit 0, as `cat file | head` does), without a panic.
pub fn write_out(bytes: &[u8]) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(write_failed(e)),
    }
}

impl Out {
    /// A message for people, on stderr (not with `-q`), [`shown`] escaped: messages name
    /// what the server answered (`pinata auth` prints its greeting).
    pub fn message(&self, text: impl AsRef<str>) {
        if self.format != Format::Quiet {
            eprintln!("{}", shown(text.as_ref()));
        }
    }

    /// A warning on stderr, even with `-q`, [`shown`] escaped.
    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("warning: {}", shown(text.as_ref()));
    }

    /// A list: a table with `headers`, JSON lines, or ids.
    pub fn list(&self, headers: &[&str], items: &[Item]) -> CliResult<()> {
        if self.format == Format::Human && items.is_empty() {
            self.message("(none)");
            return Ok(());
        }
        print_out(&self.list_text(headers, items))
    }

    /// What [`Out::list`] writes on stdout.
    fn list_text(&self, headers: &[&str], items: &[Item]) -> String {
        let mut text = String::new();
        match self.format {
            Format::Json => {
                for item in items {
                    text.push_str(&json_shown(item.json.to_string()));
                    text.push('\n');
                }
            }
            Format::Quiet => {
                for item in items {
                    text.push_str(&shown(&item.id));
                    text.push('\n');
                }
            }
            Format::Human => {
                text = table(headers, items.iter().map(|i| i.cells.clone()).collect());
            }
        }
        text
    }

    /// One result: `label: value` lines, a JSON document, or its id.
    pub fn record(&self, item: &Item, labels: &[&str]) -> CliResult<()> {
        print_out(&self.record_text(item, labels))
    }

    /// What [`Out::record`] writes on stdout.
    fn record_text(&self, item: &Item, labels: &[&str]) -> String {
        match self.format {
            Format::Json => format!(
                "{}\n",
                json_shown(serde_json::to_string_pretty(&item.json).unwrap_or_default())
            ),
            Format::Quiet => format!("{}\n", shown(&item.id)),
            Format::Human => {
                let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
                let mut text = String::new();
                for (label, cell) in labels.iter().zip(&item.cells) {
                    if cell.is_empty() {
                        continue;
                    }
                    text.push_str(&format!("{label:<width$}  {}\n", shown(cell)));
                }
                text
            }
        }
    }

    /// A plain line of data on stdout (a URL, a CID), [`shown`] escaped, the same in every
    /// format but JSON, where it is `{"<key>": line}`.
    pub fn value(&self, key: &str, line: &str) -> CliResult<()> {
        print_out(&self.value_text(key, line))
    }

    /// What [`Out::value`] writes on stdout.
    fn value_text(&self, key: &str, line: &str) -> String {
        match self.format {
            Format::Json => format!(
                "{}\n",
                json_shown(serde_json::json!({ key: line }).to_string())
            ),
            _ => format!("{}\n", shown(line)),
        }
    }
}

/// Text from outside this program (a server's names, ids, CIDs, MIME types, key-values; a
/// config file's values) as it may reach a terminal: control characters (ESC, BEL, CR, C1) and
/// invisible formatting characters (bidi overrides such as U+202E, zero-width spaces) escaped by
/// the core's rule ([`escape_untrusted`]: `\u{1b}`, `\r`, `\u{202e}`), everything else as it
/// is. Unlike error text it is not capped: data is shown whole.
pub fn shown(text: &str) -> String {
    escape_untrusted(text).into_owned()
}

/// `json` (serde_json's output) with every character the core escapes written as a JSON `\u`
/// escape, so `--json` on a terminal is as safe as a table and decodes to the same values.
/// serde_json escapes only C0 controls, `"` and `\` in strings; DEL, C1 controls (U+009B is a CSI
/// to some terminals) and invisible formatting characters (U+202E) it writes as they are. Outside
/// strings it writes only printable ASCII and the newlines of pretty output (kept), so every
/// character escaped here is inside a string.
fn json_shown(json: String) -> String {
    if !json.chars().any(|c| c != '\n' && is_unprintable(c)) {
        return json;
    }
    let mut safe = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c == '\n' || !is_unprintable(c) {
            safe.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0u16; 2]) {
                // Writing to a String cannot fail.
                let _ = write!(safe, "\\u{unit:04x}");
            }
        }
    }
    safe
}

/// A table with a header row, columns padded to their widest cell; every cell [`shown`]
/// escaped.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| row.iter().map(|cell| shown(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.into_iter().enumerate() {
            if i == last {
                s.push_str(&cell);
            } else {
                let w = widths.get(i).copied().unwrap_or(0);
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut text = line(headers.iter().map(|h| shown(&h.to_uppercase())).collect());
    for row in rows {
        text.push_str(&line(row));
    }
    text
}

/// A time as the API writes it (ISO 8601, UTC).
pub fn time(t: SystemTime) -> String {
    pinata_ureq::time::format_iso8601(t)
}

/// Bytes for people: `1.5 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Key-values as `k=v, k=v`.
pub fn keyvalues<'a>(kv: impl IntoIterator<Item = (&'a String, String)>) -> String {
    kv.into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An optional string, empty when absent.
pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A file name that writes the clipboard (OSC 52), clears the screen and overwrites its line.
    const EVIL: &str = "\x1b]52;c;aGk=\x07evil\x1b[2J\rname";
    /// [`EVIL`] as the user sees it.
    const EVIL_SHOWN: &str = r"\u{1b}]52;c;aGk=\u{7}evil\u{1b}[2J\rname";

    fn out(format: Format) -> Out {
        Out { format }
    }

    fn evil_item() -> Item {
        Item {
            json: serde_json::json!({"id": EVIL, "name": EVIL}),
            id: format!("id-{EVIL}"),
            cells: vec![
                format!("id-{EVIL}"),
                EVIL.to_owned(),
                "a=\u{202e}b".to_owned(),
            ],
        }
    }

    /// Whether a terminal would act on something in `text`.
    fn has_controls(text: &str) -> bool {
        text.chars()
            .any(|c| c != '\n' && (c.is_control() || c == '\u{202e}' || c == '\u{200b}'))
    }

    #[test]
    fn shown_escapes_as_the_core_escapes_server_text() {
        assert_eq!(shown(EVIL), EVIL_SHOWN);
        assert_eq!(shown("abc\u{202e}fed\u{200b}"), r"abc\u{202e}fed\u{200b}");
        assert_eq!(
            shown("line\nnext\ttab\u{9b}31m\u{7f}"),
            r"line\nnext\ttab\u{9b}31m\u{7f}"
        );
        // Printable text is unchanged, every printable ASCII character included (the shortcut
        // in `shown` relies on it), and so is text outside ASCII.
        let ascii: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(shown(&ascii), ascii);
        for text in ["", "report.pdf", "héllo wörld 日本語 🎉", "image/png"] {
            assert_eq!(shown(text), text);
        }
    }

    #[test]
    fn shown_text_is_whole_however_long() {
        let escapes = "\x1b".repeat(2000);
        assert_eq!(shown(&escapes), r"\u{1b}".repeat(2000));
        let tags = "\u{E0041}".repeat(700);
        assert_eq!(shown(&tags), r"\u{e0041}".repeat(700));
        let long = format!("{}é\r", "x".repeat(1000));
        assert_eq!(shown(&long), format!("{}é\\r", "x".repeat(1000)));
    }

    #[test]
    fn tables_escape_every_cell_and_align_on_what_is_shown() {
        let text = out(Format::Human).list_text(&["id", "name", "kv"], &[evil_item()]);
        assert!(!has_controls(&text), "{text:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[1],
            format!("id-{EVIL_SHOWN}  {EVIL_SHOWN}  a=\\u{{202e}}b")
        );
        // The header's columns start where the row's do: widths are those of the escaped cells.
        let second = format!("id-{EVIL_SHOWN}  ").len();
        assert_eq!(lines[0].find("NAME"), Some(second), "{text}");
    }

    #[test]
    fn label_lines_escape_each_value() {
        let text = out(Format::Human).record_text(&evil_item(), &["id", "name", "kv"]);
        assert!(!has_controls(&text), "{text:?}");
        assert_eq!(
            text,
            format!("id    id-{EVIL_SHOWN}\nname  {EVIL_SHOWN}\nkv    a=\\u{{202e}}b\n")
        );
    }

    #[test]
    fn quiet_ids_and_plain_values_are_escaped() {
        let quiet = out(Format::Quiet);
        let expected = format!("id-{EVIL_SHOWN}\n");
        assert_eq!(
            quiet.list_text(&[], &[evil_item(), evil_item()]),
            expected.repeat(2)
        );
        assert_eq!(quiet.record_text(&evil_item(), &[]), expected);
        assert_eq!(
            out(Format::Human).value_text("url", EVIL),
            format!("{EVIL_SHOWN}\n")
        );
        assert_eq!(quiet.value_text("url", EVIL), format!("{EVIL_SHOWN}\n"));
    }

    #[test]
    fn json_stays_exact_and_escapes_what_serde_json_leaves_raw() {
        let hostile = format!("{EVIL}\u{202e}txt\u{9b}2J\u{7f}\u{E0041}\u{200b}é日本");
        let item = Item {
            json: serde_json::json!({"id": hostile, "name": hostile}),
            id: hostile.clone(),
            cells: vec![],
        };
        let json = out(Format::Json);
        let line = json.list_text(&[], std::slice::from_ref(&item));
        assert!(!has_controls(&line), "{line:?}");
        assert!(
            line.contains(r"\u202etxt\u009b2J\u007f\udb40\udc41\u200b"),
            "{line}"
        );
        assert!(line.contains("é日本"), "{line}");
        assert_eq!(line.lines().count(), 1);
        let decoded: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(decoded["name"], hostile.as_str());
        let doc = json.record_text(&item, &[]);
        assert!(!has_controls(&doc), "{doc:?}");
        assert_eq!(
            serde_json::from_str::<Value>(&doc).unwrap()["id"],
            hostile.as_str()
        );
        assert!(doc.contains("\n  \"id\": "), "pretty printed: {doc}");
        let value = json.value_text("url", &hostile);
        assert!(!has_controls(&value), "{value:?}");
        assert_eq!(
            serde_json::from_str::<Value>(&value).unwrap()["url"],
            hostile.as_str()
        );
        // Long text: every piece checked, nothing lost.
        let long = format!("{}\u{202e}", "日".repeat(100));
        let line = json_shown(serde_json::json!({ "a": long }).to_string());
        assert_eq!(line, format!("{{\"a\":\"{}\\u202e\"}}", "日".repeat(100)));
    }
}
