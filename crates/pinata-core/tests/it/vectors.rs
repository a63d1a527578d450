//! CIDs checked against vectors made by the JS UnixFS importer (`tests/vectors/unixfs.json`, see
//! `tests/vectors/generator/`). Inputs are regenerated here byte for byte; no Node, no network.

use pinata_core::cid::{
    Cid, CidVersion, DirectoryBuilder, FileImporter, ImportOptions, ImportedFile,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    files: Vec<FileVector>,
    directories: Vec<DirVector>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Content {
    Text { text: String },
    Random { seed: u32, len: u64 },
}

#[derive(Deserialize)]
struct FileVector {
    name: String,
    content: Content,
    chunk_size: usize,
    max_links: usize,
    v0: String,
    v0_size: u64,
    v1: String,
    v1_size: u64,
}

#[derive(Deserialize)]
struct DirFile {
    path: String,
    content: Content,
}

#[derive(Deserialize)]
struct DirVector {
    name: String,
    files: Vec<DirFile>,
    #[serde(default)]
    empty_dirs: Vec<String>,
    #[serde(default)]
    wrap: bool,
    v0: String,
    v1: String,
}

fn vectors() -> Vectors {
    let text = include_str!("../vectors/unixfs.json");
    serde_json::from_str(text).expect("the vectors parse")
}

/// Feeds `content` to `sink` in pieces of `piece` bytes (odd sizes exercise chunk boundaries).
fn feed(content: &Content, piece: usize, mut sink: impl FnMut(&[u8])) {
    match content {
        Content::Text { text } => {
            for part in text.as_bytes().chunks(piece.max(1)) {
                sink(part);
            }
        }
        Content::Random { seed, len } => {
            let mut x = *seed;
            let mut left = *len;
            let mut buf = vec![0u8; piece];
            let mut word = [0u8; 4];
            let mut used = 4;
            while left > 0 {
                let n = (piece as u64).min(left) as usize;
                for b in &mut buf[..n] {
                    if used == 4 {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        word = x.to_le_bytes();
                        used = 0;
                    }
                    *b = word[used];
                    used += 1;
                }
                sink(&buf[..n]);
                left -= n as u64;
            }
        }
    }
}

fn import(content: &Content, options: ImportOptions, piece: usize) -> ImportedFile {
    let mut importer = FileImporter::new(options).unwrap();
    feed(content, piece, |b| importer.update(b));
    importer.finish()
}

fn options(version: CidVersion, chunk_size: usize, max_links: usize) -> ImportOptions {
    ImportOptions {
        version,
        chunk_size,
        max_links,
    }
}

#[test]
fn files_match_the_js_importer() {
    for v in vectors().files {
        for (version, want, want_size) in [
            (CidVersion::V0, &v.v0, v.v0_size),
            (CidVersion::V1, &v.v1, v.v1_size),
        ] {
            // Pieces that do not line up with chunks, so streaming is exercised.
            let got = import(
                &v.content,
                options(version, v.chunk_size, v.max_links),
                65_521,
            );
            assert_eq!(&got.cid.to_string(), want, "{} {version:?}", v.name);
            assert_eq!(got.dag_size, want_size, "{} {version:?} DAG size", v.name);
            assert_eq!(got.cid, want.parse::<Cid>().unwrap());
        }
    }
}

#[test]
fn piece_size_does_not_matter() {
    let v = vectors()
        .files
        .into_iter()
        .find(|v| v.name.starts_with("1 KiB chunks, 4 links: 100000"))
        .unwrap();
    for piece in [1, 3, 1023, 1024, 1025, 4096, 100_000] {
        let got = import(&v.content, options(CidVersion::V0, 1024, 4), piece);
        assert_eq!(got.cid.to_string(), v.v0, "pieces of {piece}");
    }
}

#[test]
fn directories_match_the_js_importer() {
    for v in vectors().directories {
        for (version, want) in [(CidVersion::V0, &v.v0), (CidVersion::V1, &v.v1)] {
            let mut dir = DirectoryBuilder::new();
            // Without wrapping, the importer's answer is the common root directory itself.
            let inner = |p: &str| -> String {
                if v.wrap {
                    p.to_owned()
                } else {
                    p.split_once('/')
                        .map(|(_, rest)| rest.to_owned())
                        .unwrap_or_default()
                }
            };
            for f in &v.files {
                let file = import(&f.content, ImportOptions::new(version), 100_000);
                dir.add_file(&inner(&f.path), file).unwrap();
            }
            for d in &v.empty_dirs {
                let p = inner(d);
                if !p.is_empty() {
                    dir.add_directory(&p).unwrap();
                }
            }
            let got = dir.finish(version).unwrap();
            assert_eq!(&got.cid.to_string(), want, "{} {version:?}", v.name);
        }
    }
}
