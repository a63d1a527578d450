use super::*;

fn hello() -> ImportedFile {
    import_bytes(b"hello world\n", ImportOptions::default()).unwrap()
}

#[test]
fn cid_text_round_trips_and_compares_across_versions() {
    let v0: Cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
        .parse()
        .unwrap();
    assert_eq!(v0.version(), CidVersion::V0);
    assert_eq!(
        v0.to_string(),
        "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    );
    assert!(!v0.is_raw());
    assert_eq!(v0.sha256_digest().map(<[u8]>::len), Some(32));
    // The same dag-pb node named in CIDv1 is the same content.
    let v1 = Cid(::cid::Cid::new_v1(DAG_PB, *v0.0.hash()));
    assert!(v1.to_string().starts_with("bafy"));
    assert_eq!(v1.to_string().parse::<Cid>().unwrap(), v1);
    assert!(v0.same_content(&v1));
    assert_ne!(v0, v1);
    let raw: Cid = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
        .parse()
        .unwrap();
    assert!(raw.is_raw());
    assert!(!raw.same_content(&v0));
    assert!(matches!(
        "Qmnope".parse::<Cid>(),
        Err(CidError::InvalidCid(_))
    ));
    assert_eq!(
        serde_json::to_string(&v0).unwrap(),
        "\"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o\""
    );
    let back: Cid =
        serde_json::from_str("\"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o\"").unwrap();
    assert_eq!(back, v0);
}

#[test]
fn invalid_options_are_refused() {
    let bad = |chunk_size, max_links| {
        FileImporter::new(ImportOptions {
            version: CidVersion::V0,
            chunk_size,
            max_links,
        })
        .unwrap_err()
    };
    assert!(matches!(bad(0, 174), CidError::InvalidOptions(_)));
    assert!(matches!(bad(1024, 1), CidError::InvalidOptions(_)));
}

#[test]
fn bad_directory_paths_are_refused() {
    let mut dir = DirectoryBuilder::new();
    for path in ["", "/abs", "a//b", "./a", "a/..", "a/", "nul\0"] {
        assert_eq!(
            dir.add_file(path, hello()),
            Err(CidError::InvalidPath(path.to_owned())),
            "{path:?}"
        );
    }
    dir.add_file("a/b.txt", hello()).unwrap();
    assert_eq!(
        dir.add_file("a/b.txt", hello()),
        Err(CidError::DuplicatePath("a/b.txt".into()))
    );
    assert_eq!(
        dir.add_file("a/b.txt/c", hello()),
        Err(CidError::DuplicatePath("a/b.txt/c".into())),
        "a file cannot be a directory"
    );
    assert_eq!(
        dir.add_directory("a/b.txt"),
        Err(CidError::DuplicatePath("a/b.txt".into()))
    );
    dir.add_directory("a").unwrap();
    assert!(!dir.is_empty());
}

#[test]
fn empty_directory_is_the_well_known_one() {
    let dir = DirectoryBuilder::new().finish(CidVersion::V0).unwrap();
    assert_eq!(
        dir.cid.to_string(),
        "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"
    );
    assert_eq!(dir.dag_size, 4);
}

#[test]
fn directories_that_would_be_sharded_are_refused_with_the_limit() {
    let file = hello();
    let mut dir = DirectoryBuilder::new();
    // Each entry estimates as name bytes + 34 CID bytes.
    let name_len = 100;
    let fits = SHARDING_THRESHOLD / (name_len + 34);
    for i in 0..fits {
        dir.add_file(&format!("big/{i:0>100}"), file).unwrap();
    }
    assert!(
        dir.finish(CidVersion::V0).is_ok(),
        "at the limit it still builds"
    );
    dir.add_file(&format!("big/{:0>100}", fits), file).unwrap();
    match dir.finish(CidVersion::V0) {
        Err(CidError::NeedsSharding {
            directory,
            estimated_bytes,
        }) => {
            assert_eq!(directory, "big");
            assert_eq!(estimated_bytes, (fits + 1) * (name_len + 34));
            assert!(estimated_bytes > SHARDING_THRESHOLD);
        }
        other => panic!("expected NeedsSharding, got {other:?}"),
    }
}

#[test]
fn importer_reports_sizes() {
    let mut importer = FileImporter::new(ImportOptions::new(CidVersion::V1)).unwrap();
    importer.update(&[7u8; 300_000]);
    assert_eq!(importer.bytes_seen(), 300_000);
    let file = importer.finish();
    assert_eq!(file.size, 300_000);
    assert!(file.dag_size > 300_000);
    assert_eq!(file.cid.version(), CidVersion::V1);
    assert!(!file.cid.is_raw(), "two chunks need a dag-pb root");
}

#[test]
fn wrapping_gives_the_wrapped_cids_of_the_importer() {
    // `tests/vectors/unixfs.json`, "wrapped file" and "wrapped folder" (the JS importer with
    // `wrapWithDirectory`).
    for (version, file_cid, folder_cid) in [
        (
            CidVersion::V0,
            "QmfLiVjH2vujCVP2e75zyzBYmpcjktmDeU1YBz6Ct8BBsc",
            "Qmad323rsZYZ2AoPa75z9ywtMc5k9mp4rNAaNUDW2kfbaS",
        ),
        (
            CidVersion::V1,
            "bafybeidhkumeonuwkebh2i4fc7o7lguehauradvlk57gzake6ggjsy372a",
            "bafybeialphukfc6upawvx7a3o6y3uqi3ax7kbbwnsk6xbjtlo5v4imogk4",
        ),
    ] {
        let options = ImportOptions::new(version);
        let hello = import_bytes(b"hello world\n", options).unwrap();
        let wrapped = wrap_in_directory("hello.txt", hello.cid, hello.dag_size, version).unwrap();
        assert_eq!(wrapped.cid.to_string(), file_cid);
        // What a builder holding the file under its name gives, size included.
        let mut whole = DirectoryBuilder::new();
        whole.add_file("hello.txt", hello).unwrap();
        assert_eq!(whole.finish(version).unwrap(), wrapped);

        // A folder: the directory of its files, wrapped under the folder's name.
        let mut folder = DirectoryBuilder::new();
        let mut whole = DirectoryBuilder::new();
        for (name, text) in [("one.txt", "1"), ("two.txt", "2")] {
            let file = import_bytes(text.as_bytes(), options).unwrap();
            folder.add_file(name, file).unwrap();
            whole.add_file(&format!("dir/{name}"), file).unwrap();
        }
        let folder = folder.finish(version).unwrap();
        let wrapped = wrap_in_directory("dir", folder.cid, folder.dag_size, version).unwrap();
        assert_eq!(wrapped.cid.to_string(), folder_cid);
        assert_eq!(whole.finish(version).unwrap(), wrapped);
    }
    let file = hello();
    for bad in ["", ".", "..", "a/b", "a/", "/a", "a\0b"] {
        assert!(
            matches!(
                wrap_in_directory(bad, file.cid, file.dag_size, CidVersion::V0),
                Err(CidError::InvalidPath(p)) if p == bad
            ),
            "{bad:?}"
        );
    }
}
