use super::*;
use crate::cid::{CidVersion, import_bytes};
use crate::multipart::MultipartBuilder;
use std::sync::atomic::{AtomicU64, Ordering};

/// Drives a cursor over in-memory "files" (path → bytes), as a transport would.
fn drive(
    cursor: &mut UploadCursor,
    files: &HashMap<PathBuf, Vec<u8>>,
) -> Result<Vec<u8>, LocalError> {
    let mut out = Vec::new();
    let mut open: Option<(Vec<u8>, usize)> = None;
    loop {
        match cursor.next_step() {
            UploadStep::Send(b) => out.extend_from_slice(&b),
            // A test reader is a `Vec<u8>`.
            UploadStep::OpenReader(source) => {
                match source.take().map(|r| r.downcast::<Vec<u8>>()) {
                    Some(Ok(bytes)) => open = Some((*bytes, 0)),
                    Some(Err(_)) => return Err(cursor.reader_unavailable(false)),
                    None => return Err(cursor.reader_unavailable(true)),
                }
            }
            UploadStep::Cancelled => return Err(LocalError::Cancelled),
            UploadStep::OpenFileAt { path, offset } => match files.get(&path) {
                Some(bytes) => open = Some((bytes.clone(), offset as usize)),
                None => return Err(cursor.open_failed(std::io::ErrorKind::NotFound.into())),
            },
            UploadStep::OpenFile(p) => match files.get(&p) {
                Some(bytes) => open = Some((bytes.clone(), 0)),
                None => return Err(cursor.open_failed(std::io::ErrorKind::NotFound.into())),
            },
            UploadStep::ReadFile { max } => {
                let (data, pos) = open.as_mut().unwrap();
                let n = max.min(data.len() - *pos).min(7000);
                let chunk = data[*pos..*pos + n].to_vec();
                *pos += n;
                cursor.file_read(&chunk)?;
                out.extend_from_slice(&chunk);
            }
            UploadStep::CheckEnd => {
                let (data, pos) = open.take().unwrap();
                cursor.file_end(pos < data.len())?;
            }
            UploadStep::Finished => return Ok(out),
        }
    }
}

fn plan(files: &[(&str, u64)]) -> MultipartPlan {
    let mut b = MultipartBuilder::new("B")
        .text("pinataOptions", "{}")
        .unwrap();
    for (name, len) in files {
        b = b.file("file", name, PathBuf::from(name), *len).unwrap();
    }
    b.finish()
}

#[test]
fn streams_every_byte_with_progress_and_the_cid() {
    let content = vec![5u8; 600_000];
    let files = HashMap::from([(PathBuf::from("a"), content.clone())]);
    let p = plan(&[("a", 600_000)]);
    let total = p.content_length();
    let last = std::sync::Arc::new(AtomicU64::new(0));
    let seen = last.clone();
    let progress: ProgressFn = std::sync::Arc::new(move |p: UploadProgress| {
        assert_eq!(p.total, total);
        seen.store(p.sent, Ordering::SeqCst);
    });
    let cid = CidPlan {
        options: ImportOptions::default(),
        files: HashMap::from([(1, String::new())]),
    };
    let upload = MultipartUpload::new(p, Some(progress), Some(cid));
    let mut cursor = UploadCursor::new(upload.clone());
    let body = drive(&mut cursor, &files).unwrap();
    assert_eq!(body.len() as u64, total);
    assert_eq!(last.load(Ordering::SeqCst), total);
    assert_eq!(
        upload.watch().computed_cid().unwrap().unwrap(),
        import_bytes(&content, ImportOptions::default())
            .unwrap()
            .cid
    );
}

#[test]
fn a_file_that_shrank_or_grew_fails_the_body() {
    for actual in [999usize, 1001] {
        let files = HashMap::from([(PathBuf::from("a"), vec![1u8; actual])]);
        let upload = MultipartUpload::new(plan(&[("a", 1000)]), None, None);
        let mut cursor = UploadCursor::new(upload.clone());
        match drive(&mut cursor, &files) {
            Err(LocalError::Changed { expected, .. }) => assert_eq!(expected, 1000),
            other => panic!("expected Changed, got {other:?}"),
        }
        assert!(matches!(
            upload.watch().take_failure(),
            Some(LocalError::Changed { .. })
        ));
    }
}

#[test]
fn a_missing_file_fails_the_body() {
    let upload = MultipartUpload::new(plan(&[("gone", 3)]), None, None);
    let mut cursor = UploadCursor::new(upload.clone());
    assert!(matches!(
        drive(&mut cursor, &HashMap::new()),
        Err(LocalError::Io { .. })
    ));
    assert!(upload.watch().take_failure().is_some());
}

#[test]
fn folder_cids_follow_the_dag_paths_and_empty_files_count() {
    let files = HashMap::from([
        (PathBuf::from("d/x"), b"x".to_vec()),
        (PathBuf::from("d/empty"), Vec::new()),
    ]);
    let p = plan(&[("d/empty", 0), ("d/x", 1)]);
    let cid = CidPlan {
        options: ImportOptions::new(CidVersion::V1),
        files: HashMap::from([(1, "empty".to_owned()), (3, "x".to_owned())]),
    };
    let upload = MultipartUpload::new(p, None, Some(cid));
    let mut cursor = UploadCursor::new(upload.clone());
    drive(&mut cursor, &files).unwrap();
    let mut by_hand = DirectoryBuilder::new();
    let v1 = ImportOptions::new(CidVersion::V1);
    by_hand
        .add_file("empty", import_bytes(b"", v1).unwrap())
        .unwrap();
    by_hand
        .add_file("x", import_bytes(b"x", v1).unwrap())
        .unwrap();
    assert_eq!(
        upload.watch().computed_cid().unwrap().unwrap(),
        by_hand.finish(CidVersion::V1).unwrap().cid
    );
}

#[test]
fn a_handle_that_is_not_a_regular_file_fails_the_body_before_any_read() {
    use crate::local::EntryKind;
    let upload = MultipartUpload::new(plan(&[("a", 10)]), None, None);
    let mut cursor = UploadCursor::new(upload.clone());
    loop {
        match cursor.next_step() {
            UploadStep::Send(_) => {}
            UploadStep::OpenFile(p) => {
                assert_eq!(p, PathBuf::from("a"));
                break;
            }
            other => panic!("expected to open the file first, got {other:?}"),
        }
    }
    // A FIFO swapped in for the planned file: refused, and remembered for the client.
    match cursor.file_opened(EntryKind::Other) {
        Err(LocalError::UnsupportedFileType(p)) => assert_eq!(p, PathBuf::from("a")),
        other => panic!("expected UnsupportedFileType, got {other:?}"),
    }
    assert!(matches!(
        upload.watch().take_failure(),
        Some(LocalError::UnsupportedFileType(_))
    ));
    // A regular file passes, whatever its length (reading checks that).
    let mut again = UploadCursor::new(upload.clone());
    while !matches!(again.next_step(), UploadStep::OpenFile(_)) {}
    assert!(
        again
            .file_opened(EntryKind::of_target(false, true, 3))
            .is_ok()
    );
    assert!(matches!(again.next_step(), UploadStep::ReadFile { .. }));
    assert!(upload.watch().take_failure().is_none());
}

#[test]
fn bytes_and_readers_hash_like_files_and_a_reader_is_read_once() {
    let content = b"hello from a reader".repeat(1000);
    let expected = import_bytes(&content, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid;
    for reader in [false, true] {
        let builder = MultipartBuilder::new("B");
        let builder = if reader {
            builder
                .file_reader(
                    "file",
                    "r.txt",
                    "text/plain",
                    ReaderSource::new(Box::new(content.clone())),
                    content.len() as u64,
                )
                .unwrap()
        } else {
            builder
                .file_bytes("file", "b.txt", "text/plain", Bytes::from(content.clone()))
                .unwrap()
        };
        let plan = builder.text("network", "public").unwrap().finish();
        let cid = CidPlan::new(
            ImportOptions::new(CidVersion::V1),
            &plan,
            vec![String::new()],
        );
        let upload = MultipartUpload::new(plan, None, Some(cid));
        let mut cursor = UploadCursor::new(upload.clone());
        let sent = drive(&mut cursor, &HashMap::new()).unwrap();
        assert_eq!(sent.len() as u64, upload.plan().content_length());
        assert_eq!(upload.watch().computed_cid().unwrap().unwrap(), expected);
        if reader {
            let mut again = UploadCursor::new(upload.clone());
            assert!(matches!(
                drive(&mut again, &HashMap::new()),
                Err(LocalError::ReaderUsed)
            ));
            assert!(matches!(
                upload.watch().take_failure(),
                Some(LocalError::ReaderUsed)
            ));
        }
    }
    // A reader that yields fewer bytes than planned fails the body.
    let plan = MultipartBuilder::new("B")
        .file_reader(
            "file",
            "r",
            "text/plain",
            ReaderSource::new(Box::new(vec![1u8; 3])),
            4,
        )
        .unwrap()
        .finish();
    let mut cursor = UploadCursor::new(MultipartUpload::new(plan, None, None));
    assert!(matches!(
        drive(&mut cursor, &HashMap::new()),
        Err(LocalError::Changed {
            expected: 4,
            actual: 3,
            ..
        })
    ));
}
