//! CIDs of local files and folders, read by each adapter's file system code and computed by the core.

use super::*;
use crate::scratch::Scratch;
use pinata_core::LocalError;
use pinata_core::cid::{CidVersion, DirectoryBuilder, ImportOptions, import_bytes};

/// A pseudo-random but reproducible byte string.
pub(crate) fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// A file on disk has the CID the core gives its bytes, in both versions, for sizes around chunk
/// boundaries; and "hello world\n" is the well-known `ipfs add` CID.
pub fn cid_of_a_file<D: Driver>(d: &D) {
    let dir = Scratch::new("cid-file");
    let hello = dir.write("hello.txt", b"hello world\n");
    assert_eq!(
        d.cid_of_path(&hello, ImportOptions::default())
            .unwrap()
            .to_string(),
        "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    );
    for (i, len) in [0usize, 1, 262_143, 262_144, 262_145, 1_000_000]
        .into_iter()
        .enumerate()
    {
        let bytes = pattern(len, i as u32 + 1);
        let path = dir.write(&format!("f{i}"), &bytes);
        for version in [CidVersion::V0, CidVersion::V1] {
            let options = ImportOptions::new(version);
            assert_eq!(
                d.cid_of_path(&path, options).unwrap(),
                import_bytes(&bytes, options).unwrap().cid,
                "{len} bytes, {version:?}"
            );
        }
    }
}

/// A folder on disk has the CID of the same tree built in memory: nested directories, an empty
/// directory, unicode names, a multi-chunk file.
pub fn cid_of_a_folder<D: Driver>(d: &D) {
    let scratch = Scratch::new("cid-folder");
    let files: [(&str, Vec<u8>); 5] = [
        ("index.html", b"<h1>hi</h1>\n".to_vec()),
        ("css/site.css", b"body{}".to_vec()),
        ("css/deep/x.css", pattern(10, 3)),
        ("img/big.bin", pattern(600_000, 4)),
        ("héllo wörld/日本語.txt", "にほんご".as_bytes().to_vec()),
    ];
    for (path, bytes) in &files {
        scratch.write(&format!("site/{path}"), bytes);
    }
    scratch.mkdir("site/empty");
    for version in [CidVersion::V0, CidVersion::V1] {
        let options = ImportOptions::new(version);
        let mut by_hand = DirectoryBuilder::new();
        for (path, bytes) in &files {
            by_hand
                .add_file(path, import_bytes(bytes, options).unwrap())
                .unwrap();
        }
        by_hand.add_directory("empty").unwrap();
        assert_eq!(
            d.cid_of_path(&scratch.path().join("site"), options)
                .unwrap(),
            by_hand.finish(version).unwrap().cid,
            "{version:?}"
        );
    }
}

/// What the local-file rules refuse, through each adapter's file system code.
pub fn local_refusals<D: Driver>(d: &D) {
    let scratch = Scratch::new("cid-refusals");
    match d.cid_of_path(&scratch.path().join("missing"), ImportOptions::default()) {
        Err(LocalError::Io { source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
        }
        other => panic!("expected a not-found error, got {other:?}"),
    }
    #[cfg(unix)]
    {
        scratch.write("site/a.txt", b"a");
        scratch.mkdir("elsewhere");
        std::os::unix::fs::symlink(
            scratch.path().join("elsewhere"),
            scratch.path().join("site/link"),
        )
        .unwrap();
        match d.cid_of_path(&scratch.path().join("site"), ImportOptions::default()) {
            Err(LocalError::SymlinkedDirectory(p)) => assert!(p.ends_with("site/link")),
            other => panic!("expected SymlinkedDirectory, got {other:?}"),
        }
        // A link to a file is followed.
        std::fs::remove_file(scratch.path().join("site/link")).unwrap();
        let target = scratch.write("target.txt", b"hello world\n");
        std::os::unix::fs::symlink(&target, scratch.path().join("site/linked.txt")).unwrap();
        let with_link = d
            .cid_of_path(&scratch.path().join("site"), ImportOptions::default())
            .unwrap();
        let mut by_hand = DirectoryBuilder::new();
        by_hand
            .add_file(
                "a.txt",
                import_bytes(b"a", ImportOptions::default()).unwrap(),
            )
            .unwrap();
        by_hand
            .add_file(
                "linked.txt",
                import_bytes(b"hello world\n", ImportOptions::default()).unwrap(),
            )
            .unwrap();
        assert_eq!(with_link, by_hand.finish(CidVersion::V0).unwrap().cid);
    }
}
