//! Any text: the unverified JWT decoder and the credential validator answer without panicking, and
//! never put the token into their errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pinata_core::jwt::decode_unverified(&text);
    if let Err(e) = pinata_core::Credentials::jwt(text.as_ref()) {
        // A `~` never occurs in the library's own messages, so a message holding a long input with
        // one has echoed the input.
        let shown = format!("{e} {e:?}");
        if text.len() >= 16 && text.contains('~') {
            assert!(
                !shown.contains(text.as_ref()),
                "the error echoes the token: {shown}"
            );
        }
    }
});
