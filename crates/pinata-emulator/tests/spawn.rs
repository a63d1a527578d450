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
