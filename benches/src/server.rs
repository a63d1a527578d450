//! Minimal local servers: a fixed answer (so the client is what is measured), and an upload sink.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// What the server answers.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// testAuthentication's answer, at once.
    Fixed,
    /// Reads the whole body, then answers like pinFileToIPFS.
    Sink,
}

const WELCOME: &[u8] =
    br#"{"message":"Congratulations! You are communicating with the Pinata API!"}"#;

/// Serves on `listener`, counting connections in `connections`.
pub(crate) async fn serve(listener: TcpListener, kind: Kind, connections: Arc<AtomicU64>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| async move {
                let body = match kind {
                    Kind::Fixed => Bytes::from_static(WELCOME),
                    Kind::Sink => {
                        let mut body = req.into_body();
                        let mut n: u64 = 0;
                        while let Some(Ok(frame)) = body.frame().await {
                            n += frame.data_ref().map_or(0, |d| d.len() as u64);
                        }
                        Bytes::from(format!(
                            r#"{{"IpfsHash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","PinSize":{n},"Timestamp":"2026-11-26T00:00:00.000Z"}}"#
                        ))
                    }
                };
                Ok::<_, Infallible>(
                    Response::builder()
                        .header("content-type", "application/json; charset=utf-8")
                        .body(Full::new(body))
                        .unwrap_or_default(),
                )
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `pinata-bench sink`: prints `url http://…` and swallows uploads until killed.
pub(crate) fn sink() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("url http://{addr}");
        serve(listener, Kind::Sink, Arc::new(AtomicU64::new(0))).await;
        Ok(())
    })
}
