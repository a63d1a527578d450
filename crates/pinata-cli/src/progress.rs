//! Progress bars on stderr: a byte bar for a file, a files-and-bytes multi-bar for a folder;
//! drawn when stderr is a terminal (`--progress auto`), always, or never.

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::args::ProgressMode;

/// Makes the bars of one command.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    mode: ProgressMode,
}

/// Plain lines on stderr, for `--progress always` when stderr is not a terminal (a CI log).
#[derive(Debug)]
struct PlainStderr;

impl TermLike for PlainStderr {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        if !s.trim().is_empty() {
            eprintln!("{s}");
        }
        Ok(())
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        if !s.trim().is_empty() {
            eprintln!("{s}");
        }
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

const BYTES_TEMPLATE: &str =
    "{prefix:>10} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}";

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(BYTES_TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress {
    /// Bars as `mode` says.
    pub fn new(mode: ProgressMode) -> Self {
        Self { mode }
    }

    /// Whether bars are drawn at all.
    pub fn enabled(&self) -> bool {
        match self.mode {
            ProgressMode::Never => false,
            ProgressMode::Always => true,
            ProgressMode::Auto => std::io::stderr().is_terminal(),
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        match self.mode {
            ProgressMode::Never => ProgressDrawTarget::hidden(),
            ProgressMode::Auto => ProgressDrawTarget::stderr(),
            ProgressMode::Always if std::io::stderr().is_terminal() => ProgressDrawTarget::stderr(),
            ProgressMode::Always => ProgressDrawTarget::term_like_with_hz(Box::new(PlainStderr), 2),
        }
    }

    /// A byte bar of `total` bytes (unknown: a spinner-like bar that grows), labelled `prefix`.
    pub fn bytes(&self, total: Option<u64>, prefix: &str) -> ProgressBar {
        if !self.enabled() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(total, self.target());
        bar.set_style(bytes_style());
        bar.set_prefix(prefix.to_owned());
        bar
    }

    /// A folder's bars: files done and bytes sent, for files of these lengths.
    pub fn folder(&self, lens: &[u64], prefix: &str) -> FolderBars {
        if !self.enabled() {
            return FolderBars::hidden(lens);
        }
        let multi = MultiProgress::with_draw_target(self.target());
        let files = multi.add(ProgressBar::new(lens.len() as u64));
        files.set_style(
            ProgressStyle::with_template("{prefix:>10} {pos}/{len} files {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        files.set_prefix(prefix.to_owned());
        let bytes = multi.add(ProgressBar::new(lens.iter().sum()));
        bytes.set_style(bytes_style());
        bytes.set_prefix("sent");
        FolderBars {
            _multi: Some(multi),
            files,
            bytes,
            ends: ends(lens),
        }
    }
}

fn ends(lens: &[u64]) -> Arc<Vec<u64>> {
    let mut total = 0u64;
    Arc::new(
        lens.iter()
            .map(|l| {
                total = total.saturating_add(*l);
                total
            })
            .collect(),
    )
}

/// The bars of a folder upload.
#[derive(Debug, Clone)]
pub struct FolderBars {
    _multi: Option<MultiProgress>,
    files: ProgressBar,
    bytes: ProgressBar,
    ends: Arc<Vec<u64>>,
}

impl FolderBars {
    fn hidden(lens: &[u64]) -> Self {
        Self {
            _multi: None,
            files: ProgressBar::hidden(),
            bytes: ProgressBar::hidden(),
            ends: ends(lens),
        }
    }

    /// `sent` of `total` body bytes are sent: the bytes bar follows, and the files bar counts the
    /// files whose bytes are all sent (the body's share that is file content, estimated).
    pub fn update(&self, sent: u64, total: u64) {
        let content = self.ends.last().copied().unwrap_or(0);
        self.bytes.set_length(content);
        let done_bytes = if total == 0 {
            0
        } else {
            ((sent as u128 * content as u128) / total as u128) as u64
        };
        self.bytes.set_position(done_bytes);
        let done = self
            .ends
            .iter()
            .take_while(|end| **end <= done_bytes)
            .count();
        self.files.set_position(done as u64);
    }

    /// Removes the bars.
    pub fn finish(&self) {
        self.files.finish_and_clear();
        self.bytes.finish_and_clear();
    }
}
