//! The in-process emulator starts from sync and from async code alike.

#[test]
fn spawns_from_sync_code() {
    let emulator = pinata_emulator::Emulator::spawn(Default::default()).unwrap();
    assert!(emulator.url().starts_with("http://127.0.0.1:"));
}

#[test]
fn spawns_from_inside_a_tokio_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = pinata_emulator::Emulator::spawn(Default::default()).unwrap();
        let stream = tokio::net::TcpStream::connect(emulator.url().trim_start_matches("http://"))
            .await
            .unwrap();
        drop(stream);
        drop(emulator);
    });
}

#[test]
fn a_busy_address_is_an_error_not_a_panic() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = pinata_emulator::EmulatorConfig {
        listen: taken.local_addr().unwrap(),
        ..Default::default()
    };
    assert!(pinata_emulator::Emulator::spawn(config).is_err());
}

/// A build without the `persistence` feature refuses a data directory, naming the feature, before
/// it makes anything on disk: from the command line (exit code 2, as any bad flag) and in-process.
#[test]
#[cfg(not(feature = "persistence"))]
fn without_persistence_a_data_directory_is_refused_naming_the_feature() {
    let dir = std::env::temp_dir().join(format!(
        "pinata-emulator-no-persistence-{}",
        std::process::id()
    ));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "no start-up line");
    assert!(
        stderr.contains("needs pinata-emulator's `persistence` cargo feature"),
        "{stderr}"
    );
    let e = pinata_emulator::Emulator::spawn(pinata_emulator::EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("`persistence`"), "{e}");
    assert!(!dir.exists(), "nothing made on disk");
}

/// The binary names itself in `--help`, and its first line on a pipe is the JSON scripts parse.
#[test]
fn the_binary_names_itself_and_prints_the_json_line() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let bin = env!("CARGO_BIN_EXE_pinata-emulator");
    let out = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    assert!(
        help.starts_with("pinata-emulator: a local Pinata-compatible API server\n"),
        "{help}"
    );
    assert!(help.contains("USAGE: pinata-emulator [OPTIONS]"), "{help}");

    let mut child = Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(v["url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(v["admin"]["jwt"].as_str().unwrap().starts_with("eyJ"));
    let mut fields: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(fields, ["admin", "url"], "{line}");
}
