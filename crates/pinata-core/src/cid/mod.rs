//! Content addressing: the CIDs `ipfs add` (and Pinata) give to bytes, files and directories,
//! computed locally, streaming, with no I/O of its own.
//!
//! - [`FileImporter`] turns a byte stream into its UnixFS DAG root: fixed-size chunks (256 KiB), a
//!   balanced tree of at most 174 links per node, dag-pb nodes, sha2-256. Memory stays at one chunk
//!   plus a few hundred bytes per tree level, whatever the input size.
//! - [`DirectoryBuilder`] builds UnixFS directories (links sorted by name) from imported files;
//!   [`wrap_in_directory`] puts an upload's root in the directory `wrapWithDirectory` adds.
//! - [`CidVersion::V0`] (`Qm…`, the default, leaves wrapped in dag-pb) is `ipfs add`;
//!   [`CidVersion::V1`] (`bafy…`/`bafk…`, raw leaves) is `ipfs add --cid-version=1`.
//!
//! Checked byte for byte against the JS UnixFS importer (`tests/vectors/unixfs.json`).
//!
//! Directories big enough that `ipfs add` turns them into HAMT shards (more than 256 KiB of link
//! names and CIDs, about 5,000 entries with short names) are refused with
//! [`CidError::NeedsSharding`]: sharding is not implemented.

mod directory;
mod file;
mod pb;

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

pub use directory::{DirectoryBuilder, ImportedDirectory, wrap_in_directory};
pub use file::{FileImporter, ImportedFile, import_bytes};

/// The default chunk size of `ipfs add`: 256 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 262_144;
/// The default maximum number of links per node of `ipfs add`'s balanced layout.
pub const DEFAULT_MAX_LINKS: usize = 174;
/// Directory size (sum of link-name and CID bytes) above which `ipfs add` shards a directory.
pub const SHARDING_THRESHOLD: usize = 262_144;

const DAG_PB: u64 = 0x70;
const RAW: u64 = 0x55;
const SHA2_256: u64 = 0x12;

/// Which CID version (and so which leaf format) to produce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CidVersion {
    /// CIDv0, base58btc `Qm…`; leaves are UnixFS nodes in dag-pb. `ipfs add`'s and Pinata's default.
    #[default]
    V0,
    /// CIDv1, base32 `bafy…` (dag-pb) or `bafk…` (raw); leaves are raw blocks.
    V1,
}

impl CidVersion {
    /// The number Pinata's `cidVersion` option takes.
    pub fn as_number(self) -> u8 {
        match self {
            CidVersion::V0 => 0,
            CidVersion::V1 => 1,
        }
    }
}

/// How to chunk and lay out a file. The defaults are `ipfs add`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// CID version (and leaf format).
    pub version: CidVersion,
    /// Bytes per leaf chunk.
    pub chunk_size: usize,
    /// Most links in one tree node.
    pub max_links: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self::new(CidVersion::V0)
    }
}

impl ImportOptions {
    /// `ipfs add`'s defaults for `version`.
    pub fn new(version: CidVersion) -> Self {
        Self {
            version,
            chunk_size: DEFAULT_CHUNK_SIZE,
            max_links: DEFAULT_MAX_LINKS,
        }
    }

    /// Checks that the chunk size and link count can build a tree.
    pub fn validate(&self) -> Result<(), CidError> {
        if self.chunk_size == 0 {
            return Err(CidError::InvalidOptions(
                "the chunk size must be at least 1 byte",
            ));
        }
        if self.max_links < 2 {
            return Err(CidError::InvalidOptions(
                "a tree node needs room for at least 2 links",
            ));
        }
        Ok(())
    }
}

/// A content identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cid(::cid::Cid);

impl Cid {
    /// The CID of `block` as a dag-pb (`raw == false`) or raw block, in `version`.
    pub(crate) fn of_block(block: &[u8], version: CidVersion, raw: bool) -> Cid {
        Self::of_parts(&[block], version, raw)
    }

    /// The CID of the block made of `parts` laid end to end (hashed without joining them).
    pub(crate) fn of_parts(parts: &[&[u8]], version: CidVersion, raw: bool) -> Cid {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        let digest = hasher.finalize();
        // A 32-byte sha2-256 digest always fits a 64-byte multihash.
        let hash = ::cid::multihash::Multihash::<64>::wrap(SHA2_256, &digest).unwrap_or_default();
        match (version, raw) {
            // CIDv0 exists only for dag-pb; raw leaves always imply CIDv1.
            (CidVersion::V0, false) => {
                Cid(::cid::Cid::new_v0(hash).unwrap_or_else(|_| ::cid::Cid::new_v1(DAG_PB, hash)))
            }
            (_, true) => Cid(::cid::Cid::new_v1(RAW, hash)),
            (CidVersion::V1, false) => Cid(::cid::Cid::new_v1(DAG_PB, hash)),
        }
    }

    /// The CID version.
    pub fn version(&self) -> CidVersion {
        match self.0.version() {
            ::cid::Version::V0 => CidVersion::V0,
            ::cid::Version::V1 => CidVersion::V1,
        }
    }

    /// Whether this is a raw block (codec `raw`) rather than a dag-pb node.
    pub fn is_raw(&self) -> bool {
        self.0.codec() == RAW
    }

    /// The binary form (what links inside dag-pb nodes hold).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }

    /// The sha2-256 digest the CID carries, if it uses sha2-256.
    pub fn sha256_digest(&self) -> Option<&[u8]> {
        (self.0.hash().code() == SHA2_256).then(|| self.0.hash().digest())
    }

    /// Whether `self` and `other` name the same content: equal CIDs, or the v0 and v1 forms of one
    /// dag-pb node.
    pub fn same_content(&self, other: &Cid) -> bool {
        self == other || (self.0.codec() == other.0.codec() && self.0.hash() == other.0.hash())
    }
}

impl fmt::Display for Cid {
    /// `Qm…` (base58btc) for v0, `b…` (base32) for v1, as `ipfs add` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cid({self})")
    }
}

impl FromStr for Cid {
    type Err = CidError;

    fn from_str(s: &str) -> Result<Self, CidError> {
        ::cid::Cid::from_str(s)
            .map(Cid)
            .map_err(|_| CidError::InvalidCid(s.chars().take(100).collect()))
    }
}

impl serde::Serialize for Cid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Cid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why content could not be addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CidError {
    /// The text is not a CID.
    InvalidCid(String),
    /// Chunk size or link count cannot build a tree.
    InvalidOptions(&'static str),
    /// A path inside a directory is empty, absolute, or has an empty, `.`, `..` or NUL component.
    InvalidPath(String),
    /// Two entries have the same path, or a file is also used as a directory.
    DuplicatePath(String),
    /// The directory is large enough that `ipfs add` would shard it (HAMT), which is not implemented.
    NeedsSharding {
        /// The directory's path (`""` for the root).
        directory: String,
        /// Its size estimate: link-name bytes plus CID bytes of all its entries.
        estimated_bytes: usize,
    },
}

impl fmt::Display for CidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CidError::InvalidCid(s) => write!(f, "{s:?} is not a CID"),
            CidError::InvalidOptions(why) => write!(f, "invalid import options: {why}"),
            CidError::InvalidPath(p) => write!(
                f,
                "invalid path {p:?}: use relative paths of non-empty components without '.', '..' or NUL"
            ),
            CidError::DuplicatePath(p) => write!(f, "the path {p:?} is given twice"),
            CidError::NeedsSharding {
                directory,
                estimated_bytes,
            } => write!(
                f,
                "directory {directory:?} has {estimated_bytes} bytes of links, over the {SHARDING_THRESHOLD}-byte limit above which `ipfs add` shards directories (HAMT); sharded directories are not supported"
            ),
        }
    }
}

impl std::error::Error for CidError {}

#[cfg(test)]
mod tests;
