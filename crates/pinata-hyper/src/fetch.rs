//! Downloads over hyper: the response body as pinata-core's [`BodyStream`] (each frame awaited at
//! most the request timeout), and [`download_to_path`], which writes beside the destination and
//! renames only once the core's checks passed.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use pinata_core::download::{Download, Downloaded, partial_path};
use pinata_core::transport::{AsyncTransport, BodyStream};
use pinata_core::{AsyncClient, Error, LocalError, TransportError, TransportErrorKind};
use tokio::io::AsyncWriteExt;

/// `body` as a stream of data pieces; a piece that takes longer than `idle`, or a body still
/// arriving after `total`, ends it with a timeout.
pub(crate) fn stream(body: Incoming, idle: Duration, total: Duration) -> BodyStream {
    let deadline = tokio::time::Instant::now() + total;
    Box::pin(stream::unfold(Some(body), move |body| async move {
        let mut body = body?;
        loop {
            let wait = idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            match tokio::time::timeout(wait, body.frame()).await {
                Err(_) => {
                    let e = TransportError::maybe_sent(
                        TransportErrorKind::Timeout,
                        format!(
                            "the download stalled for {idle:?} or ran past its {total:?} budget"
                        ),
                    );
                    return Some((Err(e), None));
                }
                Ok(None) => return None,
                Ok(Some(Err(e))) => return Some((Err(crate::classify_body(e.into())), None)),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Some((Ok::<Bytes, _>(data), Some(body)));
                    }
                }
            }
        }
    }))
}

/// Downloads `download` to the file at `path`: streamed to a temporary file beside it (memory stays
/// at one piece), which replaces `path` only when the cap, length and CID checks passed; on any
/// failure the temporary file is removed and `path` is untouched.
pub async fn download_to_path<T: AsyncTransport>(
    client: &AsyncClient<T>,
    download: &Download,
    path: impl AsRef<Path>,
) -> Result<Downloaded, Error> {
    let path = path.as_ref();
    let part = partial_path(path);
    let io = |p: &Path| {
        let p = p.to_owned();
        move |e| Error::Local(LocalError::io(p, e))
    };
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .await
        .map_err(io(&part))?;
    let finished = async {
        let mut body = client.download(download).await?;
        while let Some(piece) = body.next().await? {
            file.write_all(&piece).await.map_err(io(&part))?;
        }
        let done = body.finish()?;
        file.sync_all().await.map_err(io(&part))?;
        Ok::<_, Error>(done)
    }
    .await;
    drop(file);
    match finished {
        Ok(done) => {
            tokio::fs::rename(&part, path).await.map_err(io(path))?;
            Ok(done)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            Err(e)
        }
    }
}
