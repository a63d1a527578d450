//! The emulator's streaming multipart parser: any body, cut at any points, parses (or fails) without
//! panicking, and the same bytes give the same events however they are cut. A second body built
//! from the input (many text fields whose names come from it) yields exactly one part per field,
//! with its name, however it is cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pinata_emulator::multipart::{Event, Parser};

fn run(body: &[u8], piece: usize) -> Option<Vec<Event>> {
    let mut parser = Parser::new("XB");
    let mut events = Vec::new();
    for chunk in body.chunks(piece.max(1)) {
        events.extend(parser.push(chunk).ok()?);
    }
    // Merge data so that chunking does not matter.
    let mut merged: Vec<Event> = Vec::new();
    for e in events {
        match (merged.last_mut(), e) {
            (Some(Event::Data(prev)), Event::Data(more)) => prev.extend(more),
            (_, e) => merged.push(e),
        }
    }
    Some(merged)
}

/// A body of text fields, one per input byte pair (at most 256): a name made of a letter from the
/// first byte, repeated as the second says (up to 248 times), after the field's number.
fn fields_body(data: &[u8]) -> (Vec<u8>, Vec<String>) {
    let mut body = Vec::new();
    let mut names = Vec::new();
    for (i, pair) in data.chunks(2).take(256).enumerate() {
        let c = char::from(b'a' + pair[0] % 26);
        let repeat = usize::from(pair.get(1).copied().unwrap_or(1) % 32) * 8;
        let name = format!("{i}{}", c.to_string().repeat(repeat));
        body.extend_from_slice(
            format!("--XB\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\nv\r\n")
                .as_bytes(),
        );
        names.push(name);
    }
    body.extend_from_slice(b"--XB--\r\n");
    (body, names)
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(1));
    let piece = usize::from(head.first().copied().unwrap_or(1)).max(1);
    let whole = run(body, body.len().max(1));
    let cut = run(body, piece);
    if let (Some(a), Some(b)) = (whole, cut) {
        assert_eq!(a, b);
    }

    let (fields, names) = fields_body(body);
    let events = run(&fields, piece).expect("a well-formed body parses");
    let seen: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::PartStart(h) => Some(h.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(seen, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(events.last(), Some(&Event::Done));
});
