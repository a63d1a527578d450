use super::*;
use crate::cid::{CidVersion, import_bytes};

fn file(name: &str, len: u64) -> ListedEntry {
    ListedEntry {
        name: name.into(),
        kind: EntryKind::File { len },
    }
}

fn dir(name: &str) -> ListedEntry {
    ListedEntry {
        name: name.into(),
        kind: EntryKind::Directory,
    }
}

/// Drives a scan over a fake tree: (directory path, its entries).
fn scan(root: &str, tree: &[(&str, Vec<ListedEntry>)]) -> Result<Folder, LocalError> {
    let mut scan = FolderScan::new(root);
    while let Some(next) = scan.next_directory() {
        let next = next.to_path_buf();
        let entries = tree
            .iter()
            .find(|(p, _)| Path::new(p) == next)
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("listing of {} not in the fake tree", next.display()));
        scan.add_listing(entries)?;
    }
    scan.finish()
}

#[test]
fn scan_orders_files_and_finds_empty_directories() {
    let folder = scan(
        "/tmp/site",
        &[
            (
                "/tmp/site",
                vec![file("z.txt", 1), dir("css"), file("a.txt", 2), dir("empty")],
            ),
            ("/tmp/site/css", vec![file("b.css", 3), dir("deep")]),
            ("/tmp/site/css/deep", vec![file("c.css", 4)]),
            ("/tmp/site/empty", vec![]),
        ],
    )
    .unwrap();
    assert_eq!(folder.name, "site");
    let rel: Vec<&str> = folder.files.iter().map(|f| f.relative.as_str()).collect();
    assert_eq!(rel, ["a.txt", "css/b.css", "css/deep/c.css", "z.txt"]);
    assert_eq!(folder.files[2].path, Path::new("/tmp/site/css/deep/c.css"));
    assert_eq!(folder.empty_dirs, ["empty"]);
    assert_eq!(folder.total_len(), 10);
}

#[test]
fn scan_refusals() {
    let link = ListedEntry {
        name: "loop".into(),
        kind: EntryKind::SymlinkToDirectory,
    };
    assert!(matches!(
        scan("/r", &[("/r", vec![link])]),
        Err(LocalError::SymlinkedDirectory(p)) if p == Path::new("/r/loop")
    ));
    let fifo = ListedEntry {
        name: "fifo".into(),
        kind: EntryKind::Other,
    };
    assert!(matches!(
        scan("/r", &[("/r", vec![fifo])]),
        Err(LocalError::UnsupportedFileType(_))
    ));
    assert!(matches!(
        scan("/", &[("/", vec![])]),
        Err(LocalError::NoFolderName(_))
    ));
    let mut s = FolderScan::new("/r");
    s.next_directory();
    s.add_listing(vec![]).unwrap();
    assert!(matches!(
        s.add_listing(vec![]),
        Err(LocalError::UnexpectedListing(_))
    ));
}

#[cfg(unix)]
#[test]
fn non_utf8_names_are_refused() {
    use std::os::unix::ffi::OsStringExt;
    let bad = ListedEntry {
        name: OsString::from_vec(vec![0xff, b'x']),
        kind: EntryKind::File { len: 1 },
    };
    assert!(matches!(
        scan("/r", &[("/r", vec![bad])]),
        Err(LocalError::NonUtf8Name(_))
    ));
}

#[test]
fn classification() {
    use EntryKind::*;
    assert_eq!(
        EntryKind::classify(false, Some((false, true, 5))),
        File { len: 5 }
    );
    assert_eq!(
        EntryKind::classify(true, Some((false, true, 5))),
        File { len: 5 }
    );
    assert_eq!(
        EntryKind::classify(false, Some((true, false, 0))),
        Directory
    );
    assert_eq!(
        EntryKind::classify(true, Some((true, false, 0))),
        SymlinkToDirectory
    );
    assert_eq!(EntryKind::classify(true, Some((false, false, 0))), Other);
    assert_eq!(EntryKind::classify(false, Some((false, false, 0))), Other);
    assert_eq!(EntryKind::classify(true, None), Other, "a dangling link");
}

#[test]
fn folder_import_matches_a_directory_built_by_hand() {
    let folder = scan(
        "/x/dir",
        &[("/x/dir", vec![file("one.txt", 1), file("two.txt", 1)])],
    )
    .unwrap();
    let mut import = FolderImport::new(&folder, ImportOptions::new(CidVersion::V0)).unwrap();
    let mut contents = ["1", "2"].into_iter();
    while let Some(_file) = import.next_file().unwrap() {
        import.update(contents.next().unwrap().as_bytes());
        import.end_file().unwrap();
    }
    let got = import.finish().unwrap();
    let mut by_hand = DirectoryBuilder::new();
    for (name, text) in [("one.txt", "1"), ("two.txt", "2")] {
        by_hand
            .add_file(
                name,
                import_bytes(text.as_bytes(), ImportOptions::default()).unwrap(),
            )
            .unwrap();
    }
    assert_eq!(got, by_hand.finish(CidVersion::V0).unwrap());
}

#[test]
fn a_file_that_changed_length_is_refused() {
    let folder = scan("/x/d", &[("/x/d", vec![file("a", 10)])]).unwrap();
    let mut import = FolderImport::new(&folder, ImportOptions::default()).unwrap();
    import.next_file().unwrap();
    import.update(b"short");
    match import.end_file() {
        Err(LocalError::Changed {
            expected, actual, ..
        }) => assert_eq!((expected, actual), (10, 5)),
        other => panic!("expected Changed, got {other:?}"),
    }
}

#[test]
fn only_regular_files_are_read() {
    let path = Path::new("/data/x");
    assert_eq!(
        EntryKind::of_target(false, true, 7)
            .regular_file(path)
            .unwrap(),
        7
    );
    for kind in [
        EntryKind::of_target(false, false, 0),
        EntryKind::of_target(true, false, 4096),
        EntryKind::SymlinkToDirectory,
        EntryKind::Other,
    ] {
        match kind.regular_file(path) {
            Err(LocalError::UnsupportedFileType(p)) => assert_eq!(p, path),
            other => panic!("{kind:?}: expected UnsupportedFileType, got {other:?}"),
        }
    }
}

#[test]
fn file_names_in_errors_are_shown_escaped() {
    let hostile = std::path::PathBuf::from("dir/a\u{1b}]0;pwned\u{7}\nb\u{202e}txt");
    for e in [
        LocalError::UnsupportedFileType(hostile.clone()),
        LocalError::io(&hostile, std::io::Error::other("x")),
        LocalError::Changed {
            path: hostile.clone(),
            expected: 1,
            actual: 2,
        },
    ] {
        let text = e.to_string();
        assert!(
            !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{text:?}"
        );
        assert!(
            text.contains("\\u{1b}]0;pwned\\u{7}\\nb\\u{202e}txt"),
            "{text:?}"
        );
    }
}
