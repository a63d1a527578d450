//! A streaming `multipart/form-data` parser: bytes are pushed in as they arrive and come out as
//! events, with only a boundary's length of look-ahead buffered. Pure (no I/O), so it can be
//! fuzzed and tested on its own.

/// What the parser found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A part begins.
    PartStart(PartHeaders),
    /// Bytes of the current part's body.
    Data(Vec<u8>),
    /// The current part ended.
    PartEnd,
    /// The closing boundary was read; anything after it is ignored.
    Done,
}

/// The headers of a part that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartHeaders {
    /// The `name` of its `Content-Disposition`.
    pub name: String,
    /// The `filename`, for file parts (with browser escapes `%22`, `%0D`, `%0A` undone).
    pub filename: Option<String>,
    /// Its `Content-Type`, if given.
    pub content_type: Option<String>,
}

/// Why a body is not well-formed multipart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultipartError {
    /// The body does not start with the boundary, or a delimiter is not followed by CRLF or `--`.
    Malformed(&'static str),
    /// A part's headers are longer than 16 KiB.
    HeadersTooLong,
    /// The body ended before the closing boundary.
    Truncated,
}

const MAX_HEADERS: usize = 16 * 1024;
/// Most transport padding (spaces, tabs) accepted after a boundary.
const MAX_PADDING: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first boundary (a preamble is allowed).
    Preamble,
    /// Just after a boundary: CRLF (a part follows) or `--` (the end).
    AfterBoundary,
    /// Reading a part's headers, up to CRLF CRLF.
    Headers,
    /// Reading a part's body, up to CRLF `--boundary`.
    Body,
    /// After the closing boundary.
    Finished,
}

/// The parser. Feed it with [`Parser::push`], then call [`Parser::finish`].
#[derive(Debug)]
pub struct Parser {
    /// `\r\n--boundary`.
    delimiter: Vec<u8>,
    buf: Vec<u8>,
    state: State,
    /// Bytes of the current part's headers already searched for their end, so that headers that
    /// arrive a few bytes at a time are not searched again from their start on every push.
    headers_searched: usize,
}

impl Parser {
    /// A parser for `boundary` (from the `Content-Type`).
    pub fn new(boundary: &str) -> Self {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Self {
            delimiter,
            // The body starts with `--boundary`, without the CRLF: pretend it was there.
            buf: b"\r\n".to_vec(),
            state: State::Preamble,
            headers_searched: 0,
        }
    }

    /// Feeds bytes; returns what they completed.
    ///
    /// Linear in the bytes pushed: the buffer is read from a moving start and compacted once per
    /// push, however many parts the bytes hold.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<Event>, MultipartError> {
        self.buf.extend_from_slice(data);
        let mut events = Vec::new();
        let mut start = 0;
        let result = self.parse(&mut start, &mut events);
        self.buf.drain(..start.min(self.buf.len()));
        result.map(|()| events)
    }

    /// Parses from `buf[*start..]`, moving `start` past what was consumed.
    fn parse(&mut self, start: &mut usize, events: &mut Vec<Event>) -> Result<(), MultipartError> {
        let delimiter_len = self.delimiter.len();
        loop {
            let rest = &self.buf[*start..];
            match self.state {
                State::Preamble => match find(rest, &self.delimiter) {
                    Some(at) => {
                        *start += at + delimiter_len;
                        self.state = State::AfterBoundary;
                    }
                    None => {
                        let keep = delimiter_len.min(rest.len());
                        *start += rest.len() - keep;
                        return Ok(());
                    }
                },
                State::AfterBoundary => {
                    // Transport padding (spaces, tabs) may follow a boundary.
                    let pad = rest
                        .iter()
                        .take_while(|b| **b == b' ' || **b == b'\t')
                        .count();
                    if pad > MAX_PADDING {
                        return Err(MultipartError::Malformed(
                            "too much padding after a boundary",
                        ));
                    }
                    if rest.len() < pad + 2 {
                        return Ok(());
                    }
                    match &rest[pad..pad + 2] {
                        b"\r\n" => {
                            *start += pad + 2;
                            self.state = State::Headers;
                            self.headers_searched = 0;
                        }
                        b"--" => {
                            *start = self.buf.len();
                            self.state = State::Finished;
                            events.push(Event::Done);
                            return Ok(());
                        }
                        _ => {
                            return Err(MultipartError::Malformed(
                                "a boundary must be followed by CRLF or --",
                            ));
                        }
                    }
                }
                State::Headers => {
                    // The end may straddle what was searched before: back up three bytes.
                    let from = self.headers_searched.saturating_sub(3).min(rest.len());
                    match find(&rest[from..], b"\r\n\r\n").map(|at| from + at) {
                        Some(at) if at > MAX_HEADERS => {
                            return Err(MultipartError::HeadersTooLong);
                        }
                        Some(at) => {
                            let headers = parse_headers(&rest[..at])?;
                            *start += at + 4;
                            events.push(Event::PartStart(headers));
                            self.state = State::Body;
                        }
                        None if rest.len() > MAX_HEADERS => {
                            return Err(MultipartError::HeadersTooLong);
                        }
                        None => {
                            self.headers_searched = rest.len();
                            return Ok(());
                        }
                    }
                }
                State::Body => {
                    // A delimiter counts only when CRLF or `--` (after optional padding) follows;
                    // anything else is body bytes that happen to look like it.
                    let mut from = 0;
                    let found = loop {
                        let Some(rel) = find(&rest[from..], &self.delimiter) else {
                            break None;
                        };
                        let at = from + rel;
                        let after = &rest[at + delimiter_len..];
                        let pad = after
                            .iter()
                            .take(MAX_PADDING + 1)
                            .take_while(|b| **b == b' ' || **b == b'\t')
                            .count();
                        if pad > MAX_PADDING {
                            // Not a delimiter line: body bytes.
                            from = at + 1;
                            continue;
                        }
                        if after.len() < pad + 2 {
                            // Cannot tell yet: keep it for the next push.
                            break Some((at, false));
                        }
                        if &after[pad..pad + 2] == b"\r\n" || &after[pad..pad + 2] == b"--" {
                            break Some((at, true));
                        }
                        from = at + 1;
                    };
                    match found {
                        Some((at, true)) => {
                            if at > 0 {
                                events.push(Event::Data(rest[..at].to_vec()));
                            }
                            events.push(Event::PartEnd);
                            *start += at + delimiter_len;
                            self.state = State::AfterBoundary;
                        }
                        Some((at, false)) => {
                            if at > 0 {
                                events.push(Event::Data(rest[..at].to_vec()));
                                *start += at;
                            }
                            return Ok(());
                        }
                        None => {
                            // Everything but a possible start of the delimiter is body.
                            let safe = rest.len().saturating_sub(delimiter_len - 1);
                            if safe > 0 {
                                events.push(Event::Data(rest[..safe].to_vec()));
                                *start += safe;
                            }
                            return Ok(());
                        }
                    }
                }
                State::Finished => {
                    *start = self.buf.len();
                    return Ok(());
                }
            }
        }
    }

    /// The body ended: it must have ended with the closing boundary.
    pub fn finish(&self) -> Result<(), MultipartError> {
        if self.state == State::Finished {
            Ok(())
        } else {
            Err(MultipartError::Truncated)
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(haystack, needle)
}

fn parse_headers(raw: &[u8]) -> Result<PartHeaders, MultipartError> {
    let text = String::from_utf8_lossy(raw);
    let mut headers = PartHeaders::default();
    let mut disposition = false;
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.trim().eq_ignore_ascii_case("content-disposition") {
            disposition = true;
            for (k, v) in parameters(value) {
                match k.to_ascii_lowercase().as_str() {
                    "name" => headers.name = v,
                    "filename" => headers.filename = Some(v),
                    _ => {}
                }
            }
        } else if name.trim().eq_ignore_ascii_case("content-type") {
            headers.content_type = Some(value.to_owned());
        }
    }
    if !disposition {
        return Err(MultipartError::Malformed(
            "a part has no Content-Disposition",
        ));
    }
    Ok(headers)
}

/// The `key=value` parameters after the first `;` of a header value. Quoted values end at their
/// closing quote (so they may hold `;`), with `\x` escapes undone. Names are taken as sent: like
/// busboy (Express's multipart parser), no percent-decoding.
fn parameters(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some((_, mut rest)) = value.split_once(';') else {
        return out;
    };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some((key, after)) = rest.split_once('=') else {
            return out;
        };
        let key = key.trim().to_owned();
        let after = after.trim_start();
        let (val, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut val = String::new();
            let mut end = quoted.len();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            val.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => val.push(c),
                }
            }
            (val, &quoted[end..])
        } else {
            let stop = after.find(';').unwrap_or(after.len());
            (after[..stop].trim().to_owned(), &after[stop..])
        };
        out.push((key, val));
        rest = remaining;
    }
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    if !parts
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary") && !v.trim().is_empty())
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Vec<u8> {
        b"preamble\r\n--XB\r\nContent-Disposition: form-data; name=\"pinataMetadata\"\r\n\r\n{\"name\":\"n\"}\r\n\
--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d/a %22q%22.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\n--XBnot-a-boundary\r\n\r\n--XB--\r\nepilogue"
            .to_vec()
    }

    fn collect(pieces: usize) -> Vec<Event> {
        let data = body();
        let mut p = Parser::new("XB");
        let mut events = Vec::new();
        for chunk in data.chunks(pieces) {
            events.extend(p.push(chunk).unwrap());
        }
        p.finish().unwrap();
        // Merge data events so chunking does not matter for comparison.
        let mut merged: Vec<Event> = Vec::new();
        for e in events {
            match (merged.last_mut(), e) {
                (Some(Event::Data(prev)), Event::Data(more)) => prev.extend(more),
                (_, e) => merged.push(e),
            }
        }
        merged
    }

    #[test]
    fn parses_whatever_the_chunking() {
        let expected = vec![
            Event::PartStart(PartHeaders {
                name: "pinataMetadata".into(),
                filename: None,
                content_type: None,
            }),
            Event::Data(b"{\"name\":\"n\"}".to_vec()),
            Event::PartEnd,
            Event::PartStart(PartHeaders {
                name: "file".into(),
                filename: Some("d/a %22q%22.txt".into()),
                content_type: Some("text/plain".into()),
            }),
            Event::Data(b"line1\r\n--XBnot-a-boundary\r\n".to_vec()),
            Event::PartEnd,
            Event::Done,
        ];
        for pieces in [1, 2, 3, 5, 7, 16, 1000] {
            assert_eq!(collect(pieces), expected, "chunks of {pieces}");
        }
    }

    #[test]
    fn truncated_and_malformed_bodies_are_errors() {
        let mut p = Parser::new("XB");
        p.push(b"--XB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\npartial")
            .unwrap();
        assert_eq!(p.finish(), Err(MultipartError::Truncated));
        let mut p = Parser::new("XB");
        assert!(p.push(b"--XBzz").is_err());
        let mut p = Parser::new("XB");
        assert_eq!(
            p.push(b"--XB\r\nX-Nothing: 1\r\n\r\n"),
            Err(MultipartError::Malformed(
                "a part has no Content-Disposition"
            ))
        );
        let mut p = Parser::new("XB");
        let long = vec![b'a'; MAX_HEADERS + 10];
        let mut data = b"--XB\r\n".to_vec();
        data.extend(long);
        assert_eq!(p.push(&data), Err(MultipartError::HeadersTooLong));
    }

    #[test]
    fn quoted_names_may_hold_semicolons_and_percent_signs() {
        let mut p = Parser::new("B");
        let events = p
            .push(b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"site/a;b 100%22off.txt\"\r\n\r\nx\r\n--B--\r\n")
            .unwrap();
        assert_eq!(
            events[0],
            Event::PartStart(PartHeaders {
                name: "file".into(),
                filename: Some("site/a;b 100%22off.txt".into()),
                content_type: None,
            })
        );
    }

    #[test]
    fn endless_padding_is_refused() {
        let mut p = Parser::new("B");
        let mut data = b"--B".to_vec();
        data.extend(vec![b' '; MAX_PADDING + 1]);
        assert!(p.push(&data).is_err());
        // Inside a body, a would-be delimiter followed by endless padding is body bytes.
        let mut p = Parser::new("B");
        p.push(b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n")
            .unwrap();
        let mut body = b"\r\n--B".to_vec();
        body.extend(vec![b' '; 10 * MAX_PADDING]);
        let events = p.push(&body).unwrap();
        let passed: usize = events
            .iter()
            .map(|e| match e {
                Event::Data(d) => d.len(),
                _ => 0,
            })
            .sum();
        assert!(
            passed > 8 * MAX_PADDING,
            "buffered instead of passed on: {passed}"
        );
    }

    #[test]
    fn boundary_parameter() {
        assert_eq!(
            boundary_of("multipart/form-data; boundary=abc"),
            Some("abc".into())
        );
        assert_eq!(
            boundary_of("Multipart/Form-Data;boundary=\"q r\""),
            Some("q r".into())
        );
        assert_eq!(boundary_of("application/json"), None);
        assert_eq!(boundary_of("multipart/form-data"), None);
    }
}
