//! What goes on stdout (data: a table, JSON, or bare ids) and on stderr (messages).

use std::io::Write;
use std::time::SystemTime;

use serde_json::Value;

use crate::exit::{CliError, CliResult};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tables and `key: value` lines for people.
    Human,
    /// One JSON document, or JSON lines for lists.
    Json,
    /// Only ids or CIDs, one per line.
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
    /// The JSON form.
    pub json: Value,
    /// What `-q` prints.
    pub id: String,
    /// Cells, in the order of the table's headers.
    pub cells: Vec<String>,
}

fn write_failed(e: std::io::Error) -> CliError {
    CliError::local(format!("cannot write to stdout: {e}"))
}

/// Writes `text` to stdout, where a closed pipe (`| head`) is not an error.
fn print_out(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(write_failed(e)),
    }
}

impl Out {
    /// A message for people, on stderr (not with `-q`).
    pub fn message(&self, text: impl AsRef<str>) {
        if self.format != Format::Quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A warning on stderr, even with `-q`.
    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("warning: {}", text.as_ref());
    }

    /// A list: a table with `headers`, JSON lines, or ids.
    pub fn list(&self, headers: &[&str], items: &[Item]) -> CliResult<()> {
        let mut text = String::new();
        match self.format {
            Format::Json => {
                for item in items {
                    text.push_str(&item.json.to_string());
                    text.push('\n');
                }
            }
            Format::Quiet => {
                for item in items {
                    text.push_str(&item.id);
                    text.push('\n');
                }
            }
            Format::Human => {
                if items.is_empty() {
                    self.message("(none)");
                    return Ok(());
                }
                text = table(headers, items.iter().map(|i| i.cells.clone()).collect());
            }
        }
        print_out(&text)
    }

    /// One result: `label: value` lines, a JSON document, or its id.
    pub fn record(&self, item: &Item, labels: &[&str]) -> CliResult<()> {
        match self.format {
            Format::Json => print_out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&item.json).unwrap_or_default()
            )),
            Format::Quiet => print_out(&format!("{}\n", item.id)),
            Format::Human => {
                let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
                let mut text = String::new();
                for (label, cell) in labels.iter().zip(&item.cells) {
                    if cell.is_empty() {
                        continue;
                    }
                    text.push_str(&format!("{label:<width$}  {cell}\n"));
                }
                print_out(&text)
            }
        }
    }

    /// A plain line of data on stdout (a URL, a CID), the same in every format but JSON, where
    /// it is `{"<key>": line}`.
    pub fn value(&self, key: &str, line: &str) -> CliResult<()> {
        match self.format {
            Format::Json => print_out(&format!("{}\n", serde_json::json!({ key: line }))),
            _ => print_out(&format!("{line}\n")),
        }
    }
}

/// A table with a header row, columns padded to their widest cell.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
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
    let mut text = line(headers.iter().map(|h| h.to_uppercase()).collect());
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
