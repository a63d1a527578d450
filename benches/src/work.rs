//! `pinata-bench work --via hyper|ureq --url URL TASK …` (the JWT in `PINATA_JWT`): one client doing one piece of
//! work against an emulator (release build, started by the xtask), timed from just before its first
//! request to just after its last, as the SDK program (`benches/sdk/bench.mjs`) times the same work.
//! Prints `wall-ms`, `peak-rss-kb` and what the task found (`cid`, `count`, `resent`).
//!
//! Tasks:
//! - `upload FILE [--tus] [--chunk BYTES] [--verify] [--cut-at FRACTION]`: one file to the public
//!   network with `upload_file` (TUS above the config's threshold, the SDK's 90 MiB, as the SDK
//!   switches); `--tus` always through TUS (a session of its own, so the bytes sent twice after a
//!   fault are counted), `--chunk` its chunk size, `--verify` the CID checked on the way,
//!   `--cut-at` the connection cut by the emulator (a `tus_break` fault, added over its control
//!   endpoint while the chunk before runs) once that fraction of the file is stored;
//! - `list COUNT LIMIT`: every public file, LIMIT per page, to the end; the count must be COUNT;
//! - `small COUNT SIZE`: COUNT uploads of distinct SIZE-byte files from memory, one after another;
//! - `download CID OUT [--verify]`: the gateway's copy of CID to the file OUT (replaced);
//! - `folder-cid DIR`: the CID of a folder, computed locally (no server);
//! - `folder-upload DIR`: a folder uploaded (to `pinFileToIPFS`, as the SDK sends folders).

use std::time::Instant;

use pinata_core::api::Network;
use pinata_core::api::files::ListFiles;
use pinata_core::api::uploads::UploadFile;
use pinata_core::cid::ImportOptions;
use pinata_core::download::Download;
use pinata_core::retry::RetryPolicy;
use pinata_core::tus::TusSession;
use pinata_core::{Config, Credentials};

type Res<T = ()> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What one task reports besides the time.
enum Found {
    Cid(String),
    Count(usize),
    Resent(String, u64),
}

struct Job {
    url: String,
    jwt: String,
    task: String,
    rest: Vec<String>,
    flags: Vec<String>,
}

impl Job {
    fn pos(&self, i: usize, what: &str) -> Res<&str> {
        self.rest
            .get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("{}: missing {what}", self.task))
    }

    fn number(&self, i: usize, what: &str) -> Res<u64> {
        self.pos(i, what)?
            .parse()
            .map_err(|_| format!("{}: {what} is not a number", self.task))
    }

    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    fn value(&self, flag: &str) -> Option<&str> {
        let at = self.flags.iter().position(|f| f == flag)?;
        self.flags.get(at + 1).map(String::as_str)
    }
}

/// Distinct bytes for the `i`-th small upload.
fn small_bytes(i: u64, size: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ (i + 1).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub(crate) fn run(args: &[String]) -> Res {
    let get = |name: &str| crate::arg(args, name).ok_or_else(|| format!("work needs {name}"));
    let via = get("--via")?;
    let url = get("--url")?;
    // The JWT from the environment (not the command line, which other users' `ps` can read).
    let jwt = crate::arg(args, "--jwt")
        .or_else(|| std::env::var("PINATA_JWT").ok())
        .ok_or("work needs PINATA_JWT (or --jwt)")?;
    // The task and its operands: everything after the task name that is not a `--flag [value]`.
    let tasks = [
        "upload",
        "list",
        "small",
        "download",
        "folder-cid",
        "folder-upload",
    ];
    let at = args
        .iter()
        .position(|a| tasks.contains(&a.as_str()))
        .ok_or("work: no task (upload|list|small|download|folder-cid|folder-upload)")?;
    let (mut rest, mut flags) = (Vec::new(), Vec::new());
    let mut i = at + 1;
    while i < args.len() {
        if args[i].starts_with("--") {
            flags.push(args[i].clone());
            if matches!(args[i].as_str(), "--chunk" | "--cut-at")
                && let Some(v) = args.get(i + 1)
            {
                flags.push(v.clone());
                i += 1;
            }
        } else {
            rest.push(args[i].clone());
        }
        i += 1;
    }
    let job = Job {
        url: url.clone(),
        jwt: jwt.clone(),
        task: args[at].clone(),
        rest,
        flags,
    };
    let credentials = Credentials::jwt(&jwt).map_err(err)?;
    let mut config = Config::for_emulator(&url)
        .map_err(err)?
        .with_retry_policy(RetryPolicy::default());
    if let Some(chunk) = job.value("--chunk") {
        let bytes = chunk.parse().map_err(|_| "--chunk: a number of bytes")?;
        config = config.with_tus_chunk_size(bytes).map_err(err)?;
    }
    let (wall, found) = match via.as_str() {
        "ureq" => blocking(&job, credentials, config)?,
        "hyper" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(err)?;
            runtime.block_on(nonblocking(&job, credentials, config))?
        }
        other => return Err(format!("--via {other:?}: hyper or ureq")),
    };
    println!("wall-ms {:.1}", wall * 1000.0);
    println!("peak-rss-kb {}", crate::peak_rss_kib());
    match found {
        Found::Cid(cid) => println!("cid {cid}"),
        Found::Count(n) => println!("count {n}"),
        Found::Resent(cid, n) => {
            println!("cid {cid}");
            println!("resent {n}");
        }
    }
    Ok(())
}

fn upload_of(job: &Job, path: &str, url: &str, jwt: &str, config: &Config) -> Res<UploadFile> {
    let len = std::fs::metadata(path).map_err(err)?.len();
    let upload = UploadFile::path(path, len)
        .map_err(err)?
        .network(Network::Public)
        .verify_cid(job.has("--verify"));
    let Some(fraction) = job.value("--cut-at") else {
        return Ok(upload);
    };
    let fraction: f64 = fraction.parse().map_err(|_| "--cut-at: a fraction")?;
    // The chunk holding the cut, and how much of it is stored before the connection goes.
    let cut = (len as f64 * fraction) as u64;
    let chunk = config.tus_chunk_size();
    let (k, after) = (cut / chunk, cut % chunk);
    let fault = format!(r#"{{"fault":"tus_break","after_bytes":{after},"count":1}}"#);
    if k == 0 {
        add_fault(url, jwt, &fault)?;
        return Ok(upload);
    }
    // Armed half way through the chunk before, so it is the next PATCH's (the callback runs on the
    // upload's own thread or task, before that PATCH is sent).
    let trigger = k * chunk - chunk / 2;
    let armed = std::sync::atomic::AtomicBool::new(false);
    let (url, jwt) = (url.to_owned(), jwt.to_owned());
    Ok(upload.on_progress(move |p| {
        if p.sent >= trigger
            && !armed.swap(true, std::sync::atomic::Ordering::SeqCst)
            && let Err(e) = add_fault(&url, &jwt, &fault)
        {
            eprintln!("pinata-bench: adding the fault: {e}");
        }
    }))
}

/// `POST /emulator/faults` with `json`, over a plain blocking connection.
fn add_fault(url: &str, jwt: &str, json: &str) -> Res {
    use std::io::{Read as _, Write as _};
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).map_err(err)?;
    write!(
        stream,
        "POST /emulator/faults HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {jwt}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    )
    .map_err(err)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(err)?;
    if answer.starts_with("HTTP/1.1 2") {
        Ok(())
    } else {
        Err(format!("the emulator refused the fault: {answer}"))
    }
}

fn blocking(job: &Job, credentials: Credentials, config: Config) -> Res<(f64, Found)> {
    let client = pinata_ureq::Client::with_config(credentials, config.clone()).map_err(err)?;
    let started = Instant::now();
    let found = match job.task.as_str() {
        "upload" => {
            let upload = upload_of(job, job.pos(0, "FILE")?, &job.url, &job.jwt, &config)?;
            if job.has("--tus") {
                let mut session = TusSession::for_upload(&upload, &config)
                    .ok_or("not a TUS upload")?
                    .map_err(err)?;
                let done = client.upload_resumable(&mut session).map_err(err)?;
                Found::Resent(done.cid, session.resent())
            } else {
                Found::Cid(client.upload_file(&upload).map_err(err)?.cid)
            }
        }
        "list" => {
            let limit = u32::try_from(job.number(1, "LIMIT")?).map_err(err)?;
            let first = ListFiles::new(Network::Public).limit(limit).map_err(err)?;
            let mut n = 0;
            for item in client.paginate(first) {
                item.map_err(err)?;
                n += 1;
            }
            let want = job.number(0, "COUNT")?;
            if n as u64 != want {
                return Err(format!("listed {n} files, not {want}"));
            }
            Found::Count(n)
        }
        "small" => {
            let (count, size) = (job.number(0, "COUNT")?, job.number(1, "SIZE")?);
            for i in 0..count {
                let bytes = small_bytes(i, size as usize);
                let upload = UploadFile::bytes(format!("small-{i}.bin"), bytes)
                    .map_err(err)?
                    .network(Network::Public);
                client.upload_file(&upload).map_err(err)?;
            }
            Found::Count(count as usize)
        }
        "download" => {
            let (cid, out) = (job.pos(0, "CID")?, job.pos(1, "OUT")?);
            let _ = std::fs::remove_file(out);
            let mut download = Download::public(cid, "").map_err(err)?;
            if job.has("--verify") {
                download = download.verify().map_err(err)?;
            }
            pinata_ureq::download_to_path(&client, &download, out).map_err(err)?;
            Found::Cid(cid.to_owned())
        }
        "folder-cid" => {
            let cid = pinata_ureq::cid_of_path(job.pos(0, "DIR")?, ImportOptions::default())
                .map_err(err)?;
            Found::Cid(cid.to_string())
        }
        "folder-upload" => {
            let upload = pinata_ureq::upload_request(job.pos(0, "DIR")?)
                .map_err(err)?
                .network(Network::Public);
            Found::Cid(client.upload_file(&upload).map_err(err)?.cid)
        }
        other => return Err(format!("no task {other}")),
    };
    Ok((started.elapsed().as_secs_f64(), found))
}

async fn nonblocking(job: &Job, credentials: Credentials, config: Config) -> Res<(f64, Found)> {
    use futures_util::StreamExt as _;
    let client = pinata_hyper::Client::with_config(credentials, config.clone()).map_err(err)?;
    let started = Instant::now();
    let found = match job.task.as_str() {
        "upload" => {
            let upload = upload_of(job, job.pos(0, "FILE")?, &job.url, &job.jwt, &config)?;
            if job.has("--tus") {
                let mut session = TusSession::for_upload(&upload, &config)
                    .ok_or("not a TUS upload")?
                    .map_err(err)?;
                let done = client.upload_resumable(&mut session).await.map_err(err)?;
                Found::Resent(done.cid, session.resent())
            } else {
                Found::Cid(client.upload_file(&upload).await.map_err(err)?.cid)
            }
        }
        "list" => {
            let limit = u32::try_from(job.number(1, "LIMIT")?).map_err(err)?;
            let first = ListFiles::new(Network::Public).limit(limit).map_err(err)?;
            let mut items = client.paginate(first);
            let mut n = 0;
            while let Some(item) = items.next().await {
                item.map_err(err)?;
                n += 1;
            }
            let want = job.number(0, "COUNT")?;
            if n as u64 != want {
                return Err(format!("listed {n} files, not {want}"));
            }
            Found::Count(n)
        }
        "small" => {
            let (count, size) = (job.number(0, "COUNT")?, job.number(1, "SIZE")?);
            for i in 0..count {
                let bytes = small_bytes(i, size as usize);
                let upload = UploadFile::bytes(format!("small-{i}.bin"), bytes)
                    .map_err(err)?
                    .network(Network::Public);
                client.upload_file(&upload).await.map_err(err)?;
            }
            Found::Count(count as usize)
        }
        "download" => {
            let (cid, out) = (job.pos(0, "CID")?, job.pos(1, "OUT")?);
            let _ = std::fs::remove_file(out);
            let mut download = Download::public(cid, "").map_err(err)?;
            if job.has("--verify") {
                download = download.verify().map_err(err)?;
            }
            pinata_hyper::download_to_path(&client, &download, out)
                .await
                .map_err(err)?;
            Found::Cid(cid.to_owned())
        }
        "folder-cid" => {
            let cid = pinata_hyper::cid_of_path(job.pos(0, "DIR")?, ImportOptions::default())
                .await
                .map_err(err)?;
            Found::Cid(cid.to_string())
        }
        "folder-upload" => {
            let upload = pinata_hyper::upload_request(job.pos(0, "DIR")?)
                .await
                .map_err(err)?
                .network(Network::Public);
            Found::Cid(client.upload_file(&upload).await.map_err(err)?.cid)
        }
        other => return Err(format!("no task {other}")),
    };
    Ok((started.elapsed().as_secs_f64(), found))
}
