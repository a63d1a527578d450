//! The emulator's streaming multipart parser: any body, cut at any points, parses (or fails) without
//! panicking, and the same bytes give the same events however they are cut.
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

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(1));
    let piece = usize::from(head.first().copied().unwrap_or(1)).max(1);
    let whole = run(body, body.len().max(1));
    let cut = run(body, piece);
    if let (Some(a), Some(b)) = (whole, cut) {
        assert_eq!(a, b);
    }
});
