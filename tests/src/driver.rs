//! One synchronous face over both transports, so each case is written once.

use std::pin::Pin;
use std::sync::OnceLock;

use futures_core::Stream;

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::api::AuthenticationOk;
use pinata_core::api::uploads::{UploadFile, UploadedFile};
use pinata_core::download::{Download, Downloaded};
use pinata_core::transport::{AsyncTransport, BlockingTransport, TransportFactory};
use pinata_core::tus::{ResumeToken, TusSession};
use pinata_core::{Body, Config, Credentials, Endpoint, Error, Paginated, TransportError};

/// What a case needs from a transport.
pub trait Driver: Sync {
    /// `"hyper"` or `"ureq"`.
    fn name(&self) -> &'static str;

    /// Builds a client with `credentials` and `config` and calls `test_authentication` on it.
    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error>;

    /// Builds a client and calls any endpoint.
    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send;

    /// Walks every page of `first` and collects the items (an `Iterator` over ureq, a `Stream` over
    /// hyper).
    fn paginate<E>(
        &self,
        credentials: Credentials,
        config: Config,
        first: E,
    ) -> Result<Vec<E::Item>, Error>
    where
        E: Paginated + Send + Sync + Unpin + 'static,
        E::Output: Send,
        E::Item: Send + Unpin;

    /// `calls` clients, each with its own connection pool, call `test_authentication` at the same
    /// time (tasks over hyper, threads over ureq).
    fn test_authentication_concurrently(
        &self,
        credentials: &Credentials,
        config: &Config,
        calls: usize,
    ) -> Vec<Result<AuthenticationOk, Error>>;

    /// One client sends the one `endpoint` value `calls` times at once (tasks over hyper, threads
    /// over ureq).
    fn execute_shared_concurrently<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: std::sync::Arc<E>,
        calls: usize,
    ) -> Vec<Result<E::Output, Error>>
    where
        E: Endpoint + Send + Sync + 'static,
        E::Output: Send + 'static;

    /// The adapter's `pin_request` (stat or scan a path into an upload).
    fn pin_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::pinning::PinFile, Error>;

    /// The adapter's `upload_request` (stat or scan a path into a v3 upload).
    fn upload_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::uploads::UploadFile, Error>;

    /// The adapter's `upload_cid_of_path`.
    fn upload_cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError>;

    /// The adapter's `cid_of_path`.
    fn cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError>;

    /// Sends a hand-made request through the bare transport (no client checks, no credentials added).
    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError>;

    /// The adapter's `reader` over `bytes` (a `std::io::Read` for ureq, a tokio `AsyncRead` for
    /// hyper).
    fn reader(&self, bytes: Vec<u8>) -> pinata_core::api::uploads::ReaderSource;

    /// Downloads into memory through the client's streaming download, returning the bytes, the
    /// answer and the largest piece the client handed over at once.
    fn download(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
    ) -> Result<(Vec<u8>, Downloaded, usize), Error>;

    /// The adapter's `download_to_path`.
    fn download_to_path(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
        path: &std::path::Path,
    ) -> Result<Downloaded, Error>;

    /// `client.upload_file(upload)`: multipart, or TUS above the config's threshold.
    fn execute_upload(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<UploadedFile, Error>;

    /// Uploads `upload` through TUS whatever its size (`TusSession::for_upload` and
    /// `upload_resumable`), returning the file and the bytes the session sent more than once.
    fn upload_resumable(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<(UploadedFile, u64), Error>;

    /// `resume_upload(token)` on a new client.
    fn resume_upload(
        &self,
        credentials: Credentials,
        config: Config,
        token: &ResumeToken,
    ) -> Result<UploadedFile, Error>;
}

/// A TUS session for `upload` (a file on disk).
fn session(upload: &UploadFile, config: &Config) -> Result<TusSession, Error> {
    TusSession::for_upload(upload, config)
        .ok_or_else(|| {
            Error::Build(pinata_core::BuildError::InvalidInput(
                "not a file on disk".into(),
            ))
        })?
        .map_err(Error::Build)
}

/// A writer that remembers the largest write it was given.
#[derive(Default)]
struct Recording {
    bytes: Vec<u8>,
    largest: usize,
}

impl std::io::Write for Recording {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.largest = self.largest.max(buf.len());
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The async client over hyper, driven from a shared Tokio runtime.
#[derive(Debug, Default)]
pub struct HyperDriver;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime for the hyper driver")
    })
}

impl Driver for HyperDriver {
    fn name(&self) -> &'static str {
        "hyper"
    }

    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error> {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .test_authentication()
                .await
        })
    }

    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send,
    {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .execute(endpoint)
                .await
        })
    }

    fn paginate<E>(
        &self,
        credentials: Credentials,
        config: Config,
        first: E,
    ) -> Result<Vec<E::Item>, Error>
    where
        E: Paginated + Send + Sync + Unpin + 'static,
        E::Output: Send,
        E::Item: Send + Unpin,
    {
        runtime().block_on(async {
            let client = pinata_hyper::Client::with_config(credentials, config)?;
            let mut stream = client.paginate(first);
            let mut items = Vec::new();
            while let Some(item) =
                std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await
            {
                items.push(item?);
            }
            Ok(items)
        })
    }

    fn test_authentication_concurrently(
        &self,
        credentials: &Credentials,
        config: &Config,
        calls: usize,
    ) -> Vec<Result<AuthenticationOk, Error>> {
        runtime().block_on(async {
            let tasks: Vec<_> = (0..calls)
                .map(|_| {
                    let (credentials, config) = (credentials.clone(), config.clone());
                    tokio::spawn(async move {
                        pinata_hyper::Client::with_config(credentials, config)?
                            .test_authentication()
                            .await
                    })
                })
                .collect();
            let mut results = Vec::with_capacity(calls);
            for task in tasks {
                results.push(task.await.expect("the task does not panic"));
            }
            results
        })
    }

    fn execute_shared_concurrently<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: std::sync::Arc<E>,
        calls: usize,
    ) -> Vec<Result<E::Output, Error>>
    where
        E: Endpoint + Send + Sync + 'static,
        E::Output: Send + 'static,
    {
        runtime().block_on(async {
            let client = match pinata_hyper::Client::with_config(credentials, config) {
                Ok(client) => client,
                Err(e) => return vec![Err(e)],
            };
            let tasks: Vec<_> = (0..calls)
                .map(|_| {
                    let (client, endpoint) = (client.clone(), endpoint.clone());
                    tokio::spawn(async move { client.execute(&*endpoint).await })
                })
                .collect();
            let mut results = Vec::with_capacity(calls);
            for task in tasks {
                results.push(task.await.expect("the task does not panic"));
            }
            results
        })
    }

    fn cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError> {
        runtime().block_on(pinata_hyper::cid_of_path(path, options))
    }

    fn pin_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::pinning::PinFile, Error> {
        runtime().block_on(pinata_hyper::pin_request(path))
    }

    fn upload_cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError> {
        runtime().block_on(pinata_hyper::upload_cid_of_path(path, options))
    }

    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError> {
        runtime().block_on(async {
            pinata_hyper::HyperTransport::from_options(config.transport_options())?
                .send(request)
                .await
        })
    }

    fn upload_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::uploads::UploadFile, Error> {
        runtime().block_on(pinata_hyper::upload_request(path))
    }

    fn reader(&self, bytes: Vec<u8>) -> pinata_core::api::uploads::ReaderSource {
        pinata_hyper::reader(std::io::Cursor::new(bytes))
    }

    fn download(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
    ) -> Result<(Vec<u8>, Downloaded, usize), Error> {
        runtime().block_on(async {
            let client = pinata_hyper::Client::with_config(credentials, config)?;
            let mut body = client.download(download).await?;
            let mut out = Recording::default();
            while let Some(piece) = body.next().await? {
                std::io::Write::write_all(&mut out, &piece)
                    .map_err(|e| Error::Local(pinata_core::LocalError::io("(memory)", e)))?;
            }
            let done = body.finish()?;
            Ok((out.bytes, done, out.largest))
        })
    }

    fn download_to_path(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
        path: &std::path::Path,
    ) -> Result<Downloaded, Error> {
        runtime().block_on(async {
            let client = pinata_hyper::Client::with_config(credentials, config)?;
            pinata_hyper::download_to_path(&client, download, path).await
        })
    }

    fn execute_upload(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<UploadedFile, Error> {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .upload_file(upload)
                .await
        })
    }

    fn upload_resumable(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<(UploadedFile, u64), Error> {
        runtime().block_on(async {
            let mut session = session(upload, &config)?;
            let client = pinata_hyper::Client::with_config(credentials, config)?;
            let file = client.upload_resumable(&mut session).await?;
            Ok((file, session.resent()))
        })
    }

    fn resume_upload(
        &self,
        credentials: Credentials,
        config: Config,
        token: &ResumeToken,
    ) -> Result<UploadedFile, Error> {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .resume_upload(token)
                .await
        })
    }
}

/// The blocking client over ureq.
#[derive(Debug, Default)]
pub struct UreqDriver;

impl Driver for UreqDriver {
    fn name(&self) -> &'static str {
        "ureq"
    }

    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error> {
        pinata_ureq::Client::with_config(credentials, config)?.test_authentication()
    }

    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send,
    {
        pinata_ureq::Client::with_config(credentials, config)?.execute(endpoint)
    }

    fn paginate<E>(
        &self,
        credentials: Credentials,
        config: Config,
        first: E,
    ) -> Result<Vec<E::Item>, Error>
    where
        E: Paginated + Send + Sync + Unpin + 'static,
        E::Output: Send,
        E::Item: Send + Unpin,
    {
        pinata_ureq::Client::with_config(credentials, config)?
            .paginate(first)
            .collect()
    }

    fn test_authentication_concurrently(
        &self,
        credentials: &Credentials,
        config: &Config,
        calls: usize,
    ) -> Vec<Result<AuthenticationOk, Error>> {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(calls));
        let threads: Vec<_> = (0..calls)
            .map(|_| {
                let (credentials, config) = (credentials.clone(), config.clone());
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let client = pinata_ureq::Client::with_config(credentials, config)?;
                    barrier.wait();
                    client.test_authentication()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("the thread does not panic"))
            .collect()
    }

    fn execute_shared_concurrently<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: std::sync::Arc<E>,
        calls: usize,
    ) -> Vec<Result<E::Output, Error>>
    where
        E: Endpoint + Send + Sync + 'static,
        E::Output: Send + 'static,
    {
        let client = match pinata_ureq::Client::with_config(credentials, config) {
            Ok(client) => client,
            Err(e) => return vec![Err(e)],
        };
        let barrier = std::sync::Barrier::new(calls);
        std::thread::scope(|scope| {
            let threads: Vec<_> = (0..calls)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        client.execute(&*endpoint)
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("the thread does not panic"))
                .collect()
        })
    }

    fn cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError> {
        pinata_ureq::cid_of_path(path, options)
    }

    fn pin_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::pinning::PinFile, Error> {
        pinata_ureq::pin_request(path)
    }

    fn upload_cid_of_path(
        &self,
        path: &std::path::Path,
        options: pinata_core::cid::ImportOptions,
    ) -> Result<pinata_core::cid::Cid, pinata_core::LocalError> {
        pinata_ureq::upload_cid_of_path(path, options)
    }

    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError> {
        pinata_ureq::UreqTransport::from_options(config.transport_options())?.send(request)
    }

    fn upload_request(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::api::uploads::UploadFile, Error> {
        pinata_ureq::upload_request(path)
    }

    fn reader(&self, bytes: Vec<u8>) -> pinata_core::api::uploads::ReaderSource {
        pinata_ureq::reader(std::io::Cursor::new(bytes))
    }

    fn download(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
    ) -> Result<(Vec<u8>, Downloaded, usize), Error> {
        let client = pinata_ureq::Client::with_config(credentials, config)?;
        let mut out = Recording::default();
        let done = client.download_to(download, &mut out)?;
        Ok((out.bytes, done, out.largest))
    }

    fn download_to_path(
        &self,
        credentials: Credentials,
        config: Config,
        download: &Download,
        path: &std::path::Path,
    ) -> Result<Downloaded, Error> {
        let client = pinata_ureq::Client::with_config(credentials, config)?;
        pinata_ureq::download_to_path(&client, download, path)
    }

    fn execute_upload(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<UploadedFile, Error> {
        pinata_ureq::Client::with_config(credentials, config)?.upload_file(upload)
    }

    fn upload_resumable(
        &self,
        credentials: Credentials,
        config: Config,
        upload: &UploadFile,
    ) -> Result<(UploadedFile, u64), Error> {
        let mut session = session(upload, &config)?;
        let client = pinata_ureq::Client::with_config(credentials, config)?;
        let file = client.upload_resumable(&mut session)?;
        Ok((file, session.resent()))
    }

    fn resume_upload(
        &self,
        credentials: Credentials,
        config: Config,
        token: &ResumeToken,
    ) -> Result<UploadedFile, Error> {
        pinata_ureq::Client::with_config(credentials, config)?.resume_upload(token)
    }
}
