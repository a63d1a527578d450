//! What a terminal shows (a pseudo-terminal from util-linux's `script`): progress bars (absent
//! when stderr is a pipe, plain lines with `--progress always`), the JWT prompt, the gateway
//! prompt, Ctrl-C, and `pinata emulator`'s start-up message.
use std::process::Command;

use crate::common::{Emulator, Scratch, run};

/// Runs `pinata ARGS` with stdin, stdout and stderr on a pseudo-terminal; returns what the
/// terminal showed.
fn on_a_terminal(s: &Scratch, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let line = format!("{} {args}", bin.display());
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .env("TERM", "xterm-256color")
        .env_remove("PINATA_JWT")
        .output()
        .expect("util-linux's `script` runs the command on a pseudo-terminal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The first frame of the bar labelled `label` on `screen`, its escape sequences removed.
fn first_frame(screen: &str, label: &str) -> String {
    let start = screen
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} bar: {screen:?}"));
    let frame = &screen[start..];
    let end = frame.find(['\r', '\n']).unwrap_or(frame.len());
    let mut text = String::new();
    let mut chars = frame[..end].chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters, then a final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            text.push(c);
        }
    }
    text
}

#[test]
fn progress_bars_on_a_terminal_only() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("pty");
    s.login(&emu);
    // Large enough to take more than one frame; the bar draws at least its first and last.
    let file = s.file("bar.bin", &vec![7u8; 8 * 1024 * 1024]);
    let screen = on_a_terminal(&s, &format!("upload --network public {}", file.display()));
    assert!(
        screen.contains("bar.bin ["),
        "a byte bar named after the file: {screen:?}"
    );
    assert!(
        !first_frame(&screen, "bar.bin [").contains("B/s"),
        "no rate before a measurement: {screen:?}"
    );
    assert!(screen.contains("MiB"), "bytes shown: {screen:?}");
    assert!(screen.contains("bafy"), "the result: {screen:?}");
    let cid = screen
        .split_whitespace()
        .find(|w| w.starts_with("bafy"))
        .unwrap()
        .to_owned();

    // A download to a file: a byte bar too.
    let copy = s.dir.join("copy.bin");
    let shown = on_a_terminal(&s, &format!("download {cid} -o {}", copy.display()));
    assert!(shown.contains("download ["), "a download bar: {shown:?}");
    assert!(shown.contains("Downloaded"), "{shown:?}");
    assert_eq!(std::fs::read(&copy).unwrap().len(), 8 * 1024 * 1024);

    // A folder: files done and bytes sent.
    s.file("dir/a.bin", &vec![1u8; 2 * 1024 * 1024]);
    s.file("dir/b.bin", &vec![2u8; 2 * 1024 * 1024]);
    let screen = on_a_terminal(
        &s,
        &format!("upload --network public {}", s.dir.join("dir").display()),
    );
    assert!(screen.contains("dir 0/2 files"), "a files bar: {screen:?}");
    assert!(screen.contains("sent ["), "a bytes bar: {screen:?}");
    assert!(
        screen.contains(": uploaded to public IPFS, CID bafy") && screen.contains(" checked"),
        "the folder's CID checked: {screen:?}"
    );

    // Several files: a bar each, each named after its file.
    let other = s.file("other.bin", &vec![9u8; 8 * 1024 * 1024]);
    let screen = on_a_terminal(
        &s,
        &format!("upload {} {}", file.display(), other.display()),
    );
    assert!(screen.contains("bar.bin ["), "{screen:?}");
    assert!(screen.contains("other.bin ["), "{screen:?}");
    assert!(!screen.contains("upload ["), "{screen:?}");

    // --progress never on a terminal: no bar.
    let screen = on_a_terminal(&s, &format!("--progress never upload {}", file.display()));
    assert!(!screen.contains("bar.bin ["), "{screen:?}");

    // stderr is a pipe: no bar unless asked for.
    let (code, _, err) = run(s.pinata().arg("upload").arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("bar.bin ["), "{err}");
    let (code, _, err) = run(s
        .pinata()
        .args(["--progress", "always", "upload"])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("bar.bin ["), "plain progress lines: {err}");
}

#[test]
fn auth_prompts_on_the_terminal_without_echo() {
    use std::io::{Read, Write};
    use std::process::Stdio;

    let emu = Emulator::start(&[]);
    let s = Scratch::new("pty-auth");
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let line = format!(
        "{} --profile typed auth --emulator {}",
        bin.display(),
        emu.url
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .env("TERM", "xterm-256color")
        .env_remove("PINATA_JWT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Wait for the prompt, then type the JWT.
    let mut screen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&screen).contains("JWT:") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&screen));
        screen.extend_from_slice(&buf[..n]);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\n", emu.jwt).as_bytes())
        .unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let screen = String::from_utf8_lossy(&screen);
    assert!(screen.contains("Stored the credentials"), "{screen}");
    assert!(!screen.contains(&emu.jwt), "the JWT was echoed: {screen}");
    let stored = std::fs::read_to_string(s.config()).unwrap();
    assert!(stored.contains(&emu.jwt));
}

/// `gateways set` without a domain, on a terminal, for an account with several gateways (a
/// stand-in for the API): a numbered list (server text escaped), a prompt, a wrong answer asked
/// again, and the chosen host stored.
#[test]
fn gateways_set_offers_the_accounts_gateways_on_the_terminal() {
    use std::io::{Read, Write};
    use std::process::Stdio;

    let api = crate::common::fake_api(
        r#"{"data":{"rows":[{"id":"g-1","domain":"first-gw"},{"id":"g-2","domain":"second-gw"},
            {"id":"g-3","domain":"evil\u001b[2J"}]}}"#,
    );
    let s = Scratch::new("pty-gateways");
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let line = format!("{} --api-url {api} gateways set", bin.display());
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .env("TERM", "xterm-256color")
        .env(
            "PINATA_JWT",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut screen = Vec::new();
    let mut buf = [0u8; 256];
    // Waits until the screen shows `text` `times` times.
    let mut wait_for = |screen: &mut Vec<u8>, text: &str, times: usize| {
        while String::from_utf8_lossy(screen).matches(text).count() < times {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "no {text:?}: {}", String::from_utf8_lossy(screen));
            screen.extend_from_slice(&buf[..n]);
        }
    };
    wait_for(&mut screen, "Gateway to use [1-3]: ", 1);
    stdin.write_all(b"7\n").unwrap();
    stdin.flush().unwrap();
    wait_for(&mut screen, "Gateway to use [1-3]: ", 2);
    stdin.write_all(b"2\n").unwrap();
    stdin.flush().unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let screen = String::from_utf8_lossy(&screen);
    assert!(screen.contains("  1) first-gw.mypinata.cloud"), "{screen}");
    assert!(screen.contains("  2) second-gw.mypinata.cloud"), "{screen}");
    assert!(
        screen.contains(r"  3) evil\u{1b}[2J.mypinata.cloud"),
        "escaped: {screen:?}"
    );
    assert!(!screen.contains("\u{1b}[2J"), "{screen:?}");
    assert!(screen.contains("7 is not on the list"), "{screen}");
    assert!(
        screen.contains("Downloads and links now go through second-gw.mypinata.cloud"),
        "{screen}"
    );
    let stored: toml::Value =
        toml::from_str(&std::fs::read_to_string(s.config()).unwrap()).unwrap();
    assert_eq!(
        stored["profiles"]["default"]["gateway"].as_str(),
        Some("second-gw.mypinata.cloud"),
        "{stored}"
    );
}

/// The files remembered for a resume.
fn uploads_remembered(s: &Scratch) -> usize {
    std::fs::read_dir(s.state().join("uploads"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

/// Ctrl-C in the middle of a shell loop of uploads: the upload says how to resume it (its file
/// name escaped), and `pinata` dies by SIGINT, so bash stops the loop as it would for any
/// command. (With exit code 130 instead, bash takes Ctrl-C as handled and the loop goes on.)
#[test]
fn ctrl_c_during_an_upload_says_how_to_resume_it_and_stops_the_loop() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    // Every chunk of a resumable upload is answered 503 and tried again after a wait: the upload
    // sits between its creation (its token remembered) and its end for many seconds.
    let emu = Emulator::start(&["--fault", "tus_status=503,count=1000"]);
    let s = Scratch::new("pty-ctrl-c");
    s.login(&emu);
    // A name with an escape sequence that would clear the screen.
    let file = s.file("slow\x1b[2J.bin", &vec![5u8; 300_000]);
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    // The second file does not exist: an upload that went on to it would fail at once.
    let line = r#"bash -c 'for f in "$UPLOAD_FILE" /nonexistent; do "$CLI_BIN" --retries 20 upload "$f"; echo "the loop went on"; done'"#;
    let mut child = Command::new("script")
        .args(["-qec", line, "/dev/null"])
        .env("CLI_BIN", &bin)
        .env("UPLOAD_FILE", &file)
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .env("PINATA_TUS_THRESHOLD", "1K")
        .env("PINATA_TUS_CHUNK", "256K")
        .env("TERM", "xterm-256color")
        .env_remove("PINATA_JWT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let screen = std::thread::spawn(move || {
        let mut screen = Vec::new();
        let _ = stdout.read_to_end(&mut screen);
        String::from_utf8_lossy(&screen).into_owned()
    });

    // Once the upload is remembered, Ctrl-C on the terminal (the line discipline makes it a
    // SIGINT to the foreground process).
    let start = Instant::now();
    while uploads_remembered(&s) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the upload was never remembered"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();

    // It ends at once (bounded: killed after 20 s), saying how to resume; the shell ends too,
    // killed by SIGINT (util-linux's `script` reports that as 128 + 2).
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("still running 20 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let screen = screen.join().unwrap();
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(!screen.contains("the loop went on"), "{screen}");
    let dir = s.dir.display();
    assert!(
        screen.contains(&format!(
            "pinata: interrupted; the upload of {dir}/slow\\u{{1b}}[2J.bin is remembered: run \
             `pinata upload --resume $'{dir}/slow\\x1b[2J.bin'` to continue it"
        )),
        "{screen}"
    );
    assert!(
        !screen.contains("\x1b[2J"),
        "the name's escape sequence as it is: {screen:?}"
    );
    assert_eq!(uploads_remembered(&s), 1, "still remembered");
}

#[test]
fn a_resumed_upload_bar_shows_no_rate_before_measuring() {
    // The connection breaks 100 kB into the first chunk, once: the upload is remembered.
    let emu = Emulator::start(&["--fault", "tus_break=100000,count=1"]);
    let s = Scratch::new("pty-resume");
    s.login(&emu);
    let file = s.file("resumed.bin", &vec![6u8; 1_200_000]);
    let (code, _, err) = run(s
        .pinata()
        .env("PINATA_TUS_THRESHOLD", "1K")
        .env("PINATA_TUS_CHUNK", "256K")
        .args(["--retries", "0", "upload"])
        .arg(&file));
    assert_eq!(code, 5, "{err}");
    assert_eq!(uploads_remembered(&s), 1);

    // Resumed on a terminal: its bar, named after the file, starts without a rate or an ETA
    // (nothing is measured yet; the old first frame said `0 B/s ETA 0s`).
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("{} upload --resume", bin.display()),
            "/dev/null",
        ])
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .env("PINATA_TUS_CHUNK", "256K")
        .env("TERM", "xterm-256color")
        .env_remove("PINATA_JWT")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    let first = first_frame(&screen, "resumed.bin [");
    assert!(
        !first.contains("B/s") && !first.contains("ETA"),
        "{first:?}"
    );
    assert!(screen.contains("resumed and finished"), "{screen}");
    assert_eq!(uploads_remembered(&s), 0);
}

/// `pinata emulator` on a terminal prints where it listens and the commands that store its keys,
/// not the JSON line; each command, pasted into a shell as printed, works.
#[test]
fn the_emulator_on_a_terminal_prints_commands_that_work_as_printed() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let s = Scratch::new("pty-emulator");
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let key = "0123456789abcdef0123";
    let seed = s.file(
        "seed.json",
        format!(
            r#"{{"keys":[{{"name":"ci","api_key":"{key}","api_secret":"{}","permissions":{{"admin":true}}}}]}}"#,
            "ab".repeat(32)
        )
        .as_bytes(),
    );
    let line = format!(
        "{} emulator --listen 127.0.0.1:0 --seed {}",
        bin.display(),
        seed.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Stopped however the test ends (the emulator serves until told otherwise).
    let mut child = KillOnDrop(child);
    // Read on a thread of its own, so a screen without the commands (the old JSON line) fails
    // the test after a while rather than hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&screen)
        .contains("--jwt-stdin\r\n      pinata config use local\r\nseeded key ")
        || !String::from_utf8_lossy(&screen).ends_with('\n')
    {
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(bytes) => screen.extend_from_slice(&bytes),
            Err(_) => panic!(
                "no commands on the terminal: {}",
                String::from_utf8_lossy(&screen)
            ),
        }
    }
    let screen = String::from_utf8_lossy(&screen).into_owned();

    // No JSON: where it listens, its admin key, and the next commands, each whole on its line.
    assert!(!screen.contains('{'), "{screen}");
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_end_matches('\r')).collect();
    let first = lines[0];
    assert!(
        first.starts_with("pinata emulator listening on http://127.0.0.1:")
            && first.contains(" (admin key "),
        "{screen}"
    );
    let url = first
        .trim_start_matches("pinata emulator listening on ")
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    let auth = lines[1]
        .strip_prefix("next: ")
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        auth.starts_with("printf '%s' 'eyJ")
            && auth.ends_with(&format!(
                "' | pinata --profile local auth --emulator {url} --jwt-stdin"
            )),
        "{auth}"
    );
    assert_eq!(lines[2], "      pinata config use local", "{screen}");
    // A seeded key: its own profile.
    let seeded = lines[3]
        .strip_prefix(&format!("seeded key {key}: "))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        seeded.ends_with(&format!(
            "' | pinata --profile local-key1 auth --emulator {url} --jwt-stdin"
        )),
        "{seeded}"
    );

    // Pasted into a shell, as printed, with this `pinata` first on PATH: the profile is stored,
    // tested against this emulator, and made the default.
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in [auth, lines[2].trim(), seeded] {
        let mut sh = Command::new("sh");
        sh.args(["-c", command])
            .env("PATH", &path)
            .env("PINATA_CONFIG", s.config())
            .env("PINATA_STATE_DIR", s.state());
        for (key, _) in std::env::vars() {
            if key.starts_with("PINATA_") && key != "PINATA_CONFIG" && key != "PINATA_STATE_DIR" {
                sh.env_remove(key);
            }
        }
        let out = sh.output().unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let who: serde_json::Value = serde_json::from_str(&crate::common::stdout_of(
        s.pinata().args(["whoami", "--json"]),
    ))
    .unwrap();
    assert_eq!(who["profile"], "local", "{who}");
    assert_eq!(who["api_url"], url.as_str(), "{who}");
    let who: serde_json::Value =
        serde_json::from_str(&crate::common::stdout_of(s.pinata().args([
            "--profile",
            "local-key1",
            "whoami",
            "--json",
        ])))
        .unwrap();
    assert_eq!(who["api_key"], key, "{who}");

    // Ctrl-C stops it.
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the emulator did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Over HTTPS with a self-signed certificate, the printed commands save the certificate, trust it
/// through `PINATA_CA_CERT`, and store the profile; pasted as printed, with `pinata whoami` after
/// them in the same shell, they work.
#[test]
fn the_emulator_over_https_on_a_terminal_prints_commands_that_trust_it() {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let s = Scratch::new("pty-emulator-tls");
    let bin = assert_cmd::cargo::cargo_bin("pinata");
    let line = format!(
        "{} emulator --listen 127.0.0.1:0 --tls-self-signed",
        bin.display()
    );
    let child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&screen).contains("pinata config use local\r\n") {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(bytes) => screen.extend_from_slice(&bytes),
            Err(_) => panic!("no commands: {}", String::from_utf8_lossy(&screen)),
        }
    }
    let screen = String::from_utf8_lossy(&screen).replace('\r', "");
    assert!(
        screen.starts_with("pinata emulator listening on https://127.0.0.1:"),
        "{screen}"
    );
    let commands: Vec<&str> = screen
        .lines()
        .skip(1)
        .map(|l| l.strip_prefix("next: ").unwrap_or(l))
        .map(|l| l.strip_prefix("      ").unwrap_or(l))
        .collect();
    let script = format!("{}\npinata whoami --json\n", commands.join("\n"));
    assert!(script.contains("export PINATA_CA_CERT="), "{script}");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut sh = Command::new("sh");
    sh.args(["-c", &script])
        .current_dir(&s.dir)
        .env("PATH", &path)
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state());
    for (key, _) in std::env::vars() {
        if key.starts_with("PINATA_") && key != "PINATA_CONFIG" && key != "PINATA_STATE_DIR" {
            sh.env_remove(key);
        }
    }
    let out = sh.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = &stdout[stdout.find('{').unwrap_or_else(|| panic!("{stdout}"))..];
    let who: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(who["profile"], "local", "{who}");
    assert!(
        who["api_url"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
}

/// A process killed when the test ends, unless it ended first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
