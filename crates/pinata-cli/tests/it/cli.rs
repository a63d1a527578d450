//! End to end: the `pinata` binary against an emulator process started by `pinata emulator`.
use crate::common::{Emulator, Scratch, fake_api, json_lines_of, json_of, run, stdout_of};
use predicates::prelude::*;

#[test]
fn auth_stores_a_private_profile_and_whoami_checks_it() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("auth");
    // No credentials at all: an authentication error, with what to do.
    let (code, _, err) = run(s.pinata().arg("whoami"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("pinata auth"), "{err}");

    // Wrong credentials: refused, nothing stored.
    let (code, _, err) = run(s
        .pinata()
        .args(["--profile", "local", "auth", "--emulator", &emu.url])
        .write_stdin("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\n"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(!s.config().exists());

    // The admin JWT on stdin (as a prompt would read it).
    let (code, out, err) = run(s
        .pinata()
        .args(["--profile", "local", "auth", "--emulator", &emu.url])
        .write_stdin(format!("{}\n", emu.jwt)));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Congratulations"), "{err}");
    assert!(!out.contains(&emu.jwt) && !err.contains(&emu.jwt));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.config()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the config file is private");
        let dir = std::fs::metadata(s.config().parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir & 0o777, 0o700);
    }
    let text = std::fs::read_to_string(s.config()).unwrap();
    let file: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        file["profiles"]["local"]["api_url"].as_str(),
        Some(emu.url.as_str())
    );
    assert_eq!(
        file["profiles"]["local"]["jwt"].as_str(),
        Some(emu.jwt.as_str())
    );

    // A named profile that is not the default: --profile and PINATA_PROFILE select it.
    let who = json_of(s.pinata().args(["--profile", "local", "whoami", "--json"]));
    assert_eq!(who["profile"], "local");
    assert_eq!(who["credentials"], "jwt");
    assert_eq!(who["credentials_from"], "profile");
    assert!(who["message"].as_str().unwrap().contains("Congratulations"));
    let who = json_of(
        s.pinata()
            .env("PINATA_PROFILE", "local")
            .args(["test", "--json"]),
    );
    assert_eq!(who["api_url"], emu.url.as_str());
    // The default profile has no credentials: the error names the profile that has some, and
    // how to use it.
    let (code, _, err) = run(s.pinata().arg("whoami"));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(r#"neither PINATA_JWT nor the profile "default" has any"#),
        "{err}"
    );
    assert!(
        err.contains(r#"credentials are in profile "local""#),
        "{err}"
    );
    assert!(err.contains("`pinata config use local`"), "{err}");
    assert!(err.contains("--profile local"), "{err}");
    s.pinata()
        .args(["--profile", "nope", "whoami"])
        .assert()
        .code(2);

    // `config use` makes it the default; `config show` masks the secret.
    s.pinata()
        .args(["config", "use", "local"])
        .assert()
        .success();
    let (code, out, err) = run(s.pinata().args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("eyJh…(redacted)"), "{out}");
    assert!(!out.contains(&emu.jwt) && !err.contains(&emu.jwt));
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["profile"], "local");
    assert!(!shown.to_string().contains(&emu.jwt));

    // Precedence: the environment's URL beats the profile's, a flag beats the environment.
    let shown = json_of(
        s.pinata()
            .env("PINATA_API_URL", "http://127.0.0.1:9")
            .args(["config", "show", "--json"]),
    );
    assert_eq!(shown["api_url"], "http://127.0.0.1:9");
    let shown = json_of(
        s.pinata()
            .env("PINATA_API_URL", "http://127.0.0.1:9")
            .args([
                "--api-url",
                "http://127.0.0.1:10",
                "config",
                "show",
                "--json",
            ]),
    );
    assert_eq!(shown["api_url"], "http://127.0.0.1:10");
    // PINATA_JWT beats the profile's credentials.
    let (code, _, err) = run(s.pinata().env("PINATA_JWT", "not-a-jwt").arg("whoami"));
    assert_eq!(code, 3, "{err}");

    // Nothing listens there: a network error.
    let (code, _, err) = run(s
        .pinata()
        .args(["--api-url", "http://127.0.0.1:9", "whoami"]));
    assert_eq!(code, 5, "{err}");
    assert!(!err.contains(&emu.jwt));

    // A key pair, with the secret prompted (read from stdin here).
    let key = json_of(s.pinata().args([
        "keys",
        "create",
        "pair",
        "--scope",
        "org:files:read",
        "--json",
    ]));
    let api_key = key["api_key"].as_str().unwrap();
    let secret = key["api_secret"].as_str().unwrap();
    let (code, out, err) = run(s
        .pinata()
        .args([
            "--profile",
            "pair",
            "auth",
            "--emulator",
            &emu.url,
            "--key",
            api_key,
        ])
        .write_stdin(format!("{secret}\n")));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(secret) && !err.contains(secret));
    let who = json_of(s.pinata().args(["--profile", "pair", "whoami", "--json"]));
    assert_eq!(who["credentials"], "api key");
    assert_eq!(who["api_key"], api_key);
    let (_, out, _) = run(s.pinata().args(["--profile", "pair", "config", "show"]));
    assert!(!out.contains(secret), "{out}");
}

#[test]
fn upload_files_and_folders_verified_by_cid() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("upload");
    s.login(&emu);
    let file = s.file("hello.txt", b"hello, pinata\n");
    s.file("site/index.html", b"<h1>hi</h1>\n");
    s.file("site/css/site.css", b"body { color: red }\n");
    let site = s.dir.join("site");

    // The CID computed locally is the one the upload gets.
    let local = stdout_of(s.pinata().args(["cid", "-q"]).arg(&file));
    let up = json_lines_of(
        s.pinata()
            .args([
                "upload", "--json", "--name", "greeting", "--kv", "env=test", "--kv", "team=cli",
            ])
            .arg(&file),
    );
    assert_eq!(up.len(), 1);
    assert_eq!(up[0]["cid"].as_str().unwrap(), local.trim());
    assert_eq!(up[0]["name"], "greeting");
    assert_eq!(up[0]["keyvalues"]["env"], "test");
    assert_eq!(up[0]["network"], "private", "private unless asked");
    let id = up[0]["id"].as_str().unwrap().to_owned();

    // -q prints only the CID; a folder too (and it matches `pinata cid` of the folder).
    let folder_cid = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&site),
    );
    let local = stdout_of(s.pinata().args(["cid", "-q"]).arg(&site));
    assert_eq!(folder_cid, local);
    // Without -q: the folder's CID said checked on stderr, as a file's is.
    let (code, _, err) = run(s
        .pinata()
        .args(["upload", "--network", "public"])
        .arg(&site));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}: uploaded to public IPFS, CID {} checked",
            site.display(),
            local.trim()
        )),
        "{err}"
    );
    assert!(folder_cid.trim().starts_with("bafy"), "{folder_cid}");
    // CIDv0 and the legacy endpoint, wrapped: `pinata cid` predicts it with the same flags.
    let legacy = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--legacy", "--wrap"])
            .arg(&file),
    );
    let predicted = stdout_of(
        s.pinata()
            .args(["cid", "-q", "--legacy", "--wrap"])
            .arg(&file),
    );
    assert_eq!(legacy, predicted);
    assert!(legacy.starts_with("Qm"), "{legacy}");
    // Private.
    let private = json_lines_of(
        s.pinata()
            .args([
                "upload",
                "--json",
                "--network",
                "private",
                "--cid-version",
                "1",
            ])
            .arg(&file),
    );
    assert_eq!(private[0]["network"], "private");

    // Human output: a table with the CID on stdout, the check on stderr.
    let (code, out, err) = run(s.pinata().arg("upload").arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("CID"), "{out}");
    assert!(err.contains("checked"), "{err}");
    assert!(!out.contains(&emu.jwt) && !err.contains(&emu.jwt));

    // An expiry two hours from now.
    let expiring = json_lines_of(
        s.pinata()
            .args(["upload", "--json", "--expires", "2h"])
            .arg(&file),
    );
    let expiring = json_of(s.pinata().args([
        "files",
        "get",
        expiring[0]["id"].as_str().unwrap(),
        "--json",
    ]));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = expiring["expires_at"].as_u64().unwrap();
    assert!(at > now + 7000 && at <= now + 7300, "{at} vs {now}");
    s.pinata()
        .args(["files", "delete", expiring["id"].as_str().unwrap()])
        .assert()
        .success();

    // files list / get / update / delete.
    let listed = json_lines_of(
        s.pinata()
            .args(["files", "list", "--json", "--kv", "env=test"]),
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    let got = json_of(s.pinata().args(["files", "get", &id, "--json"]));
    assert_eq!(got["name"], "greeting");
    let updated = json_of(
        s.pinata()
            .args(["files", "update", &id, "--name", "renamed", "--json"]),
    );
    assert_eq!(updated["name"], "renamed");
    let (code, out, _) = run(s.pinata().args(["files", "list"]));
    assert_eq!(code, 0);
    assert!(out.contains("renamed") && out.starts_with("ID"), "{out}");
    // The private uploads above: greeting, the --network private one and the table's.
    let ids = stdout_of(
        s.pinata()
            .args(["files", "list", "-q", "--network", "private"]),
    );
    assert_eq!(ids.lines().count(), 3, "{ids}");
    s.pinata().args(["files", "delete", &id]).assert().success();
    let (code, _, err) = run(s.pinata().args(["files", "get", &id]));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("not found") || err.contains("Not Found"),
        "{err}"
    );
    s.pinata().args(["files", "update", &id]).assert().code(2);

    // Local file problems are exit code 6.
    let (code, _, err) = run(s.pinata().args(["upload", "no-such-file"]));
    assert_eq!(code, 6, "{err}");
    assert!(err.contains("no-such-file"), "{err}");
    // Usage errors are exit code 2.
    s.pinata()
        .args(["upload", "--wrap"])
        .arg(&file)
        .assert()
        .code(2);
    s.pinata()
        .args(["upload", "--cid-version", "7"])
        .arg(&file)
        .assert()
        .code(2);
    s.pinata()
        .args(["upload", "--kv", "novalue"])
        .arg(&file)
        .assert()
        .code(2);
}

#[test]
fn uploads_are_private_unless_asked_and_config_show_says_where_the_network_comes_from() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("network");
    s.login(&emu);
    let file = s.file("n.txt", b"which network?\n");
    s.file("folder/a.txt", b"a\n");
    let folder = s.dir.join("folder");

    // No flag, no variable, no profile setting: private, and said so.
    let (code, out, err) = run(s.pinata().args(["upload", "--json"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    let up: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(up["network"], "private");
    assert!(err.contains("uploaded to private IPFS"), "{err}");
    assert_eq!(
        stdout_of(
            s.pinata()
                .args(["files", "list", "-q", "--network", "public"])
        ),
        "",
        "nothing published"
    );
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["network"], "private");
    assert_eq!(shown["network_from"], "default");
    let (_, table, _) = run(s.pinata().args(["config", "show"]));
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["network", "private", "default"]),
        "{table}"
    );

    // --network public publishes.
    let (code, out, err) = run(s
        .pinata()
        .args(["upload", "--json", "--network", "public"])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("uploaded to public IPFS"), "{err}");
    let up: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(up["network"], "public");

    // The environment, then the profile, say where it comes from.
    let shown = json_of(
        s.pinata()
            .env("PINATA_NETWORK", "public")
            .args(["config", "show", "--json"]),
    );
    assert_eq!(shown["network"], "public");
    assert_eq!(shown["network_from"], "environment");
    s.pinata()
        .args(["config", "set", "network", "public"])
        .assert()
        .success();
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["network"], "public");
    assert_eq!(shown["network_from"], "profile");
    let up = json_lines_of(s.pinata().args(["upload", "--json"]).arg(&file));
    assert_eq!(up[0]["network"], "public");
    let (code, _, err) = run(s
        .pinata()
        .env("PINATA_NETWORK", "nowhere")
        .args(["config", "show"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("from the environment"), "{err}");
    s.pinata()
        .args(["config", "unset", "network"])
        .assert()
        .success();

    // --legacy is public by nature: no flag needed, and --network private contradicts it.
    let legacy = stdout_of(s.pinata().args(["upload", "-q", "--legacy"]).arg(&file));
    assert!(legacy.starts_with("Qm"), "{legacy}");
    let (code, _, err) = run(s
        .pinata()
        .args(["upload", "--legacy", "--network", "private"])
        .arg(&file));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("public only"), "{err}");

    // A folder is refused on private IPFS (by the library): the error says how to publish it.
    let (code, out, err) = run(s.pinata().arg("upload").arg(&folder));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("add --network public"), "{err}");
}

#[test]
fn files_get_takes_a_cid_and_not_found_says_what_to_check() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("lookup");
    s.login(&emu);
    let twice = s.file("twice.txt", b"uploaded twice\n");
    let once = s.file("once.txt", b"uploaded once\n");
    let first = json_lines_of(s.pinata().args(["upload", "--json"]).arg(&twice));
    let second = json_lines_of(s.pinata().args(["upload", "--json"]).arg(&twice));
    let cid = second[0]["cid"].as_str().unwrap();
    assert_eq!(first[0]["cid"], cid);

    // A CID held by two files: the newest, and a message that says so.
    let (code, out, err) = run(s.pinata().args(["files", "get", cid, "--json"]));
    assert_eq!(code, 0, "{err}");
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got["id"], second[0]["id"]);
    assert!(err.contains("2 files hold the CID"), "{err}");
    assert!(
        err.contains(&format!("pinata files list --cid {cid}")),
        "{err}"
    );
    // Held by one: that one, quietly; the same as by its id.
    let one = json_lines_of(s.pinata().args(["upload", "--json"]).arg(&once));
    let (code, out, err) =
        run(s
            .pinata()
            .args(["files", "get", one[0]["cid"].as_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let by_id =
        json_of(
            s.pinata()
                .args(["files", "get", one[0]["id"].as_str().unwrap(), "--json"]),
        );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        by_id
    );

    // Not found, by CID or by id: what to check, and on which network.
    let (code, _, err) = run(s.pinata().args([
        "files",
        "get",
        "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    ]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("no file has the CID bafkrei"), "{err}");
    assert!(err.contains("on the private network"), "{err}");
    assert!(err.contains("--network public looks on the other"), "{err}");
    let (code, _, err) = run(s.pinata().args(["files", "get", "no-such-id"]));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("check the id, on the private network"),
        "{err}"
    );

    // A group: its own list, not the files'.
    let (code, _, err) = run(s.pinata().args(["groups", "get", "no-such-group"]));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("check the group id (`pinata groups list`)"),
        "{err}"
    );
    assert!(!err.contains("files list"), "{err}");
    let (code, _, err) = run(s.pinata().args(["pins", "cancel", "no-such-job"]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("`pinata pins queue`"), "{err}");
}

/// A stand-in for an API that is up but failing: every request is answered `503`, and counted.
fn failing_api() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // The request's head (a GET has no body), then the answer.
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (url, asked)
}

/// A public download looks the CID up in the account's files first, but an API that is down or
/// slow neither fails it nor holds it up: the look-up is sent once, with a short timeout, and
/// the gateway download goes on (the old look-up spent the API's whole retry budget on each of
/// two networks: 6 requests to a failing API, two minutes against a silent one).
#[test]
fn a_public_download_goes_on_when_the_api_is_down() {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    let emu = Emulator::start(&[]);
    let s = Scratch::new("download-api-down");
    s.login(&emu);
    let content = b"served by the gateway alone\n".repeat(100);
    let file = s.file("open.bin", &content);
    let cid = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&file),
    );
    let cid = cid.trim();
    // The gateway stays the emulator (the profile's); only the API is elsewhere.
    let download = |api: &str, name: &str| {
        let copy = s.dir.join(name);
        let started = Instant::now();
        let (code, _, err) = run(s
            .pinata()
            .timeout(Duration::from_secs(40))
            .args(["--api-url", api, "download", cid, "-o"])
            .arg(&copy));
        assert_eq!(code, 0, "against {api}: {err}");
        assert_eq!(std::fs::read(&copy).unwrap(), content, "{err}");
        (err, started.elapsed())
    };

    // An API answering 503: asked once, and said in one line.
    let (api, asked) = failing_api();
    let (err, _) = download(&api, "copy-503.bin");
    assert_eq!(asked.load(Ordering::SeqCst), 1, "{err}");
    assert!(
        err.contains(&format!(
            "note: could not look {cid} up in the account's files ("
        )) && err.contains("): fetching it from the gateway as a public file"),
        "{err}"
    );
    assert!(err.contains(&format!("CID {cid} checked")), "{err}");

    // An API that takes the connection and never answers: the look-up's short timeout, once
    // (bounded loosely: the old code took minutes and was killed at 40 s).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}", silent.local_addr().unwrap());
    let (err, took) = download(&api, "copy-silent.bin");
    assert!(took < Duration::from_secs(30), "{took:?}: {err}");
    assert!(err.contains("note: could not look"), "{err}");
    drop(silent);

    // Nothing listening at all.
    let (err, _) = download(&api, "copy-closed.bin");
    assert!(err.contains("note: could not look"), "{err}");
}

#[test]
fn download_public_and_private_with_checks() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("download");
    s.login(&emu);
    let content = b"some bytes worth fetching\n".repeat(1000);
    let file = s.file("data.bin", &content);
    let cid = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&file),
    );
    let cid = cid.trim();

    // A folder's CID is named a folder (never corruption), with the command that fetches a file.
    let site = s.dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), b"<p>hi</p>").unwrap();
    std::fs::write(site.join("about.html"), b"<p>about</p>").unwrap();
    let folder = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&site),
    );
    let folder = folder.trim();
    let (code, out, err) = run(s.pinata().args(["download", folder]));
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains(&format!("{folder} is a folder, not a file")),
        "{err}"
    );
    assert!(!err.contains("other bytes"), "{err}");
    assert!(
        err.contains(&format!("pinata download {folder} PATH")),
        "{err}"
    );
    let page = s
        .pinata()
        .args(["download", folder, "index.html"])
        .output()
        .unwrap();
    assert_eq!(page.stdout, b"<p>hi</p>");

    // A file id (what `files list -q` prints) is no CID: the hint names the command that gives it.
    let id = stdout_of(
        s.pinata()
            .args(["files", "list", "--network", "public", "-q"]),
    );
    let id = id.lines().next().unwrap();
    let (code, _, err) = run(s.pinata().args(["download", id]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{id} is not a CID")), "{err}");
    assert!(err.contains("pinata files get ID"), "{err}");

    // To stdout (not a terminal here), the CID checked.
    let out = s.pinata().args(["download", cid]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, content);
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked"));

    // To a file, with --json describing it.
    let target = s.dir.join("copy.bin");
    let done = json_of(
        s.pinata()
            .args(["download", cid, "--json", "-o"])
            .arg(&target),
    );
    assert_eq!(done["bytes"], content.len());
    assert_eq!(done["verified_cid"], cid);
    assert_eq!(std::fs::read(&target).unwrap(), content);
    // An existing file is kept unless --force.
    s.pinata()
        .args(["download", cid, "-o"])
        .arg(&target)
        .assert()
        .code(6);
    s.pinata()
        .args(["download", cid, "--force", "-o"])
        .arg(&target)
        .assert()
        .success();
    // The size cap: the account's own file has a known size, said before anything is fetched.
    let (code, out, err) = run(s.pinata().args(["download", cid, "--max-size", "100"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains(&format!(
            "{cid} is 25.4 KiB (26000 bytes), more than --max-size of 100 B (100 bytes)"
        )),
        "{err}"
    );
    assert!(
        err.contains("pass --max-size 26K (or more) to download it"),
        "{err}"
    );
    // Sizes take units: K, M, G count in 1024s, KB, MB, GB in 1000s.
    for size in ["26K", "25.4KiB", "26KB", "2G", "1.5GB", "26000"] {
        let out = s
            .pinata()
            .args(["download", cid, "--max-size", size])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{size}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, content);
    }
    let (code, _, err) = run(s.pinata().args(["download", cid, "--max-size", "25KB"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("more than --max-size of 24.4 KiB (25000 bytes)"),
        "{err}"
    );
    let (code, _, err) = run(s.pinata().args(["download", cid, "--max-size", "2X"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("K, M, G, T (or KiB, MiB, GiB, TiB) count in 1024s"),
        "{err}"
    );

    // The account's own file needs no flag whatever its size: the default cap (1 GiB, made
    // 1000 bytes here) gives way to the size the file list knows.
    let out = s
        .pinata()
        .env("PINATA_DOWNLOAD_CAP", "1000")
        .args(["download", cid])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, content);
    // A CID the account's file list does not know (a legacy pin): its size is found out while
    // downloading; the error names the cap and what to pass.
    let legacy = stdout_of(s.pinata().args(["upload", "-q", "--legacy"]).arg(&file));
    let (code, _, err) = run(s
        .pinata()
        .env("PINATA_DOWNLOAD_CAP", "1000")
        .args(["download", legacy.trim()]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "the download of {} is larger than the default cap of 1000 B (1000 bytes)",
            legacy.trim()
        )),
        "{err}"
    );
    assert!(
        err.contains("pass a larger --max-size, e.g. --max-size 2K"),
        "{err}"
    );

    // A private file: through a signed link.
    let secret = s.file("secret.txt", b"only for the account\n");
    let pcid = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "private"])
            .arg(&secret),
    );
    let pcid = pcid.trim();
    let out = s
        .pinata()
        .args(["download", pcid, "--private"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"only for the account\n");
    // Without --private: the file list says it is the account's private file, so it comes
    // through a signed link all the same.
    let (code, out, err) = run(s.pinata().args(["download", pcid]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "only for the account\n");
    assert!(
        err.contains(&format!(
            "{pcid} is a private file of the account: fetching it through a signed link"
        )),
        "{err}"
    );
    // A CID the account does not hold and the gateway does not serve: not found, and the hint
    // says what to do.
    let (code, _, err) = run(s.pinata().args([
        "download",
        "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    ]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("--private"), "{err}");

    // A link to it: a URL on the gateway that anyone can fetch until it expires.
    let url = stdout_of(s.pinata().args(["link", pcid, "--expires", "10m"]));
    assert!(url.starts_with(&emu.url) && url.contains(pcid), "{url}");
    let json = json_of(s.pinata().args(["link", pcid, "--json"]));
    assert!(json["url"].as_str().unwrap().contains("X-Signature"));
    s.pinata()
        .args(["link", pcid, "--expires", "soon"])
        .assert()
        .code(2);

    // A signed upload URL.
    let url = stdout_of(
        s.pinata()
            .args(["sign-upload", "--expires", "5m", "--max-size", "1KB"]),
    );
    assert!(url.starts_with(&emu.url), "{url}");
}

#[test]
fn keys_scopes_and_permission_errors() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("keys");
    s.login(&emu);
    let file = s.file("f.txt", b"scoped\n");

    let key = json_of(s.pinata().args([
        "keys",
        "create",
        "reader",
        "--scope",
        "org:files:read",
        "--max-uses",
        "50",
        "--json",
    ]));
    let jwt = key["jwt"].as_str().unwrap().to_owned();
    let api_key = key["api_key"].as_str().unwrap().to_owned();

    // A key without org:files:write cannot upload: exit 3, and the error names the scope.
    let (code, out, err) = run(s.pinata().env("PINATA_JWT", &jwt).arg("upload").arg(&file));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("org:files:write"), "{err}");
    assert!(!err.contains(&jwt) && !out.contains(&jwt));
    // It can list.
    s.pinata()
        .env("PINATA_JWT", &jwt)
        .args(["files", "list"])
        .assert()
        .success();
    // It cannot manage keys.
    let (code, _, err) = run(s.pinata().env("PINATA_JWT", &jwt).args(["keys", "list"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("admin"), "{err}");

    // Legacy endpoint permissions.
    let legacy = json_of(s.pinata().args([
        "keys",
        "create",
        "legacy",
        "--endpoint",
        "pinning.pinFileToIPFS",
        "--json",
    ]));
    let legacy_jwt = legacy["jwt"].as_str().unwrap();
    s.pinata()
        .env("PINATA_JWT", legacy_jwt)
        .args(["upload", "--legacy", "-q"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Qm"));
    s.pinata()
        .args(["keys", "create", "bad", "--endpoint", "pinning.nothing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pinning.pinFileToIPFS"));
    s.pinata().args(["keys", "create", "none"]).assert().code(2);

    let listed = json_lines_of(
        s.pinata()
            .args(["keys", "list", "--json", "--name", "reader"]),
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["key"], api_key.as_str());
    assert_eq!(listed[0]["max_uses"], 50);
    assert_eq!(listed[0]["permissions"], "org:files:read");
    let (_, out, _) = run(s.pinata().args(["keys", "list"]));
    assert!(out.contains("reader") && out.starts_with("KEY"), "{out}");

    // --save-as: the new key goes into a profile; its secrets are not printed.
    let (code, out, err) = run(s.pinata().args([
        "keys",
        "create",
        "uploader",
        "--scope",
        "org:files:write",
        "--save-as",
        "ci",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    let saved: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(saved["profile"], "ci");
    assert!(
        saved.get("jwt").is_none() && saved.get("api_secret").is_none(),
        "{out}"
    );
    assert!(!out.contains("eyJ") && !err.contains("eyJ"), "{out}{err}");
    let who = json_of(s.pinata().args(["--profile", "ci", "whoami", "--json"]));
    assert_eq!(who["api_key"], saved["api_key"]);
    s.pinata()
        .args(["--profile", "ci", "upload", "-q"])
        .arg(&file)
        .assert()
        .success();

    s.pinata()
        .args(["keys", "revoke", &api_key])
        .assert()
        .success();
    let (code, _, err) = run(s.pinata().env("PINATA_JWT", &jwt).arg("whoami"));
    assert_eq!(code, 3, "{err}");
    let revoked = json_lines_of(
        s.pinata()
            .args(["keys", "list", "--json", "--revoked", "true"]),
    );
    assert!(revoked.iter().any(|k| k["key"] == api_key.as_str()));
}

#[test]
fn groups_and_pins() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("groups");
    s.login(&emu);
    let file = s.file("g.txt", b"grouped\n");
    let up = json_lines_of(s.pinata().args(["upload", "--json"]).arg(&file));
    let file_id = up[0]["id"].as_str().unwrap().to_owned();
    let cid = up[0]["cid"].as_str().unwrap().to_owned();

    let group = json_of(s.pinata().args(["groups", "create", "photos", "--json"]));
    let gid = group["id"].as_str().unwrap().to_owned();
    assert_eq!(group["name"], "photos");
    let listed = json_lines_of(s.pinata().args(["groups", "list", "--json"]));
    assert!(listed.iter().any(|g| g["id"] == gid.as_str()));
    let renamed = json_of(
        s.pinata()
            .args(["groups", "update", &gid, "--name", "pics", "--json"]),
    );
    assert_eq!(renamed["name"], "pics");
    assert_eq!(
        json_of(s.pinata().args(["groups", "get", &gid, "--json"]))["name"],
        "pics"
    );
    s.pinata()
        .args(["groups", "add", &gid, &file_id])
        .assert()
        .success();
    let in_group = stdout_of(s.pinata().args(["files", "list", "-q", "--group", &gid]));
    assert_eq!(in_group.trim(), file_id);
    s.pinata()
        .args(["groups", "remove", &gid, &file_id])
        .assert()
        .success();
    let in_group = stdout_of(s.pinata().args(["files", "list", "-q", "--group", &gid]));
    assert_eq!(in_group.trim(), "");
    s.pinata()
        .args(["groups", "delete", &gid])
        .assert()
        .success();
    s.pinata().args(["groups", "get", &gid]).assert().code(4);

    // v3 pin by CID: queued, listed, cancelled.
    let job = json_of(s.pinata().args([
        "pins",
        "add-by-cid",
        "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
        "--name",
        "remote",
        "--json",
    ]));
    let job_id = job["id"].as_str().unwrap().to_owned();
    let queue = json_lines_of(s.pinata().args(["pins", "queue", "--json"]));
    assert!(queue.iter().any(|j| j["id"] == job_id.as_str()));
    let listed = json_lines_of(s.pinata().args(["pins", "list", "--json"]));
    assert_eq!(listed, queue, "`pins list` is the queue");
    s.pinata()
        .args(["pins", "cancel", &job_id])
        .assert()
        .success();
    s.pinata()
        .args(["pins", "add-by-cid", "not-a-cid"])
        .assert()
        .code(2);

    // The legacy pin list, metadata and unpin.
    let pinned = stdout_of(s.pinata().args(["upload", "-q", "--legacy"]).arg(&file));
    let pinned = pinned.trim();
    let pins = json_lines_of(
        s.pinata()
            .args(["pins", "legacy", "list", "--json", "--cid", pinned]),
    );
    assert_eq!(pins.len(), 1);
    s.pinata()
        .args([
            "pins",
            "legacy",
            "metadata",
            pinned,
            "--name",
            "legacy-name",
            "--kv",
            "a=b",
        ])
        .assert()
        .success();
    let pins = json_lines_of(
        s.pinata()
            .args(["pins", "legacy", "list", "--json", "--cid", pinned]),
    );
    assert_eq!(pins[0]["name"], "legacy-name");
    assert_eq!(pins[0]["keyvalues"]["a"], "b");
    s.pinata()
        .args(["pins", "legacy", "unpin", pinned])
        .assert()
        .success();
    let pins = stdout_of(
        s.pinata()
            .args(["pins", "legacy", "list", "-q", "--cid", pinned]),
    );
    assert_eq!(pins.trim(), "");

    // Hot swaps: the gateway serves the other CID (of public files, seen on /ipfs/).
    assert_eq!(
        stdout_of(
            s.pinata()
                .args(["upload", "-q", "--network", "public"])
                .arg(&file)
        )
        .trim(),
        cid
    );
    let other = s.file("other.txt", b"the replacement\n");
    let other_cid = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&other),
    );
    let other_cid = other_cid.trim();
    let swap = json_of(s.pinata().args([
        "swaps",
        "add",
        &cid,
        other_cid,
        "--json",
        "--network",
        "public",
    ]));
    assert_eq!(swap["mapped_cid"], other_cid);
    let history = stdout_of(
        s.pinata()
            .args(["swaps", "list", &cid, "-q", "--network", "public"]),
    );
    assert_eq!(history.trim(), other_cid);
    let served = s
        .pinata()
        .args(["download", &cid, "--no-verify"])
        .output()
        .unwrap();
    assert_eq!(served.stdout, b"the replacement\n");
    s.pinata()
        .args(["swaps", "delete", &cid, "--network", "public"])
        .assert()
        .success();
    let served = s.pinata().args(["download", &cid]).output().unwrap();
    assert_eq!(served.stdout, b"grouped\n");
}

#[test]
fn go_cli_spellings_and_gateway_commands() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("go-cli");
    s.login(&emu);
    let file = s.file("go.txt", b"as the Go CLI spells it\n");

    // --net, -n NAME, -g GROUP on upload; -a/--amount, -c, --cidPending on lists.
    let group = json_of(
        s.pinata()
            .args(["groups", "create", "go", "--net", "public", "--json"]),
    );
    let gid = group["id"].as_str().unwrap();
    let up = json_lines_of(
        s.pinata()
            .args([
                "upload", "--json", "--net", "public", "-n", "go-name", "-g", gid,
            ])
            .arg(&file),
    );
    assert_eq!(up[0]["network"], "public");
    assert_eq!(up[0]["name"], "go-name");
    let cid = up[0]["cid"].as_str().unwrap();
    s.pinata()
        .args(["upload", "-q", "--net", "public"])
        .arg(&file)
        .assert()
        .success();
    let listed = stdout_of(
        s.pinata()
            .args(["files", "list", "--net", "public", "-a", "1", "-q"]),
    );
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let listed = stdout_of(s.pinata().args([
        "files", "list", "--net", "public", "--amount", "5", "-c", cid, "-q",
    ]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    let listed = stdout_of(
        s.pinata()
            .args(["files", "list", "--net", "public", "-g", gid, "-q"]),
    );
    assert_eq!(listed.trim(), up[0]["id"].as_str().unwrap());
    let pending =
        stdout_of(
            s.pinata()
                .args(["files", "list", "--net", "public", "--cidPending", "-q"]),
        );
    assert_eq!(pending, "");
    let groups = stdout_of(
        s.pinata()
            .args(["groups", "list", "--net", "public", "-a", "1", "-q"]),
    );
    assert_eq!(groups.trim(), gid);

    // keys: --uses (create: its most uses; list: only limited keys), -e, --revoked as a switch.
    let key = json_of(s.pinata().args([
        "keys",
        "create",
        "go-key",
        "--uses",
        "3",
        "-e",
        "pinning.pinFileToIPFS",
        "--json",
    ]));
    let api_key = key["api_key"].as_str().unwrap();
    let limited = json_lines_of(s.pinata().args(["keys", "list", "--uses", "--json"]));
    assert_eq!(limited.len(), 1, "{limited:?}");
    assert_eq!(limited[0]["key"], api_key);
    assert_eq!(limited[0]["max_uses"], 3);
    s.pinata()
        .args(["keys", "revoke", api_key])
        .assert()
        .success();
    let revoked = json_lines_of(s.pinata().args(["keys", "list", "--revoked", "--json"]));
    assert!(
        revoked.iter().all(|k| k["state"] != "active"),
        "{revoked:?}"
    );
    assert!(revoked.iter().any(|k| k["key"] == api_key), "{revoked:?}");
    let active = json_lines_of(s.pinata().args(["keys", "list", "-r", "false", "--json"]));
    assert!(!active.iter().any(|k| k["key"] == api_key), "{active:?}");
    assert!(!active.is_empty());

    // gateways set: the profile's gateway.
    s.pinata()
        .args(["config", "unset", "gateway"])
        .assert()
        .success();
    s.pinata()
        .args(["gateways", "set", &emu.url])
        .assert()
        .success();
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["gateway"], emu.url.as_str());
    // Without a domain, the account's gateways, as the Go CLI's picker: the emulator lists one,
    // which is taken (its mypinata.cloud host), with a warning that the emulator's gateway is its
    // own URL and how to go back to it.
    let (code, _, err) = run(s.pinata().args(["gateways", "s"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("The account has one gateway: emulator.mypinata.cloud"),
        "{err}"
    );
    assert!(
        err.contains(&format!("`pinata gateways set {}`", emu.url)),
        "{err}"
    );
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["gateway"], "emulator.mypinata.cloud");
    s.pinata()
        .args(["gateways", "set", &emu.url])
        .assert()
        .success();

    // gateways link CID EXPIRES: a signed link for that many seconds.
    let url = stdout_of(s.pinata().args(["gateways", "link", cid, "600"]));
    assert!(url.starts_with(&emu.url) && url.contains(cid), "{url}");
    assert!(url.contains("X-Expires=600"), "{url}");

    // gateways open: the link printed, and handed to $BROWSER.
    let opened = s.dir.join("opened.txt");
    let browser = s.file(
        "browser.sh",
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()).as_bytes(),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (code, out, err) = run(s
        .pinata()
        .env("BROWSER", &browser)
        .args(["gateways", "open", cid]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("X-Signature"), "{out}");
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), out.trim());
    assert!(err.contains("Opened with"), "{err}");
    // No browser to be had: the link is still printed, and the warning says to open it.
    let (code, out, err) = run(s
        .pinata()
        .env("BROWSER", s.dir.join("no-such-browser"))
        .args(["gateways", "o", cid]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("X-Signature"), "{out}");
    assert!(err.contains("cannot open a browser"), "{err}");

    // `pinata cid` says what it predicts, and leaves empty directories out as uploads do.
    let help = stdout_of(s.pinata().args(["cid", "--help"]));
    assert!(help.contains("Predict the CID an upload"), "{help}");
    assert!(help.contains("empty directories are left out"), "{help}");
    s.file("tree/a.txt", b"a\n");
    let tree = s.dir.join("tree");
    let without = stdout_of(s.pinata().args(["cid", "-q"]).arg(&tree));
    std::fs::create_dir_all(tree.join("empty/deeper")).unwrap();
    let with = stdout_of(s.pinata().args(["cid", "-q"]).arg(&tree));
    assert_eq!(with, without);
    let uploaded = stdout_of(
        s.pinata()
            .args(["upload", "-q", "--net", "public"])
            .arg(&tree),
    );
    assert_eq!(uploaded, with);
}

/// A JWT in form only (no `exp`): what a stand-in for the API is sent.
const SOME_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

/// An account with three gateways as the API lists them (one with a custom domain, one whose
/// domain is already a whole host), of four it counts.
const SEVERAL_GATEWAYS: &str = r#"{"data":{"count":4,"rows":[
    {"id":"g-1","name":"First","domain":"first-gw","restrict":false,"created_at":"2024-07-12T15:10:48.000Z"},
    {"id":"g-2","domain":"second-gw","restrict":true,"custom_domains":[{"domain":"ipfs.example.com"}]},
    {"id":"g-3","domain":"ipfs.example.org","settings":{}}
]}}"#;

/// `gateways list` (a table, JSON lines, the hosts with -q) and `gateways set` without a domain:
/// the emulator's one gateway is taken; several are listed and none is chosen without a
/// terminal (the prompt is in `pty.rs`); a key without `org:gateways:read` is told so.
#[test]
fn gateways_list_and_set_choose_among_the_accounts_gateways() {
    let emu = Emulator::start(&["--gateway-domain", "my-gw"]);
    let s = Scratch::new("gateways");
    s.login(&emu);
    let table = stdout_of(s.pinata().args(["gateways", "list"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines[0].starts_with("HOST") && lines[0].contains("CUSTOM DOMAINS"),
        "{table}"
    );
    assert!(lines[1].starts_with("my-gw.mypinata.cloud  "), "{table}");
    let listed = json_lines_of(s.pinata().args(["gateways", "ls", "--json"]));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["host"], "my-gw.mypinata.cloud");
    assert_eq!(listed[0]["domain"], "my-gw");
    assert_eq!(listed[0]["restrict"], false);
    assert_eq!(listed[0]["id"].as_str().unwrap().len(), 36);
    assert_eq!(
        stdout_of(s.pinata().args(["gateways", "list", "-q"])),
        "my-gw.mypinata.cloud\n"
    );
    let (code, _, err) = run(s.pinata().args(["gateways", "set"]));
    assert_eq!(code, 0, "{err}");
    let shown = json_of(s.pinata().args(["config", "show", "--json"]));
    assert_eq!(shown["gateway"], "my-gw.mypinata.cloud");

    // A key that may read files but not gateways: refused, and told which scope it lacks.
    let key = json_of(s.pinata().args([
        "keys",
        "create",
        "files-only",
        "--scope",
        "org:files:read",
        "--json",
    ]));
    let jwt = key["jwt"].as_str().unwrap();
    for args in [["gateways", "list"], ["gateways", "set"]] {
        let (code, _, err) = run(s.pinata().env("PINATA_JWT", jwt).args(args));
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains("org:gateways:read"), "{args:?}: {err}");
    }

    // Several gateways (a stand-in for the API, which the emulator is not): each with its host,
    // a warning that the answer holds fewer than it counts.
    let api = fake_api(SEVERAL_GATEWAYS);
    let other = Scratch::new("gateways-several");
    let several = |args: &[&str]| {
        let mut cmd = other.pinata();
        cmd.env("PINATA_JWT", SOME_JWT)
            .args(["--api-url", api.as_str()])
            .args(args);
        run(&mut cmd)
    };
    let (code, out, err) = several(&["gateways", "list", "-q"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "first-gw.mypinata.cloud\nsecond-gw.mypinata.cloud\nipfs.example.org\n"
    );
    assert!(
        err.contains("the API listed 3 of the account's 4 gateways"),
        "{err}"
    );
    let (code, out, _) = several(&["gateways", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("second-gw.mypinata.cloud  g-2")
                && l.ends_with("ipfs.example.com")),
        "{out}"
    );
    let (code, out, err) = several(&["gateways", "set"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    for listed in [
        "  1) first-gw.mypinata.cloud\n",
        "  2) second-gw.mypinata.cloud\n",
        "  3) ipfs.example.org\n",
    ] {
        assert!(err.contains(listed), "{err}");
    }
    assert!(err.contains("no terminal to choose one on"), "{err}");
    assert!(err.contains("`pinata gateways set DOMAIN`"), "{err}");
    assert!(
        !other.config().exists(),
        "nothing was stored: {:?}",
        std::fs::read_to_string(other.config())
    );
}

#[test]
fn help_completions_and_usage() {
    let s = Scratch::new("help");
    s.pinata()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("6  local files"));
    for command in [
        "auth",
        "whoami",
        "upload",
        "cid",
        "files",
        "groups",
        "pins",
        "keys",
        "download",
        "link",
        "sign-upload",
        "gateways",
        "config",
        "completions",
    ] {
        s.pinata()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    for shell in ["bash", "zsh", "fish"] {
        s.pinata()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("upload"));
    }
    // -q's one rule, in the help.
    let help = stdout_of(s.pinata().args(["upload", "--help"]));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("the id of a file, group, key or pin job")
            && help.contains("the CID of what was uploaded or pinned"),
        "{help}"
    );
    s.pinata().arg("frobnicate").assert().code(2);
    s.pinata().args(["completions", "tcsh"]).assert().code(2);
    // The emulator's own flags pass through, and its help names the program as it was run (it
    // said `pinata-emulator`, a command the user may not have).
    let help = stdout_of(s.pinata().args(["emulator", "--help"]));
    assert!(help.contains("--data-dir"), "{help}");
    assert!(
        help.starts_with("pinata emulator: a local Pinata-compatible API server\n"),
        "{help}"
    );
    assert!(help.contains("USAGE: pinata emulator [OPTIONS]"), "{help}");
    assert!(
        help.contains("On a terminal, `pinata emulator` prints"),
        "{help}"
    );
    assert!(!help.contains("pinata-emulator"), "{help}");
    s.pinata()
        .args(["emulator", "--listen", "nonsense"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("pinata emulator: --listen"));
    // A broken config file is a usage error that names the file.
    std::fs::create_dir_all(s.config().parent().unwrap()).unwrap();
    std::fs::write(s.config(), "profiles = 3").unwrap();
    s.pinata()
        .arg("whoami")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config.toml"));
}

/// Runs `pinata ARGS` with stdout a pipe whose reading end is already closed (`| head -1` once
/// `head` has its line): its exit code and stderr.
fn into_a_closed_pipe(s: &Scratch, args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("pinata"));
    for (key, _) in std::env::vars() {
        if key.starts_with("PINATA_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .args(args)
        .env("PINATA_CONFIG", s.config())
        .env("PINATA_STATE_DIR", s.state())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_into_a_closed_pipe_is_no_error() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("pipe");
    s.login(&emu);
    for args in [
        &["completions", "zsh"][..],
        &["completions", "bash"],
        &["config", "show"],
        &["files", "list"],
        &["--help"],
    ] {
        let (code, err) = into_a_closed_pipe(&s, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn no_secret_reaches_stdout_or_stderr() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("secrets");
    s.login(&emu);
    let file = s.file("s.txt", b"secret test\n");
    let gateway_key = "gwkey-0123456789abcdef-secret";
    let key =
        json_of(
            s.pinata()
                .args(["keys", "create", "k", "--scope", "org:files:read", "--json"]),
        );
    let api_key = key["api_key"].as_str().unwrap().to_owned();
    let api_secret = key["api_secret"].as_str().unwrap().to_owned();
    let secrets = [emu.jwt.clone(), api_secret.clone(), gateway_key.to_owned()];
    let runs: Vec<Vec<String>> = vec![
        vec!["whoami".into()],
        vec!["config".into(), "show".into()],
        vec!["config".into(), "show".into(), "--json".into()],
        vec!["config".into(), "profiles".into()],
        vec!["upload".into(), file.display().to_string()],
        vec!["files".into(), "list".into(), "--json".into()],
        vec!["files".into(), "get".into(), "nope".into()],
        vec!["keys".into(), "list".into(), "--json".into()],
        vec![
            "--api-url".into(),
            "http://127.0.0.1:9".into(),
            "whoami".into(),
        ],
        vec![
            "download".into(),
            "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy".into(),
        ],
    ];
    for args in &runs {
        for pair in [false, true] {
            let mut cmd = s.pinata();
            cmd.env("PINATA_GATEWAY_KEY", gateway_key).args(args);
            if pair {
                // Key-pair credentials from the environment instead of the profile's JWT.
                cmd.env("PINATA_API_KEY", &api_key)
                    .env("PINATA_API_SECRET", &api_secret);
            }
            let (_, out, err) = run(&mut cmd);
            for secret in &secrets {
                assert!(
                    !out.contains(secret.as_str()),
                    "{args:?}: stdout has a secret: {out}"
                );
                assert!(
                    !err.contains(secret.as_str()),
                    "{args:?}: stderr has a secret: {err}"
                );
            }
        }
    }
    // A wrong secret (the server echoes nothing of it either).
    let (code, out, err) = run(s
        .pinata()
        .env("PINATA_API_KEY", &api_key)
        .env("PINATA_API_SECRET", "0000wrongsecret0000")
        .arg("whoami"));
    assert_eq!(code, 3, "{err}");
    assert!(!out.contains("0000wrongsecret0000") && !err.contains("0000wrongsecret0000"));
}

/// Whether `text` holds something a terminal would act on: ESC, BEL, CR, or a bidi override.
fn has_terminal_controls(text: &str) -> bool {
    text.contains(['\x1b', '\x07', '\r', '\u{202e}'])
}

#[test]
fn server_text_reaches_the_terminal_escaped() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("escaped");
    s.login(&emu);
    // A name that writes the clipboard (OSC 52), clears the screen and overwrites the line, and
    // a key-value that reverses what follows it: what anyone holding an upload URL could send.
    let name = "\x1b]52;c;aGk=\x07evil\x1b[2J\rname";
    let note = "fine\u{202e}txt.exe";
    let file = s.file("evil.txt", b"terminal games\n");
    let (code, out, err) = run(s
        .pinata()
        .args(["upload", "--name", name, "--kv"])
        .arg(format!("note={note}"))
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(!has_terminal_controls(&out), "{out:?}");
    assert!(!has_terminal_controls(&err), "{err:?}");
    let shown_name = r"\u{1b}]52;c;aGk=\u{7}evil\u{1b}[2J\rname";
    assert!(out.contains(shown_name), "{out}");

    // The table of `files list`: the name and the key-value, escaped as error text is.
    let (code, out, err) = run(s.pinata().args(["files", "list"]));
    assert_eq!(code, 0, "{err}");
    assert!(!has_terminal_controls(&out), "{out:?}");
    assert!(out.contains(shown_name), "{out}");
    assert!(out.contains(r"note=fine\u{202e}txt.exe"), "{out}");

    // -q: only ids, escaped too (the emulator's ids are plain, so this only shows nothing else
    // slips in; the unit tests of output.rs escape a hostile id).
    let ids = stdout_of(s.pinata().args(["files", "list", "-q"]));
    assert!(!has_terminal_controls(&ids), "{ids:?}");
    assert_eq!(ids.lines().count(), 1, "{ids}");
    let id = ids.trim().to_owned();

    // `files get`: the `label  value` lines.
    let (code, out, err) = run(s.pinata().args(["files", "get", &id]));
    assert_eq!(code, 0, "{err}");
    assert!(!has_terminal_controls(&out), "{out:?}");
    assert!(out.contains(&format!("name       {shown_name}\n")), "{out}");

    // --json stays exact: escaped as JSON (the bidi override too, which serde_json leaves raw),
    // the same text once decoded.
    let (code, out, err) = run(s.pinata().args(["files", "list", "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(!has_terminal_controls(&out), "{out:?}");
    assert!(out.contains(r"fine\u202etxt.exe"), "{out}");
    let listed: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(listed["name"], name);
    assert_eq!(listed["keyvalues"]["note"], note);
    let got = json_of(s.pinata().args(["files", "get", &id, "--json"]));
    assert_eq!(got["name"], name);
}

#[test]
fn auth_takes_secrets_from_stdin_or_the_environment_not_the_command_line() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("auth-stdin");
    let auth = |profile: &str| {
        let mut cmd = s.pinata();
        cmd.args(["--profile", profile, "auth", "--emulator", &emu.url]);
        cmd
    };
    let who = |profile: &str| json_of(s.pinata().args(["--profile", profile, "whoami", "--json"]));

    // --jwt-stdin: the first line, trimmed; nothing about it on either stream.
    let (code, out, err) = run(auth("piped")
        .arg("--jwt-stdin")
        .write_stdin(format!("  {}  \nignored\n", emu.jwt)));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Congratulations"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(!out.contains(&emu.jwt) && !err.contains(&emu.jwt));
    let w = who("piped");
    assert_eq!(w["credentials"], "jwt");
    assert_eq!(w["credentials_from"], "profile");
    // Without a line end too (`printf '%s' "$JWT" |`).
    let (code, _, err) = run(auth("printf")
        .arg("--jwt-stdin")
        .write_stdin(emu.jwt.clone()));
    assert_eq!(code, 0, "{err}");

    // Nothing on stdin: a usage error that says what to do, and nothing stored.
    for empty in ["", "\n", "   \nsecond line\n"] {
        let (code, _, err) = run(auth("empty").arg("--jwt-stdin").write_stdin(empty));
        assert_eq!(code, 2, "{empty:?}: {err}");
        assert!(
            err.contains("no JWT on standard input (--jwt-stdin reads its first line)"),
            "{err}"
        );
        assert!(
            err.contains("printf '%s' \"$JWT\" | pinata auth --jwt-stdin"),
            "{err}"
        );
    }
    // A stream that never ends a line is not read without end.
    let (code, _, err) = run(auth("empty")
        .arg("--jwt-stdin")
        .write_stdin("a".repeat(100_000)));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("longer than 16384 bytes"), "{err}");
    let stored = std::fs::read_to_string(s.config()).unwrap();
    assert!(!stored.contains("[profiles.empty]"), "{stored}");

    // PINATA_JWT, with nothing on stdin: stored as it is, and said so.
    let (code, _, err) = run(auth("env").env("PINATA_JWT", &emu.jwt));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Using the JWT in PINATA_JWT"), "{err}");
    assert!(!err.contains(&emu.jwt), "{err}");
    assert_eq!(who("env")["credentials_from"], "profile");
    // A flag wins over the environment, as for every setting.
    let (code, _, err) = run(auth("flag-wins")
        .env("PINATA_JWT", "not-a-jwt")
        .arg("--jwt-stdin")
        .write_stdin(emu.jwt.clone()));
    assert_eq!(code, 0, "{err}");
    // An unusable PINATA_JWT is a usage error naming it.
    let (code, _, err) = run(auth("bad-env").env("PINATA_JWT", "not a jwt"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PINATA_JWT"), "{err}");

    // --jwt still works, with a warning that says why and what to use.
    let (code, _, err) = run(auth("argv").args(["--jwt", &emu.jwt]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: --jwt puts the secret on the command line, where other local users can read it"),
        "{err}"
    );
    assert!(
        err.contains("use --jwt-stdin or PINATA_JWT instead"),
        "{err}"
    );
    assert!(!err.contains(&emu.jwt), "{err}");
    assert_eq!(who("argv")["credentials"], "jwt");
    // Two ways at once is a usage error.
    s.pinata()
        .args(["auth", "--jwt", "x", "--jwt-stdin"])
        .assert()
        .code(2);

    // A key pair: the secret from stdin, from PINATA_API_SECRET, or (warned) as --secret.
    let key = json_of(s.pinata().args([
        "--profile",
        "piped",
        "keys",
        "create",
        "pair",
        "--scope",
        "org:files:read",
        "--json",
    ]));
    let api_key = key["api_key"].as_str().unwrap();
    let secret = key["api_secret"].as_str().unwrap();
    let (code, out, err) = run(auth("pair-stdin")
        .args(["--key", api_key, "--secret-stdin"])
        .write_stdin(format!("{secret}\n")));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(secret) && !err.contains(secret));
    assert_eq!(who("pair-stdin")["api_key"], api_key);
    let (code, _, err) = run(auth("pair-empty")
        .args(["--key", api_key, "--secret-stdin"])
        .write_stdin(""));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no API secret on standard input (--secret-stdin reads its first line)"),
        "{err}"
    );
    let (code, _, err) = run(auth("pair-env")
        .env("PINATA_API_SECRET", secret)
        .args(["--key", api_key]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Using the API secret in PINATA_API_SECRET"),
        "{err}"
    );
    assert_eq!(who("pair-env")["credentials"], "api key");
    let (code, _, err) = run(auth("pair-argv").args(["--key", api_key, "--secret", secret]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: --secret puts the secret on the command line"),
        "{err}"
    );
    assert!(!err.contains(secret), "{err}");

    // The help shows the stdin form, not a secret on the command line.
    let help = stdout_of(s.pinata().args(["auth", "--help"]));
    assert!(
        help.contains("| pinata --profile local auth --emulator"),
        "{help}"
    );
    assert!(
        help.contains("--jwt-stdin") && help.contains("--secret-stdin"),
        "{help}"
    );
    assert!(!help.contains("--jwt \"$JWT\""), "{help}");
}

/// `PINATA_EMULATOR_URL` alone (with a JWT, no profile) points every origin at the emulator:
/// uploads (the uploads origin), downloads (the gateway, after the API's file list), signed links.
/// A more specific variable beside it wins for its own origin, a flag over both, and `config show`
/// says where each origin came from.
#[test]
fn the_emulator_url_variable_points_every_origin_at_the_emulator() {
    let emu = Emulator::start(&[]);
    let s = Scratch::new("emulator-url");
    let pinata = || {
        let mut cmd = s.pinata();
        cmd.env("PINATA_EMULATOR_URL", &emu.url)
            .env("PINATA_JWT", &emu.jwt);
        cmd
    };
    let file = s.file("hello.txt", b"hello from the environment\n");
    let open = s.file("open.txt", b"hello in public\n");

    // v3 uploads go to the uploads origin: private, then public.
    let private = stdout_of(pinata().args(["upload", "-q"]).arg(&file));
    let private = private.trim();
    assert!(private.starts_with("baf"), "{private}");
    let public = stdout_of(
        pinata()
            .args(["upload", "-q", "--network", "public"])
            .arg(&open),
    );
    let public = public.trim();
    assert!(public.starts_with("baf"), "{public}");

    // Downloads: the public CID from the gateway, the private one through a signed link.
    let copy = s.dir.join("public-copy.txt");
    let (code, _, err) = run(pinata().args(["download", public, "-o"]).arg(&copy));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), b"hello in public\n");
    let copy = s.dir.join("private-copy.txt");
    let (code, _, err) = run(pinata().args(["download", private, "-o"]).arg(&copy));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        b"hello from the environment\n"
    );

    // `config show` names the variable for each origin.
    let shown = json_of(pinata().args(["config", "show", "--json"]));
    for origin in ["api_url", "uploads_url", "gateway"] {
        assert_eq!(shown[origin], emu.url.as_str(), "{shown}");
        assert_eq!(
            shown[format!("{origin}_from")],
            "environment (PINATA_EMULATOR_URL)",
            "{shown}"
        );
    }
    let (code, table, err) = run(pinata().args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "uploads_url",
                    &emu.url,
                    "environment",
                    "(PINATA_EMULATOR_URL)"
                ]),
        "{table}"
    );

    // A specific variable beside it wins for its origin (nothing listens there: a network
    // error), and a flag wins over that.
    let nowhere = "http://127.0.0.1:9";
    let shown = json_of(
        pinata()
            .env("PINATA_API_URL", nowhere)
            .args(["config", "show", "--json"]),
    );
    assert_eq!(shown["api_url"], nowhere);
    assert_eq!(shown["api_url_from"], "environment");
    assert_eq!(shown["uploads_url"], emu.url.as_str());
    let (code, _, err) = run(pinata().env("PINATA_API_URL", nowhere).arg("whoami"));
    assert_eq!(code, 5, "{err}");
    pinata()
        .env("PINATA_API_URL", nowhere)
        .args(["--api-url", &emu.url, "whoami"])
        .assert()
        .success();

    // Not a URL: a usage error naming the variable.
    let (code, _, err) = run(s
        .pinata()
        .env("PINATA_EMULATOR_URL", "ftp://127.0.0.1")
        .args(["config", "show"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PINATA_EMULATOR_URL"), "{err}");

    // `auth --emulator URL` tests the key where the flag points, whatever the variables say.
    for var in ["PINATA_EMULATOR_URL", "PINATA_API_URL"] {
        let (code, _, err) = run(s
            .pinata()
            .env(var, nowhere)
            .args([
                "--profile",
                "local",
                "auth",
                "--emulator",
                &emu.url,
                "--jwt-stdin",
            ])
            .write_stdin(emu.jwt.clone()));
        assert_eq!(code, 0, "{var}: {err}");
        assert!(err.contains(&format!("(against {})", emu.url)), "{err}");
    }
}

/// An emulator over HTTPS with a certificate made at start: trusted with `--ca-cert` or
/// `PINATA_CA_CERT`, refused without, the refusal saying how to trust it.
#[test]
fn ca_cert_trusts_an_emulator_over_https() {
    let s = Scratch::new("ca-cert");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pinata"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--tls-self-signed"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let start: serde_json::Value = serde_json::from_str(&line).unwrap();
    let url = start["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let jwt = start["admin"]["jwt"].as_str().unwrap().to_owned();
    let ca = s.file(
        "emulator-ca.pem",
        start["ca_pem"].as_str().unwrap().as_bytes(),
    );
    let ca = ca.to_str().unwrap();

    let whoami = |extra: &[&str], env: Option<&str>| {
        let mut cmd = s.pinata();
        cmd.env("PINATA_JWT", &jwt).args(["--api-url", &url]);
        if let Some(file) = env {
            cmd.env("PINATA_CA_CERT", file);
        }
        run(cmd.args(extra).arg("whoami"))
    };
    let (code, out, err) = whoami(&["--ca-cert", ca], None);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = whoami(&[], Some(ca));
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = whoami(&[], None);
    assert_ne!(code, 0);
    assert!(err.contains("TLS handshake with 127.0.0.1:"), "{err}");
    assert!(err.contains("--ca-cert FILE"), "{err}");
    let (code, _, err) = whoami(&["--ca-cert", "/nonexistent/ca.pem"], None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"/nonexistent/ca.pem\" (from the flag) cannot be read"),
        "{err}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// `--proxy`: a proxy that is not there is named (never its password), with what to do;
/// `config show` says which proxy and from where, the password masked; `--no-proxy` wins.
#[test]
fn proxy_flags_and_where_the_proxy_came_from() {
    let s = Scratch::new("proxy");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let proxy = format!("http://alice:hunter2@127.0.0.1:{port}");
    let (code, out, err) = run(s
        .pinata()
        .env("PINATA_JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
        .args([
            "--api-url",
            "https://pinata.test",
            "--proxy",
            &proxy,
            "whoami",
        ]));
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains(&format!(
            "could not reach the proxy at 127.0.0.1:{port} to pinata.test:443"
        )),
        "{err}"
    );
    assert!(err.contains("--no-proxy"), "{err}");
    assert!(
        !err.contains("hunter2") && !out.contains("hunter2"),
        "{err}"
    );

    let shown = json_of(
        s.pinata()
            .env("HTTPS_PROXY", &proxy)
            .env("NO_PROXY", "internal.example")
            .args(["config", "show", "--json"]),
    );
    assert_eq!(
        shown["proxy"],
        format!("http://alice:***@127.0.0.1:{port}").as_str()
    );
    assert_eq!(shown["proxy_from"], "environment (HTTPS_PROXY)");
    assert_eq!(shown["no_proxy"], "internal.example");
    let off = json_of(s.pinata().env("HTTPS_PROXY", &proxy).args([
        "--no-proxy",
        "config",
        "show",
        "--json",
    ]));
    assert_eq!(off["proxy"], serde_json::Value::Null);
    assert_eq!(off["proxy_from"], "flag (--no-proxy)");
    let (code, _, err) = run(s
        .pinata()
        .env("HTTPS_PROXY", "socks5://bob:s3cret@127.0.0.1:1080")
        .args(["config", "show"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("HTTPS_PROXY") && !err.contains("s3cret"),
        "{err}"
    );
}
