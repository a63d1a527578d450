//! Query strings: the core's parser and the emulator's pinList and v3 file-list query parsers
//! (filters, dates, key-value JSON, regular expressions), its TUS `Upload-Metadata` and
//! request-journal parsers and its download-link URL reader answer
//! without panicking; and JSON pin normalisation never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pinata_core::server::Query::parse(&text);
    let _ = pinata_emulator::fuzzing::pin_list_query(&text);
    let _ = pinata_emulator::fuzzing::file_list_query(&text);
    let _ = pinata_emulator::fuzzing::download_link_target(&text);
    let _ = pinata_emulator::fuzzing::tus_metadata(&text);
    let _ = pinata_emulator::fuzzing::journal_query(&text);
    let _ = pinata_emulator::fuzzing::normalise_json(&text);
    let _ = pinata_core::time::parse_iso8601(&text);
});
