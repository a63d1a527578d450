//! Progress bars on stderr: a byte bar for a file, a files-and-bytes multi-bar for a folder;
//! drawn when stderr is a terminal (`--progress auto`), always, or never.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::style::ProgressTracker;
use indicatif::{
    HumanBytes, HumanDuration, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState,
    ProgressStyle, TermLike,
};

use crate::args::ProgressMode;
use crate::output::shown;

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

const BYTES_TEMPLATE: &str = "{prefix:>10} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {rate} {msg}";

/// The longest label a bar gets, in characters (a longer file name is cut, with `…`).
const MAX_LABEL: usize = 24;

/// The shortest stretch of progress the rate is measured over before it is shown.
const MEASURED: Duration = Duration::from_millis(250);

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(BYTES_TEMPLATE)
        .map(|style| style.with_key("rate", Rate::default()))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// `{rate}`: bytes per second and the time left, measured from the first report that moved the
/// bar — nothing before there is a measurement (a first frame would say `0 B/s ETA 0s`), and a
/// resumed upload's jump to where the server stood is where measuring starts, not speed.
#[derive(Debug, Clone, Default)]
struct Rate {
    /// The position and time of the first report that moved the bar.
    first: Option<(u64, Instant)>,
    /// The latest position and time.
    last: Option<(u64, Instant)>,
}

impl Rate {
    /// The bar stood at `pos` at `now`. indicatif passes its clock's time; a test passes its own.
    fn record(&mut self, pos: u64, now: Instant) {
        match self.first {
            None if pos > 0 => self.first = Some((pos, now)),
            None => {}
            Some(_) => self.last = Some((pos, now)),
        }
    }

    /// What `{rate}` shows for a bar of `len` bytes: `19.07 MiB/s ETA 2s`, the time left only
    /// when the length is known; nothing until [`MEASURED`] has passed with progress.
    fn text(&self, len: Option<u64>) -> Option<String> {
        let (Some((from, start)), Some((to, end))) = (self.first, self.last) else {
            return None;
        };
        let secs = end.saturating_duration_since(start);
        if to <= from || secs < MEASURED {
            return None;
        }
        let per_sec = (to - from) as f64 / secs.as_secs_f64();
        let mut text = format!("{}/s", HumanBytes(per_sec as u64));
        if let Some(len) = len {
            let left = Duration::from_secs_f64(len.saturating_sub(to) as f64 / per_sec);
            // Writing to a String cannot fail.
            let _ = write!(text, " ETA {:#}", HumanDuration(left));
        }
        Some(text)
    }
}

impl ProgressTracker for Rate {
    fn clone_box(&self) -> Box<dyn ProgressTracker> {
        Box::new(self.clone())
    }

    fn tick(&mut self, state: &ProgressState, now: Instant) {
        self.record(state.pos(), now);
    }

    fn reset(&mut self, _: &ProgressState, _: Instant) {
        *self = Self::default();
    }

    fn write(&self, state: &ProgressState, out: &mut dyn std::fmt::Write) {
        if let Some(text) = self.text(state.len()) {
            // Writing to the bar's line buffer cannot fail.
            let _ = out.write_str(&text);
        }
    }
}

/// How a bar names what it moves: the file's (or folder's) name, escaped as any text from
/// outside, and cut to [`MAX_LABEL`] characters.
pub fn label(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let name = shown(&name);
    if name.chars().count() <= MAX_LABEL {
        return name;
    }
    let mut cut: String = name.chars().take(MAX_LABEL - 1).collect();
    cut.push('…');
    cut
}

/// A progress callback moving `bar` to `sent` of `total` bytes.
pub fn follow(bar: ProgressBar) -> impl Fn(u64, u64) + Send + Sync + 'static {
    move |sent, total| {
        bar.set_length(total);
        bar.set_position(sent);
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Mutex;

    use super::*;

    /// A terminal that keeps every line drawn.
    #[derive(Debug, Default, Clone)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            120
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
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if !s.trim().is_empty() {
                self.0.lock().unwrap().push(s.to_owned());
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

    #[test]
    fn a_bar_starts_without_a_rate() {
        let term = Recorder::default();
        let bar = ProgressBar::with_draw_target(
            Some(100_000_000),
            ProgressDrawTarget::term_like_with_hz(Box::new(term.clone()), 200),
        );
        bar.set_style(bytes_style());
        bar.set_prefix("big.iso");
        let watch = follow(bar.clone());
        // A resumed upload: the first report is where the server stood, 50 MB in.
        watch(50_000_000, 100_000_000);
        let lines = term.0.lock().unwrap().clone();
        let first = lines.first().unwrap();
        assert!(first.contains("big.iso ["), "{lines:?}");
        assert!(!first.contains("B/s") && !first.contains("ETA"), "{first}");
    }

    /// The rate from the times it is given (no sleeping: a loaded machine's sleeps overshoot).
    #[test]
    fn the_rate_shows_once_measured_and_a_jump_is_not_speed() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut rate = Rate::default();
        // Nothing moved yet, then a resumed upload's jump to 50 MB: no measurement.
        rate.record(0, start);
        rate.record(50_000_000, at(10));
        assert_eq!(rate.text(Some(100_000_000)), None);
        // Then 1 MB every 50 ms: 20 MB/s, shown once 250 ms are measured.
        for step in 1..=4u64 {
            rate.record(50_000_000 + step * 1_000_000, at(10 + step * 50));
            assert_eq!(rate.text(Some(100_000_000)), None, "after {step} steps");
        }
        for step in 5..=8u64 {
            rate.record(50_000_000 + step * 1_000_000, at(10 + step * 50));
        }
        // 8 MB in 0.4 s, never the jump's 58 MB; 42 MB left at that rate: 2.1 s.
        assert_eq!(
            rate.text(Some(100_000_000)).as_deref(),
            Some("19.07 MiB/s ETA 2s")
        );
        // Without a length, no time left.
        assert_eq!(rate.text(None).as_deref(), Some("19.07 MiB/s"));
        // Standing still: no rate is invented.
        let mut still = Rate::default();
        still.record(5, start);
        still.record(5, at(1000));
        assert_eq!(still.text(Some(10)), None);
    }

    #[test]
    fn labels_are_names_escaped_and_cut() {
        assert_eq!(label(Path::new("/tmp/dir/report.pdf")), "report.pdf");
        assert_eq!(label(Path::new("site/")), "site");
        assert_eq!(label(Path::new("evil\u{1b}[2J.txt")), r"evil\u{1b}[2J.txt");
        let long = label(Path::new("a-very-long-file-name-indeed-it-is.tar.gz"));
        assert_eq!(long.chars().count(), MAX_LABEL);
        assert!(long.ends_with('…'), "{long}");
    }
}
