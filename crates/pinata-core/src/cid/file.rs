//! The file importer: bytes in, UnixFS DAG root out, in one streaming pass.

use super::pb::{self, DataType, Link};
use super::{Cid, CidError, CidVersion, ImportOptions};

/// A file's DAG, once imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedFile {
    /// The root CID: what `ipfs add` prints and Pinata returns as `IpfsHash`.
    pub cid: Cid,
    /// The file's length in bytes.
    pub size: u64,
    /// The DAG's cumulative size (every block, as `Tsize` in parent links).
    pub dag_size: u64,
}

/// One finished node: what its parent's link needs.
#[derive(Debug, Clone)]
struct Node {
    cid: Cid,
    cid_bytes: Vec<u8>,
    /// File bytes below this node.
    filesize: u64,
    /// Cumulative DAG size.
    tsize: u64,
}

/// Imports one file as a stream: feed it with [`FileImporter::update`], then [`FileImporter::finish`].
///
/// Holds one chunk and, per tree level, at most `max_links` link records: O(chunk) memory for any
/// input length.
///
/// ```
/// use pinata_core::cid::{FileImporter, ImportOptions};
///
/// let mut importer = FileImporter::new(ImportOptions::default())?;
/// importer.update(b"hello world\n");
/// let file = importer.finish();
/// assert_eq!(file.cid.to_string(), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
/// # Ok::<(), pinata_core::cid::CidError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileImporter {
    options: ImportOptions,
    chunk: Vec<u8>,
    /// `levels[0]` holds leaves, `levels[n]` nodes whose children are at `n - 1`.
    levels: Vec<Vec<Node>>,
    leaves: u64,
    bytes: u64,
}

impl FileImporter {
    /// An importer with `options`.
    pub fn new(options: ImportOptions) -> Result<Self, CidError> {
        options.validate()?;
        Ok(Self {
            options,
            chunk: Vec::with_capacity(options.chunk_size),
            levels: vec![Vec::new()],
            leaves: 0,
            bytes: 0,
        })
    }

    /// Bytes fed so far.
    pub fn bytes_seen(&self) -> u64 {
        self.bytes
    }

    /// Feeds the next bytes of the file.
    pub fn update(&mut self, mut data: &[u8]) {
        self.bytes += data.len() as u64;
        while !data.is_empty() {
            let room = self.options.chunk_size - self.chunk.len();
            let take = room.min(data.len());
            self.chunk.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.chunk.len() == self.options.chunk_size {
                self.flush_chunk();
            }
        }
    }

    /// Ends the file and returns its root.
    pub fn finish(mut self) -> ImportedFile {
        if !self.chunk.is_empty() || self.leaves == 0 {
            // An empty file is one empty leaf, as `ipfs add` makes it.
            self.flush_chunk();
        }
        let mut level = 0;
        let root = loop {
            let higher = self.levels[level + 1..].iter().any(|l| !l.is_empty());
            if !higher && self.levels[level].len() == 1 {
                // The only node left is the root; a single leaf is its own root.
                break self.levels[level].remove(0);
            }
            if !self.levels[level].is_empty() {
                self.reduce(level);
            }
            level += 1;
        };
        ImportedFile {
            cid: root.cid,
            size: self.bytes,
            dag_size: root.tsize,
        }
    }

    fn flush_chunk(&mut self) {
        let leaf = self.leaf(&self.chunk);
        self.chunk.clear();
        self.leaves += 1;
        self.push(0, leaf);
    }

    fn leaf(&self, data: &[u8]) -> Node {
        let (cid, tsize) = match self.options.version {
            CidVersion::V1 => (Cid::of_block(data, CidVersion::V1, true), data.len() as u64),
            CidVersion::V0 => {
                // Hashed in place: the chunk is not copied into a block.
                let (prefix, suffix) = pb::file_leaf_frame(data.len());
                let cid = Cid::of_parts(&[&prefix, data, &suffix], CidVersion::V0, false);
                (cid, (prefix.len() + data.len() + suffix.len()) as u64)
            }
        };
        Node {
            cid_bytes: cid.to_bytes(),
            cid,
            filesize: data.len() as u64,
            tsize,
        }
    }

    /// Adds `node` at `level`; a full level becomes one node a level up.
    fn push(&mut self, level: usize, node: Node) {
        if self.levels.len() <= level + 1 {
            self.levels.push(Vec::new());
        }
        self.levels[level].push(node);
        if self.levels[level].len() == self.options.max_links {
            self.reduce(level);
        }
    }

    /// Turns every node at `level` into the children of one new node at `level + 1`.
    fn reduce(&mut self, level: usize) {
        let children = std::mem::take(&mut self.levels[level]);
        let blocksizes: Vec<u64> = children.iter().map(|c| c.filesize).collect();
        let filesize: u64 = blocksizes.iter().sum();
        let unixfs = pb::unixfs_data(DataType::File, &[], Some(filesize), &blocksizes);
        let block = pb::dag_pb_node(
            children.iter().map(|c| Link {
                cid: &c.cid_bytes,
                name: b"",
                tsize: c.tsize,
            }),
            &unixfs,
        );
        let cid = Cid::of_block(&block, self.options.version, false);
        let tsize = block.len() as u64 + children.iter().map(|c| c.tsize).sum::<u64>();
        self.push(
            level + 1,
            Node {
                cid_bytes: cid.to_bytes(),
                cid,
                filesize,
                tsize,
            },
        );
    }
}

/// The CID of `bytes` as a file, imported in one call.
pub fn import_bytes(bytes: &[u8], options: ImportOptions) -> Result<ImportedFile, CidError> {
    let mut importer = FileImporter::new(options)?;
    importer.update(bytes);
    Ok(importer.finish())
}
