//! Ctrl-C (SIGINT) during an upload: the process still ends at once, killed by SIGINT as
//! without a handler, but first says what became of the upload — a resumable one is remembered,
//! and the note says the command that continues it, as a network failure's error does.
//!
//! Dying *by the signal* matters to the shell: bash stops a loop or a script
//! (`for f in *; do pinata upload "$f"; done`) only when its child was killed by SIGINT; a child
//! that exited with code 130 is taken to have handled Ctrl-C, and the loop goes on. So once the
//! note is said, SIGINT's default action is restored and the signal raised again (signal-hook's
//! `emulate_default_handler`: setting a signal's action needs `unsafe`, which this workspace
//! forbids). A shell still reports exit status 130 (128 + 2).
//!
//! The signal is received on a thread of its own (a one-thread tokio runtime, whose safe signal
//! API needs no `unsafe` here; in the binary anyway for `pinata emulator` when the `emulator`
//! feature is on), so it is noticed however the upload is blocked: in a write, a read or a wait
//! between retries.

use std::io::IsTerminal;
use std::sync::{Mutex, Once};

use crate::output::shown;

/// What to say when Ctrl-C ends the command now (`None`: only that it was interrupted).
static NOTE: Mutex<Option<String>> = Mutex::new(None);

/// The exit code of a command ended by SIGINT (128 + 2), as a shell reports it: the code this
/// process exits with where it cannot die by the signal itself (not on Unix, or should raising it
/// fail).
pub const INTERRUPTED: i32 = 130;

/// Says `note` if Ctrl-C ends the command from now on (until the next call).
pub fn say_on_interrupt(note: Option<String>) {
    // A poisoned lock only means a thread panicked while holding it; the note is still a note.
    let mut slot = NOTE.lock().unwrap_or_else(|e| e.into_inner());
    *slot = note;
}

/// From now on, Ctrl-C ends the process by SIGINT after saying the note. Once per
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

/// Says that the command was interrupted, and the note, then ends the process by SIGINT.
fn interrupted() -> ! {
    let note = NOTE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let stderr = std::io::stderr();
    // Below the progress bar (and the terminal's `^C`), not over them.
    let newline = if stderr.is_terminal() { "\n" } else { "" };
    match note {
        // The note names a file, whose name may hold escape sequences: escaped as any text from
        // outside (the notes are built escaped; this is the last guard before the terminal).
        Some(note) => eprintln!("{newline}pinata: interrupted; {}", shown(&note)),
        None => eprintln!("{newline}pinata: interrupted"),
    }
    die_by_sigint()
}

/// Ends the process as SIGINT's default action does: SIGINT's handler put back to the default,
/// and the signal raised again. Nothing of an upload is waiting on stdout (its results are
/// written when it ends), so nothing is lost by not flushing.
#[cfg(unix)]
fn die_by_sigint() -> ! {
    // For a terminating signal this does not return: the raised signal ends the process, or,
    // should another handler have been put in meanwhile, signal-hook aborts. An error only says
    // that it does not know the signal, which it does; exiting with 130 then is the old way.
    let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGINT);
    std::process::exit(INTERRUPTED)
}

/// Ends the process with [`INTERRUPTED`], as a console shows a Ctrl-C'd command.
#[cfg(not(unix))]
fn die_by_sigint() -> ! {
    std::process::exit(INTERRUPTED)
}
