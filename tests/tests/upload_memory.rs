//! Uploads stream: files of 16 and 96 MiB (the response-body cap is 16 MiB) go up through each
//! transport while the process's resident memory stays flat. A test binary of its own, so no other
//! test shares the process (and its memory figures) while it runs.

#![allow(clippy::unwrap_used)]

use std::io::Write;

use pinata_core::Credentials;
use pinata_core::api::pinning::PinResponse;
use pinata_core::cid::{FileImporter, ImportOptions};
use pinata_e2e::scratch::Scratch;
use pinata_e2e::target::target;
use pinata_e2e::{Driver, HyperDriver, UreqDriver};

/// The two file sizes compared: memory must not grow with the size.
const SIZES: [usize; 2] = [16 << 20, 96 << 20];

/// A `/proc/self/status` figure in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak-RSS mark (`VmHWM`), so the next reading covers only what follows.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[test]
fn uploads_stream_with_flat_memory() {
    if status_kib("VmHWM:").is_none() || !reset_peak() {
        eprintln!("no /proc/self/status or clear_refs here: memory cannot be measured");
        return;
    }
    let emu = target()
        .emulator("uploads_stream_with_flat_memory")
        .expect("the emulator");
    let scratch = Scratch::new("memory");
    let admin = Credentials::jwt(&emu.admin_jwt).unwrap();
    fn upload<D: Driver>(d: &D, admin: &Credentials, path: &std::path::Path) -> PinResponse {
        let request = d.pin_request(path).unwrap().verify_cid(true);
        d.execute(admin.clone(), target().config(), &request)
            .unwrap()
    }
    // Warm up both transports (pools, runtime, emulator state) with a small upload.
    let small = scratch.write("small.bin", b"warm up");
    upload(&HyperDriver, &admin, &small);
    upload(&UreqDriver, &admin, &small);

    let mut growth = Vec::new();
    for size in SIZES {
        let (path, expected) = write_file(&scratch, size);
        for (name, run) in [
            (
                "hyper",
                &(|| upload(&HyperDriver, &admin, &path)) as &dyn Fn() -> PinResponse,
            ),
            (
                "ureq",
                &(|| upload(&UreqDriver, &admin, &path)) as &dyn Fn() -> PinResponse,
            ),
        ] {
            let before = status_kib("VmRSS:").unwrap();
            assert!(reset_peak());
            let answer = run();
            let peak = status_kib("VmHWM:").unwrap();
            assert_eq!(answer.cid().unwrap(), expected, "{name}");
            let mib = peak.saturating_sub(before) as f64 / 1024.0;
            eprintln!(
                "{name}: {} MiB upload, resident memory grew {mib:.1} MiB at peak",
                size >> 20
            );
            growth.push((name, size, mib));
        }
    }
    // Client and emulator together. Buffering would grow by at least the file size; streaming
    // grows by about the same small amount for 16 and 96 MiB.
    for name in ["hyper", "ureq"] {
        let small = growth
            .iter()
            .find(|(n, s, _)| *n == name && *s == SIZES[0])
            .map_or(0.0, |g| g.2);
        let large = growth
            .iter()
            .find(|(n, s, _)| *n == name && *s == SIZES[1])
            .map_or(0.0, |g| g.2);
        assert!(
            large < 24.0,
            "{name}: memory grew {large:.1} MiB during a 96 MiB upload"
        );
        assert!(
            large - small < 8.0,
            "{name}: memory grows with the file ({small:.1} MiB for 16 MiB, {large:.1} MiB for 96 MiB)"
        );
    }
}

/// Writes `size` reproducible bytes and returns the path and their CID.
fn write_file(scratch: &Scratch, size: usize) -> (std::path::PathBuf, pinata_core::cid::Cid) {
    let path = scratch.path().join(format!("big-{}.bin", size >> 20));
    let mut expected = FileImporter::new(ImportOptions::default()).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d ^ size as u64;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..size >> 20 {
        for word in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        expected.update(&block);
        out.write_all(&block).unwrap();
    }
    out.flush().unwrap();
    (path, expected.finish().cid)
}
