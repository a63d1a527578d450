//! The emulator under hostile input, as an outsider on loopback would send it: scope escalation,
//! unauthenticated floods, idle and slow connections, field-heavy multipart bodies, forged keys
//! against faults and limits, out-of-range numbers, and shutdown during uploads. Every wait is
//! bounded by a socket timeout, so a regression fails instead of hanging.

// Test helpers: a failed step is a failed test.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use pinata_emulator::{Emulator, EmulatorConfig};

#[test]
fn no_key_gains_rights_it_was_not_given() {
    let emu = spawn(EmulatorConfig::default());
    let admin = &emu.admin().jwt;
    let reader = create_key(emu.url(), admin, r#"{"resources":["org:read"]}"#);
    assert_eq!(reader.status, 200, "{}", reader.body);
    let reader_jwt = json(&reader.body)["JWT"].as_str().unwrap().to_owned();
    let writer = create_key(emu.url(), admin, r#"{"resources":["org:write"]}"#);
    let writer = json(&writer.body);
    let writer_jwt = writer["JWT"].as_str().unwrap().to_owned();

    // Listings show no usable secret, the admin's included.
    let listed = call(
        emu.url(),
        "GET",
        "/v3/pinata/keys",
        &[("authorization", &bearer(&reader_jwt))],
        b"",
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(
        !listed.body.contains(&emu.admin().api_secret),
        "the admin secret is listed"
    );
    for key in json(&listed.body)["keys"].as_array().unwrap() {
        assert!(key["secret"].is_null(), "a listed secret: {key}");
    }

    // org:write cannot mint an admin key, nor a key with an endpoint it does not hold.
    let admin_try = create_key(emu.url(), &writer_jwt, r#"{"admin":true}"#);
    assert_eq!(admin_try.status, 403, "{}", admin_try.body);
    let endpoint_try = create_key(
        emu.url(),
        &writer_jwt,
        r#"{"endpoints":{"data":{"pinList":true}}}"#,
    );
    assert_eq!(endpoint_try.status, 403, "{}", endpoint_try.body);
    // It can mint what it holds, or less.
    let lesser = create_key(emu.url(), &writer_jwt, r#"{"resources":["org:read"]}"#);
    assert_eq!(lesser.status, 200, "{}", lesser.body);

    // It cannot revoke the admin key; the admin key still works.
    let revoke = call(
        emu.url(),
        "PUT",
        &format!("/v3/pinata/keys/{}", emu.admin().api_key),
        &[("authorization", &bearer(&writer_jwt))],
        b"",
    );
    assert_eq!(revoke.status, 403, "{}", revoke.body);
    assert_eq!(test_auth(emu.url(), admin).status, 200);
    // The admin can still revoke the writer.
    let revoke_writer = call(
        emu.url(),
        "PUT",
        &format!(
            "/v3/pinata/keys/{}",
            writer["pinata_api_key"].as_str().unwrap()
        ),
        &[("authorization", &bearer(admin))],
        b"",
    );
    assert_eq!(revoke_writer.status, 200, "{}", revoke_writer.body);
}

#[test]
fn claimed_keys_leave_no_trace() {
    let emu = spawn(EmulatorConfig::default());
    let big_key = "k".repeat(20_000);
    for i in 0..200 {
        let claimed = format!("{big_key}{i}");
        let answer = call(
            emu.url(),
            "GET",
            "/data/testAuthentication",
            &[
                ("pinata_api_key", &claimed),
                ("pinata_secret_api_key", "nope"),
            ],
            b"",
        );
        assert_eq!(answer.status, 401);
    }
    let seen = call(
        emu.url(),
        "GET",
        "/emulator/faults",
        &[("authorization", &bearer(&emu.admin().jwt))],
        b"",
    );
    assert_eq!(seen.status, 200);
    // The unauthenticated calls are one counter, not one per claimed key.
    let requests = json(&seen.body)["requests"].as_object().unwrap().clone();
    assert!(requests.len() <= 2, "{} counters", requests.len());
    assert!(seen.body.len() < 1000, "{} bytes", seen.body.len());
}

#[test]
fn forged_requests_do_not_spend_a_key_s_limits_or_faults() {
    let emu = spawn(EmulatorConfig::default());
    let admin = emu.admin();
    let control = |method: &str, path: &str, body: &str| admin_call(&emu, method, path, body);
    let limit = format!(
        r#"{{"limit":2,"window_secs":60,"key":"{}"}}"#,
        admin.api_key
    );
    assert_eq!(control("PUT", "/emulator/rate_limit", &limit).status, 200);
    let fault = format!(
        r#"{{"fault":"status","status":503,"key":"{}"}}"#,
        admin.api_key
    );
    assert_eq!(control("POST", "/emulator/faults", &fault).status, 200);
    for _ in 0..3 {
        let forged = call(
            emu.url(),
            "GET",
            "/data/testAuthentication",
            &[
                ("pinata_api_key", &admin.api_key),
                ("pinata_secret_api_key", &"0".repeat(64)),
            ],
            b"",
        );
        assert_eq!(forged.status, 401, "{}", forged.body);
    }
    // The real key still has its fault, then its limit, untouched by the forgeries (the control
    // calls above are not counted against it: the rate limit was set by the first).
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 503);
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200);
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 429);
}

#[test]
fn numbers_out_of_range_are_refused_not_panics() {
    let emu = spawn(EmulatorConfig::default());
    let admin = &emu.admin().jwt;
    let control = |method: &str, path: &str, body: &str| admin_call(&emu, method, path, body);
    for body in [
        r#"{"limit":5,"window_secs":18446744073709551615}"#,
        r#"{"limit":5,"window_secs":0}"#,
    ] {
        let answer = control("PUT", "/emulator/rate_limit", body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
    }
    for body in [
        r#"{"fault":"status","status":200}"#,
        r#"{"fault":"status","status":700}"#,
        r#"{"fault":"slow_headers","ms":18446744073709551615}"#,
        r#"{"fault":"close","count":0}"#,
        r#"{"fault":"close","fraction":2.5}"#,
    ] {
        let answer = control("POST", "/emulator/faults", body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
    }
    // Every later request is still answered.
    assert_eq!(test_auth(emu.url(), admin).status, 200);

    for config in [
        EmulatorConfig {
            jwt_lifetime: Duration::MAX,
            ..Default::default()
        },
        EmulatorConfig {
            key_page_size: 0,
            ..Default::default()
        },
        EmulatorConfig {
            max_connections: 0,
            ..Default::default()
        },
        EmulatorConfig {
            max_upload_bytes: 0,
            ..Default::default()
        },
        EmulatorConfig {
            tus_expiry: Duration::ZERO,
            ..Default::default()
        },
    ] {
        let e = Emulator::spawn(config).expect_err("refused");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
    }
}

#[test]
fn the_binary_refuses_out_of_range_flags() {
    for args in [
        &["--rate-limit", "5/18446744073709551615"][..],
        &["--jwt-lifetime", "18446744073709551615"],
        &["--fault", "status=200"],
        &["--fault", "slow=18446744073709551615"],
        &["--key-page-size", "0"],
        &["--idle-timeout-ms", "0"],
        &["--max-upload-bytes", "0"],
        &["--max-upload-bytes", "9007199254740992"],
        &["--tus-expiry-secs", "0"],
        &["--tus-expiry-secs", "18446744073709551615"],
        &["--fault", "tus_status=404"],
        &["--gateway-domain", "Not.A-Domain\u{1b}"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
            .args(args)
            .output()
            .expect("run the emulator");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("must be") || stderr.contains("at most"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn unauthenticated_bodies_are_not_read_to_the_end() {
    let emu = spawn(EmulatorConfig::default());
    // A 10 MB JSON body with wrong credentials: answered after a small prefix, so the answer
    // arrives while most of the body is still unsent.
    let mut stream = connect(emu.url());
    let head = format!(
        "POST /pinning/pinJSONToIPFS HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         pinata_api_key: {}\r\npinata_secret_api_key: {}\r\ncontent-length: 10000000\r\n\r\n",
        emu.admin().api_key,
        "0".repeat(64)
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&[b' '; 200_000]).unwrap();
    let answer = read_answer(&mut stream).expect("an answer before the body is complete");
    assert_eq!(answer.status, 401, "{}", answer.body);

    // The real API's order holds for ordinary bodies: malformed JSON is a 400 even with bad
    // credentials.
    let malformed = call(
        emu.url(),
        "POST",
        "/pinning/pinJSONToIPFS",
        &[
            ("content-type", "application/json"),
            ("pinata_api_key", &emu.admin().api_key),
            ("pinata_secret_api_key", &"0".repeat(64)),
        ],
        b"{not json",
    );
    assert_eq!(malformed.status, 400, "{}", malformed.body);
}

/// A multipart body of `fields` text parts, each named `name` followed by its number (so every
/// name is different), each with one byte.
fn field_heavy_body(fields: usize, name: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..fields {
        body.extend_from_slice(
            format!("--b\r\ncontent-disposition: form-data; name=\"{name}{i}\"\r\n\r\nx\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--b--\r\n");
    body
}

fn upload(url: &str, jwt: &str, body: &[u8]) -> Answer {
    call(
        url,
        "POST",
        "/pinning/pinFileToIPFS",
        &[
            ("authorization", &bearer(jwt)),
            ("content-type", "multipart/form-data; boundary=b"),
        ],
        body,
    )
}

#[test]
fn field_heavy_multipart_is_parsed_in_linear_time_and_capped() {
    let emu = spawn(EmulatorConfig::default());
    let jwt = emu.admin().jwt.clone();
    // 100,000 one-byte fields (6.5 MB): answered (no file part, so 400) within the 10 s socket
    // timeout, while another client is served meanwhile. Before, this took minutes of CPU.
    let body = field_heavy_body(100_000, "f");
    let url = emu.url().to_owned();
    let heavy = std::thread::spawn(move || upload(&url, &jwt, &body));
    assert_eq!(test_auth(emu.url(), &emu.admin().jwt).status, 200);
    let answer = heavy.join().unwrap();
    assert_eq!(answer.status, 400, "{}", answer.body);

    // Names count against the field cap: 30,000 fields with 10 KB names are refused, not kept.
    let name = "n".repeat(10_000);
    let answer = upload(
        emu.url(),
        &emu.admin().jwt,
        &field_heavy_body(30_000, &name),
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[test]
fn idle_and_slow_connections_are_closed() {
    let emu = spawn(EmulatorConfig {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        ..Default::default()
    });
    // Idle: nothing sent. The server closes it (EOF or reset), long before the 10 s read timeout.
    let mut idle = connect(emu.url());
    let mut buf = [0u8; 64];
    // EOF or a reset is the server closing it; running into our own read timeout is not.
    let closed = match idle.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    };
    assert!(closed, "an idle connection stays open");
    // Slowloris: a header byte every 50 ms never completes a head within the header timeout.
    let mut slow = connect(emu.url());
    let started = Instant::now();
    let mut cut = false;
    for byte in b"GET /data/testAuthentication HTTP/1.1\r\nx-padding: "
        .iter()
        .cycle()
    {
        if slow.write_all(&[*byte]).is_err() || started.elapsed() > Duration::from_secs(8) {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(cut);
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the slow sender was never cut off"
    );
}

#[test]
fn idle_crowds_and_slow_senders_do_not_starve_others() {
    let emu = spawn(EmulatorConfig::default());
    let idle: Vec<TcpStream> = (0..500).map(|_| connect(emu.url())).collect();
    let mut slow = connect(emu.url());
    slow.write_all(b"GET /data/testAuthentication HTTP/1.1\r\n")
        .unwrap();
    // Not a performance figure: a liveness bound, far above a loopback call's ~1 ms. The median
    // of five calls, so one scheduling hiccup on a shared machine does not decide it.
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(test_auth(emu.url(), &emu.admin().jwt).status, 200);
            started.elapsed()
        })
        .collect();
    times.sort();
    assert!(times[2] < Duration::from_millis(100), "{times:?}");
    drop(idle);
}

/// An emulator process, killed when dropped.
struct Process {
    child: Child,
    url: String,
    jwt: String,
}

impl Process {
    fn start(shell_prefix: &str, args: &[&str]) -> Process {
        let mut command = format!(
            "{shell_prefix} exec '{}'",
            env!("CARGO_BIN_EXE_pinata-emulator")
        );
        for a in args {
            command.push_str(&format!(" '{a}'"));
        }
        let mut child = Command::new("sh")
            .args(["-c", &command])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the emulator");
        let mut line = String::new();
        let mut stdout = child.stdout.take().expect("stdout");
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            line.push(byte[0] as char);
        }
        let value = json(&line);
        Process {
            child,
            url: value["url"].as_str().unwrap().to_owned(),
            jwt: value["admin"]["jwt"].as_str().unwrap().to_owned(),
        }
    }

    /// User plus system CPU time of the process so far, from /proc.
    fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        let after_name = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = after_name.split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        // The kernel's USER_HZ is 100 on Linux.
        Some(Duration::from_millis(ticks * 10))
    }

    // Only the data-directory case stops a process and looks at what it left.
    #[cfg_attr(not(feature = "persistence"), allow(dead_code))]
    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn running_out_of_file_descriptors_is_waited_out_not_spun_on() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        eprintln!("skipped: needs /proc");
        return;
    }
    let emu = Process::start("ulimit -n 64 &&", &["--idle-timeout-ms", "1500"]);
    // More idle connections than the process may hold: accept fails with EMFILE meanwhile.
    let idle: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(addr(&emu.url)).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let before = emu.cpu_time().expect("cpu time");
    std::thread::sleep(Duration::from_secs(1));
    let after = emu.cpu_time().expect("cpu time");
    // Spinning on accept burns the whole second; backing off costs next to nothing.
    assert!(
        after - before < Duration::from_millis(300),
        "{:?} of CPU in one idle second",
        after - before
    );
    // Once the idle ones are timed out, new clients are served again.
    std::thread::sleep(Duration::from_millis(1500));
    drop(idle);
    assert_eq!(test_auth(&emu.url, &emu.jwt).status, 200);
}

#[test]
#[cfg(feature = "persistence")]
fn partial_uploads_are_removed_at_shutdown_and_startup() {
    let dir = std::env::temp_dir().join(format!("pinata-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data_dir = dir.to_string_lossy().into_owned();
    let mut emu = Process::start("", &["--data-dir", &data_dir]);
    // Half an upload, then SIGTERM while it is in flight.
    let mut stream = connect(&emu.url);
    let head = format!(
        "POST /pinning/pinFileToIPFS HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: multipart/form-data; boundary=b\r\ncontent-length: 10000000\r\n\r\n\
         --b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n",
        emu.jwt
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&vec![7u8; 1_000_000]).unwrap();
    let incoming = dir.join("incoming");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_dir(&incoming).map_or(0, |d| d.count()) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        std::fs::read_dir(&incoming).unwrap().count() > 0,
        "the upload is being received"
    );
    emu.terminate();
    assert_eq!(
        std::fs::read_dir(&incoming).unwrap().count(),
        0,
        "partial files left after SIGTERM"
    );
    // A leftover from a run that was killed outright is removed at the next start.
    std::fs::write(incoming.join("leftover"), b"partial").unwrap();
    let _emu = Process::start("", &["--data-dir", &data_dir]);
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 0);
    drop(_emu);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn anonymous_callers_spend_no_global_limit_or_fault() {
    let emu = spawn(EmulatorConfig::default());
    let admin = &emu.admin().jwt;
    let control = |method: &str, path: &str, body: &str| admin_call(&emu, method, path, body);
    assert_eq!(
        control(
            "PUT",
            "/emulator/rate_limit",
            r#"{"limit":2,"window_secs":60}"#
        )
        .status,
        200
    );
    assert_eq!(
        control(
            "POST",
            "/emulator/faults",
            r#"{"fault":"status","status":503}"#
        )
        .status,
        200
    );
    for _ in 0..5 {
        let anonymous = call(emu.url(), "GET", "/data/testAuthentication", &[], b"");
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    }
    // The global fault and both uses of the window are still there for the real caller.
    assert_eq!(test_auth(emu.url(), admin).status, 503);
    assert_eq!(test_auth(emu.url(), admin).status, 200);
    assert_eq!(test_auth(emu.url(), admin).status, 429);
}

#[test]
fn a_limited_key_creates_no_keys_so_its_uses_cannot_multiply() {
    let emu = spawn(EmulatorConfig::default());
    let create = |jwt: &str, body: &str| {
        call(
            emu.url(),
            "POST",
            "/v3/pinata/keys",
            &[
                ("authorization", &bearer(jwt)),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    let limited = create(
        &emu.admin().jwt,
        r#"{"keyName":"k","permissions":{"resources":["org:write"]},"maxUses":12}"#,
    );
    assert_eq!(limited.status, 200, "{}", limited.body);
    let jwt = json(&limited.body)["JWT"].as_str().unwrap().to_owned();
    for body in [
        r#"{"keyName":"k","permissions":{"resources":["org:write"]}}"#,
        r#"{"keyName":"k","permissions":{"resources":["org:read"]},"maxUses":10}"#,
        r#"{"keyName":"k","permissions":{"resources":["org:read"]},"maxUses":1}"#,
    ] {
        let child = create(&jwt, body);
        assert_eq!(child.status, 403, "{body}: {}", child.body);
        assert!(child.body.contains("limited uses"), "{}", child.body);
    }
    // Nor does a limited admin key, on the legacy path.
    let limited_admin = create(
        &emu.admin().jwt,
        r#"{"keyName":"a","permissions":{"admin":true},"maxUses":5}"#,
    );
    let admin_jwt = json(&limited_admin.body)["JWT"]
        .as_str()
        .unwrap()
        .to_owned();
    let legacy = call(
        emu.url(),
        "POST",
        "/users/generateApiKey",
        &[
            ("authorization", &bearer(&admin_jwt)),
            ("content-type", "application/json"),
        ],
        br#"{"keyName":"k","permissions":{"endpoints":{"data":{"pinList":true}}}}"#,
    );
    assert_eq!(legacy.status, 403, "{}", legacy.body);
    assert!(legacy.body.contains("limited uses"), "{}", legacy.body);
    // A refused creation spends nothing: the key still has its 12 uses.
    for n in 0..12 {
        assert_eq!(test_auth(emu.url(), &jwt).status, 200, "use {n}");
    }
    assert_eq!(test_auth(emu.url(), &jwt).status, 403);
    // An unlimited org:write key still creates keys.
    let unlimited = create(
        &emu.admin().jwt,
        r#"{"keyName":"u","permissions":{"resources":["org:write"]}}"#,
    );
    let parent = json(&unlimited.body)["JWT"].as_str().unwrap().to_owned();
    let child = create(
        &parent,
        r#"{"keyName":"c","permissions":{"resources":["org:read"]},"maxUses":3}"#,
    );
    assert_eq!(child.status, 200, "{}", child.body);
}

#[test]
fn a_malformed_prefix_is_a_400_even_past_the_unauthenticated_limit() {
    let emu = spawn(EmulatorConfig::default());
    let mut body = b"not json".to_vec();
    body.extend(std::iter::repeat_n(b' ', 100_000));
    let answer = call(
        emu.url(),
        "POST",
        "/pinning/pinJSONToIPFS",
        &[
            ("content-type", "application/json"),
            ("pinata_api_key", &emu.admin().api_key),
            ("pinata_secret_api_key", &"0".repeat(64)),
        ],
        &body,
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Unexpected token o in JSON at position 1"),
        "{}",
        answer.body
    );
}

#[test]
fn a_delay_fault_must_end_before_the_idle_timeout() {
    let emu = spawn(EmulatorConfig {
        idle_timeout: Duration::from_secs(2),
        ..Default::default()
    });
    let too_slow = call(
        emu.url(),
        "POST",
        "/emulator/faults",
        &[
            ("authorization", &bearer(&emu.admin().jwt)),
            ("content-type", "application/json"),
        ],
        br#"{"fault":"slow_headers","ms":5000}"#,
    );
    assert_eq!(too_slow.status, 400, "{}", too_slow.body);
    assert!(too_slow.body.contains("idle timeout"), "{}", too_slow.body);
    let e = Emulator::spawn(EmulatorConfig {
        idle_timeout: Duration::from_secs(2),
        faults: vec![pinata_emulator::faults::FaultRule::parse("slow=5000").unwrap()],
        ..Default::default()
    })
    .expect_err("refused at start-up");
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
}
