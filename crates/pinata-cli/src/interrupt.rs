//! Ctrl-C (SIGINT) during an upload: the process still ends at once, with exit code 130 as a
//! shell expects, but first says what became of the upload — a resumable one is remembered, and
//! the note says the command that continues it, as a network failure's error does.
//!
//! The signal is received on a thread of its own (a one-thread tokio runtime, already in the
//! binary for `pinata emulator`, whose safe signal API needs no `unsafe` here), so it is noticed
//! however the upload is blocked: in a write, a read or a wait between retries.

use std::io::IsTerminal;
use std::sync::{Mutex, Once};

/// What to say when Ctrl-C ends the command now (`None`: only that it was interrupted).
static NOTE: Mutex<Option<String>> = Mutex::new(None);

/// The exit code of a command ended by SIGINT (128 + 2), as a shell reports it.
pub const INTERRUPTED: i32 = 130;

/// Says `note` if Ctrl-C ends the command from now on (until the next call).
pub fn say_on_interrupt(note: Option<String>) {
    // A poisoned lock only means a thread panicked while holding it; the note is still a note.
    let mut slot = NOTE.lock().unwrap_or_else(|e| e.into_inner());
    *slot = note;
}

/// From now on, Ctrl-C ends the process with [`INTERRUPTED`] after saying the note. Once per
/// process; when the signal cannot be caught (no thread, no runtime), Ctrl-C keeps its default
/// action.
pub fn catch_ctrl_c() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let (ready, registered) = std::sync::mpsc::channel::<()>();
        // The handler is registered on the thread that answers it, so a thread that cannot be
        // made leaves Ctrl-C as it was (tokio never unregisters a handler).
        let spawned = std::thread::Builder::new()
            .name("ctrl-c".into())
            .spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                let signal = {
                    let _entered = runtime.enter();
                    #[cfg(unix)]
                    {
                        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                    }
                    #[cfg(windows)]
                    {
                        tokio::signal::windows::ctrl_c()
                    }
                };
                drop(ready);
                if let Ok(mut signal) = signal
                    && runtime.block_on(signal.recv()).is_some()
                {
                    interrupted();
                }
            });
        if spawned.is_ok() {
            // Until the handler is in place (or failed to be): a Ctrl-C after this returns is
            // caught. The thread drops its end either way, which ends the wait.
            let _ = registered.recv();
        }
    });
}

/// Says that the command was interrupted, and the note, then ends the process.
fn interrupted() -> ! {
    let note = NOTE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let stderr = std::io::stderr();
    // Below the progress bar (and the terminal's `^C`), not over them.
    let newline = if stderr.is_terminal() { "\n" } else { "" };
    match note {
        Some(note) => eprintln!("{newline}pinata: interrupted; {note}"),
        None => eprintln!("{newline}pinata: interrupted"),
    }
    std::process::exit(INTERRUPTED)
}
