//! Streams a multipart upload from disk as a hyper body, doing the I/O pinata-core's
//! [`UploadCursor`] asks for.

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, Stream};
use http_body_util::StreamBody;
use hyper::body::Frame;
use pinata_core::transport::BoxError;
use pinata_core::transport::upload::{MultipartUpload, UploadCursor, UploadStep};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

struct State {
    cursor: UploadCursor,
    file: Option<BoxedReader>,
}

/// What [`reader`] wraps: the type a hyper upload takes back out of a
/// [`ReaderSource`](pinata_core::transport::upload::ReaderSource).
type BoxedReader = Box<dyn tokio::io::AsyncRead + Send + Unpin>;

/// A reader of `len` bytes for `UploadFile::reader`, read (once) when a hyper client sends the
/// upload. Nothing is buffered beyond one read.
pub fn reader(
    reader: impl tokio::io::AsyncRead + Send + Unpin + 'static,
) -> pinata_core::transport::upload::ReaderSource {
    let boxed: BoxedReader = Box::new(reader);
    pinata_core::transport::upload::ReaderSource::new(Box::new(boxed))
}

/// The body of a multipart upload: one read buffer in memory at a time. A local failure ends the
/// stream with an error, which makes hyper abort the request (never a truncated upload).
pub(crate) fn body(
    upload: MultipartUpload,
) -> StreamBody<impl Stream<Item = Result<Frame<Bytes>, BoxError>> + Send> {
    let state = State {
        cursor: UploadCursor::new(upload),
        file: None,
    };
    StreamBody::new(stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        loop {
            match st.cursor.next_step() {
                UploadStep::Send(bytes) => return Some((Ok(Frame::data(bytes)), Some(st))),
                UploadStep::OpenFile(path) => match crate::local::open(&path).await {
                    Ok((f, kind)) => {
                        // A FIFO or device in the file's place is refused before any read.
                        if let Err(e) = st.cursor.file_opened(kind) {
                            return Some((Err(e.into()), None));
                        }
                        st.file = Some(Box::new(f));
                    }
                    Err(e) => return Some((Err(st.cursor.open_failed(e).into()), None)),
                },
                UploadStep::OpenFileAt { path, offset } => match crate::local::open(&path).await {
                    Ok((mut f, kind)) => {
                        if let Err(e) = st.cursor.file_opened(kind) {
                            return Some((Err(e.into()), None));
                        }
                        if let Err(e) = f.seek(std::io::SeekFrom::Start(offset)).await {
                            return Some((Err(st.cursor.open_failed(e).into()), None));
                        }
                        st.file = Some(Box::new(f));
                    }
                    Err(e) => return Some((Err(st.cursor.open_failed(e).into()), None)),
                },
                UploadStep::Cancelled => {
                    return Some((Err(pinata_core::LocalError::Cancelled.into()), None));
                }
                UploadStep::OpenReader(source) => match source.take() {
                    Some(any) => match any.downcast::<BoxedReader>() {
                        Ok(r) => st.file = Some(*r),
                        Err(_) => {
                            return Some((Err(st.cursor.reader_unavailable(false).into()), None));
                        }
                    },
                    None => return Some((Err(st.cursor.reader_unavailable(true).into()), None)),
                },
                UploadStep::ReadFile { max } => {
                    let Some(file) = st.file.as_mut() else {
                        return Some((Err("upload cursor: read before open".into()), None));
                    };
                    let mut buf = BytesMut::with_capacity(max);
                    let n = match file.read_buf(&mut buf).await {
                        Ok(n) => n,
                        Err(e) => return Some((Err(st.cursor.open_failed(e).into()), None)),
                    };
                    if let Err(e) = st.cursor.file_read(&buf[..n]) {
                        return Some((Err(e.into()), None));
                    }
                    return Some((Ok(Frame::data(buf.freeze())), Some(st)));
                }
                UploadStep::CheckEnd => {
                    let mut probe = [0u8; 1];
                    let more = match st.file.take() {
                        Some(mut f) => f.read(&mut probe).await.map(|n| n > 0).unwrap_or(false),
                        None => false,
                    };
                    if let Err(e) = st.cursor.file_end(more) {
                        return Some((Err(e.into()), None));
                    }
                }
                UploadStep::Finished => return None,
                _ => {
                    return Some((
                        Err("upload cursor: a step this transport does not know".into()),
                        None,
                    ));
                }
            }
        }
    }))
}
