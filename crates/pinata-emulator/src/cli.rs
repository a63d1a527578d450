//! The emulator as a process: its command line (flags and `PINATA_EMULATOR_*` variables), the
//! start-up announcement, and serving until SIGINT or SIGTERM. The `pinata-emulator` binary runs
//! [`run`] (the JSON line, always); `pinata emulator` runs [`run_with`], naming itself in `--help`
//! and errors and announcing the start-up its own way on a terminal.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use crate::{Emulator, EmulatorConfig};

/// The `--help` text of the program `program` (`pinata-emulator`, `pinata emulator`), with
/// `note` (how that program announces its start-up otherwise, or empty) after the sentence about
/// the JSON line.
pub fn help(program: &str, note: &str) -> String {
    let mut text = format!(
        "{program}: a local Pinata-compatible API server\n\n\
         USAGE: {program} [OPTIONS]\n\n\
         Prints one JSON line {{\"url\":…,\"admin\":{{\"jwt\":…,\"api_key\":…,\"api_secret\":…}}}} on \
         stdout,\nthen serves until SIGINT or SIGTERM.\n"
    );
    if !note.is_empty() {
        text.push_str(note);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(OPTIONS_HELP);
    text
}

/// The `--help` text from its list of options on.
const OPTIONS_HELP: &str = "\
OPTIONS (each also read from the environment variable shown):
  --listen ADDR          address to listen on [PINATA_EMULATOR_LISTEN] (default 127.0.0.1:0)
  --admin-key HEX        the admin key's public key [PINATA_EMULATOR_ADMIN_KEY] (default random)
  --admin-secret HEX     the admin key's secret [PINATA_EMULATOR_ADMIN_SECRET] (default random)
  --jwt-secret TEXT      the JWT signing secret [PINATA_EMULATOR_JWT_SECRET] (default random)
  --jwt-lifetime SECS    how long issued JWTs are valid [PINATA_EMULATOR_JWT_LIFETIME] (default 1 year)
  --key-page-size N      keys per page of a key listing [PINATA_EMULATOR_KEY_PAGE_SIZE] (default 10)
  --data-dir DIR         keep all state in DIR, across restarts [PINATA_EMULATOR_DATA_DIR]:
                         content, and keys (with their uses), pins, jobs, files, groups, signed
                         URLs, resumable uploads and the secrets in DIR/emulator.sqlite3 (a
                         corrupt, foreign or newer database stops the start-up, exit code 1); the
                         seed is applied only to a new database. Default: a temporary directory
                         removed on exit, state in memory
  --pin-delay-ms N       how long a pin by hash of held content takes [PINATA_EMULATOR_PIN_DELAY_MS] (2000)
  --pin-expiry-ms N      how long a pin by hash of unknown content searches [PINATA_EMULATOR_PIN_EXPIRY_MS] (60000)
  --fault SPEC           inject a fault (repeatable): status=503, status=429:retry_after=2, slow=MS,
                         close, truncate, stall=MS, and for resumable uploads tus_break=BYTES,
                         tus_status=503, tus_lose; add ,count=N or ,fraction=F (and ,key=API_KEY)
  --rate-limit N/SECS    allow N requests per SECS-second window, then 429 with Retry-After
  --max-connections N    connections served at once; more wait to be accepted (default 1024)
  --header-timeout-ms N  time a client has to send a request's headers (default 10000)
  --idle-timeout-ms N    a connection with no traffic for this long is closed (default 60000)
  --max-upload-bytes N   the largest resumable (TUS) upload (default 25000000000, 25 GB)
  --tus-expiry-secs N    a resumable upload is dropped this long after its last use (default 86400)
  --psa-mode MODE        how /psa (the IPFS Pinning Service API) answers [PINATA_EMULATOR_PSA_MODE]:
                         pinata (default: 200, DELETE 200 OK, oldest first, Pinata's missing-token
                         answer) or spec (202, DELETE 202 with no body, newest first, 401)
  --seed FILE            a JSON seed file read at start-up and re-applied after every reset
                         [PINATA_EMULATOR_SEED]: {\"keys\":[{\"name\",\"api_key\",\"api_secret\",
                         \"permissions\"}],\"groups\":[{\"network\",\"name\"}],\"files\":[{\"network\",
                         \"path\",\"name\",\"keyvalues\",\"group\",\"cid_version\"}]}; seeded keys'
                         credentials are in the first line's \"keys\"; a bad seed exits with code 2
  --gateway-domain NAME  the domain of the one gateway GET /v3/ipfs/gateways lists
                         [PINATA_EMULATOR_GATEWAY_DOMAIN] (default emulator; as Pinata's, a label
                         before .mypinata.cloud). The emulator itself is the gateway to download
                         from: its own URL serves /ipfs/CID and /files/CID
  --tls-cert FILE        serve HTTPS with this PEM certificate chain (server's first), with
  --tls-key FILE         this PEM private key (both or neither); the URL is then https://
  --tls-self-signed      serve HTTPS with a certificate made at start-up, its PEM in the first
                         line's \"ca_pem\" for a client to trust; for localhost, 127.0.0.1 and ::1
  --tls-name NAME        with --tls-self-signed, a DNS name or IP address it is for (repeatable,
                         replacing the defaults). Over HTTPS, HTTP/2 for a client offering h2 by
                         ALPN, else HTTP/1.1; plain HTTP is HTTP/1.1 or HTTP/2 (prior knowledge)
  -h, --help             this text

Control endpoints (all but health with an admin key; every answer has X-Pinata-Emulator-Version):
  GET /emulator/health       200 {\"status\":\"ok\",\"version\":...}, no credentials needed
  POST /emulator/reset       back to the start: only the admin key and the seed, no pins, faults...
  GET /emulator/requests     the request journal (?method&path&key&status&since&limit); DELETE
  POST /emulator/faults {\"fault\":\"status\",\"status\":503,\"count\":2,\"key\":\"...\"}   GET, DELETE
  PUT /emulator/rate_limit {\"limit\":30,\"window_secs\":60,\"key\":\"...\"}            DELETE
";

/// Parses the flags (after the program name) over the `PINATA_EMULATOR_*` environment: `Ok(None)`
/// for `--help`, `Err` with a message naming the flag for bad input.
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
) -> Result<Option<EmulatorConfig>, String> {
    let mut config = EmulatorConfig::default();
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut listen = env("PINATA_EMULATOR_LISTEN");
    config.admin_key = env("PINATA_EMULATOR_ADMIN_KEY");
    config.admin_secret = env("PINATA_EMULATOR_ADMIN_SECRET");
    config.jwt_secret = env("PINATA_EMULATOR_JWT_SECRET").map(String::into_bytes);
    let mut lifetime = env("PINATA_EMULATOR_JWT_LIFETIME");
    let mut page_size = env("PINATA_EMULATOR_KEY_PAGE_SIZE");
    config.data_dir = env("PINATA_EMULATOR_DATA_DIR").map(Into::into);
    let mut pin_delay = env("PINATA_EMULATOR_PIN_DELAY_MS");
    let mut pin_expiry = env("PINATA_EMULATOR_PIN_EXPIRY_MS");
    let mut header_timeout = None;
    let mut idle_timeout = None;
    let mut tus_expiry = None;
    let mut psa_mode = env("PINATA_EMULATOR_PSA_MODE");
    config.seed = env("PINATA_EMULATOR_SEED").map(Into::into);
    if let Some(domain) = env("PINATA_EMULATOR_GATEWAY_DOMAIN") {
        config.gateway_domain = domain;
    }

    let mut tls_cert: Option<std::path::PathBuf> = None;
    let mut tls_key: Option<std::path::PathBuf> = None;
    let mut self_signed = false;
    let mut tls_names: Vec<String> = Vec::new();

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        if flag == "--tls-self-signed" {
            if inline.is_some() {
                return Err(
                    "--tls-self-signed takes no value; give names with --tls-name".to_owned(),
                );
            }
            self_signed = true;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        match flag.as_str() {
            "--listen" => listen = Some(value),
            "--admin-key" => config.admin_key = Some(value),
            "--admin-secret" => config.admin_secret = Some(value),
            "--jwt-secret" => config.jwt_secret = Some(value.into_bytes()),
            "--jwt-lifetime" => lifetime = Some(value),
            "--key-page-size" => page_size = Some(value),
            "--data-dir" => config.data_dir = Some(value.into()),
            "--pin-delay-ms" => pin_delay = Some(value),
            "--pin-expiry-ms" => pin_expiry = Some(value),
            "--fault" => config.faults.push(crate::faults::FaultRule::parse(&value)?),
            "--rate-limit" => {
                config.rate_limit = Some(
                    crate::faults::RateLimitRule::parse(&value)
                        .map_err(|e| format!("--rate-limit: {e}"))?,
                );
            }
            "--max-connections" => {
                config.max_connections = value
                    .parse()
                    .map_err(|_| format!("--max-connections: {value:?} is not a whole number"))?
            }
            "--header-timeout-ms" => header_timeout = Some(value),
            "--idle-timeout-ms" => idle_timeout = Some(value),
            "--max-upload-bytes" => {
                config.max_upload_bytes = value
                    .parse()
                    .map_err(|_| format!("--max-upload-bytes: {value:?} is not a whole number"))?
            }
            "--tus-expiry-secs" => tus_expiry = Some(value),
            "--psa-mode" => psa_mode = Some(value),
            "--seed" => config.seed = Some(value.into()),
            "--gateway-domain" => config.gateway_domain = value,
            "--tls-cert" => tls_cert = Some(value.into()),
            "--tls-key" => tls_key = Some(value.into()),
            "--tls-name" => tls_names.push(value),
            other => return Err(format!("unknown option {other}; see --help")),
        }
    }
    if let Some(l) = listen {
        config.listen = l
            .parse::<SocketAddr>()
            .map_err(|_| format!("--listen: {l:?} is not an address like 127.0.0.1:8080"))?;
    }
    if let Some(l) = lifetime {
        let secs: u64 = l
            .parse()
            .map_err(|_| format!("--jwt-lifetime: {l:?} is not a number of seconds"))?;
        config.jwt_lifetime = Duration::from_secs(secs);
    }
    if let Some(p) = page_size {
        config.key_page_size = p
            .parse::<usize>()
            .map_err(|_| format!("--key-page-size: {p:?} is not a whole number"))?;
    }
    let millis = |flag: &str, v: String| {
        v.parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("{flag}: {v:?} is not a number of milliseconds"))
    };
    if let Some(v) = pin_delay {
        config.pin_by_hash_delay = millis("--pin-delay-ms", v)?;
    }
    if let Some(v) = pin_expiry {
        config.pin_by_hash_expiry = millis("--pin-expiry-ms", v)?;
    }
    if let Some(v) = header_timeout {
        config.header_read_timeout = millis("--header-timeout-ms", v)?;
    }
    if let Some(v) = idle_timeout {
        config.idle_timeout = millis("--idle-timeout-ms", v)?;
    }
    if let Some(v) = tus_expiry {
        let secs: u64 = v
            .parse()
            .map_err(|_| format!("--tus-expiry-secs: {v:?} is not a number of seconds"))?;
        config.tus_expiry = Duration::from_secs(secs);
    }
    if let Some(m) = psa_mode {
        config.psa_mode = crate::PsaMode::parse(&m)
            .ok_or_else(|| format!("--psa-mode: {m:?} is neither pinata nor spec"))?;
    }
    if !tls_names.is_empty() && !self_signed {
        return Err("--tls-name is for --tls-self-signed".to_owned());
    }
    config.tls = match (tls_cert, tls_key, self_signed) {
        (Some(_), _, true) | (_, Some(_), true) => {
            return Err("--tls-self-signed or --tls-cert/--tls-key, not both".to_owned());
        }
        (Some(cert), Some(key), false) => Some(crate::TlsConfig::Files { cert, key }),
        (Some(_), None, false) => {
            return Err("--tls-cert needs --tls-key (the private key)".to_owned());
        }
        (None, Some(_), false) => {
            return Err("--tls-key needs --tls-cert (the certificate chain)".to_owned());
        }
        (None, None, true) if tls_names.is_empty() => Some(crate::TlsConfig::self_signed()),
        (None, None, true) => Some(crate::TlsConfig::SelfSigned { names: tls_names }),
        (None, None, false) => None,
    };
    // Every number in range, with a message that names the flag's meaning.
    config.validate()?;
    Ok(Some(config))
}

/// How a process running the emulator announces that it listens, on stdout.
pub enum Announce<'a> {
    /// The JSON line, [`Emulator::startup_line`]: what scripts and tests parse.
    Json,
    /// Text of the caller's making from the bound emulator (its URL, admin key, seeded keys),
    /// printed as given (a final newline added when missing); `pinata emulator` on a terminal.
    Text(Box<dyn FnOnce(&Emulator) -> String + 'a>),
}

/// How [`run_with`] presents itself.
pub struct Options<'a> {
    /// The program's name in `--help` and in error messages: `pinata-emulator`, `pinata emulator`.
    pub program: &'a str,
    /// What is printed on stdout once the emulator listens.
    pub announce: Announce<'a>,
    /// A sentence `--help` adds after the one about the JSON line, when the program announces its
    /// start-up otherwise in some cases (whichever `announce` this run has); empty for none.
    pub help_note: &'a str,
}

impl<'a> Options<'a> {
    /// `program`, announcing with the JSON line, no help note.
    pub fn json(program: &'a str) -> Self {
        Self {
            program,
            announce: Announce::Json,
            help_note: "",
        }
    }
}

/// Runs the emulator as a process with these flags (after the program name): prints the start-up
/// line on stdout and serves until SIGINT or SIGTERM. Exit code 2 for bad flags or bad input (a
/// seed file, the admin key's format), 1 when it cannot start, 0 after a signal. `program` names
/// it in `--help` and in errors. [`run_with`] with [`Options::json`].
pub fn run(args: impl IntoIterator<Item = String>, program: &str) -> ExitCode {
    run_with(args, Options::json(program))
}

/// [`run`], presented as `options` say: the program's name in `--help` and errors, and how the
/// start-up is announced.
pub fn run_with(args: impl IntoIterator<Item = String>, options: Options<'_>) -> ExitCode {
    let Options {
        program,
        announce,
        help_note,
    } = options;
    let config = match parse_args(args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{}", help(program, help_note));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{program}: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let emulator = match Emulator::bind(config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{program}: {e}");
                // Bad input (a seed file, the admin key's format) is a usage error, as a bad flag.
                return if e.kind() == std::io::ErrorKind::InvalidInput {
                    ExitCode::from(2)
                } else {
                    ExitCode::FAILURE
                };
            }
        };
        let text = match announce {
            Announce::Json => emulator.startup_line(),
            Announce::Text(make) => make(&emulator),
        };
        println!("{}", text.strip_suffix('\n').unwrap_or(&text));
        emulator.serve(shutdown_signal()).await;
        ExitCode::SUCCESS
    })
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
