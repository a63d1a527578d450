//! The limits of resumable (TUS) uploads: when a file goes through TUS, and how large its chunks
//! are. The config holds the chosen values; the TUS session uses them, and `pinata_core::tus`
//! publishes these.

/// Files larger than this go through TUS by default: the official SDK's threshold (90 MiB).
pub const DEFAULT_TUS_THRESHOLD: u64 = 94_371_840;
/// The default chunk: 50 MiB + 1 byte, what the SDK and the Go CLI send.
pub const DEFAULT_TUS_CHUNK: u64 = 52_428_801;
/// The smallest chunk accepted (tus-js-client normalises to multiples of 256 KiB).
pub const MIN_TUS_CHUNK: u64 = 256 * 1024;
/// The largest chunk accepted (Pinata documents ~50 MiB; larger is surely a mistake).
pub const MAX_TUS_CHUNK: u64 = 512 * 1024 * 1024;
