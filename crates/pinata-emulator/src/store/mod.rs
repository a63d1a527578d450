//! Every store of the account's state, one module each: the records it keeps, the caps that bound
//! them, and its persistence (each store writes every record it changes to its own table of the
//! database, `db.rs`, under its own lock, and reads them back at start-up). The handlers in `api/`
//! translate HTTP to calls on these stores and their answers back to HTTP; the stores know nothing
//! of HTTP.

pub(crate) mod content;
pub(crate) mod files;
pub(crate) mod grants;
pub(crate) mod groups;
pub(crate) mod keys;
pub(crate) mod pins;
pub(crate) mod psa;
pub(crate) mod signatures;
pub(crate) mod swaps;
pub(crate) mod tus;

use pinata_core::api::Network;

/// The row id of a record kept per CID of a network (a swap history, a signature): `network/cid`.
fn cid_row_id(network: Network, cid: &str) -> String {
    format!("{network}/{cid}")
}

/// The network and CID of a [`cid_row_id`].
fn from_cid_row_id(id: &str) -> std::io::Result<(Network, String)> {
    id.split_once('/')
        .and_then(|(n, cid)| Some((Network::parse(n)?, cid.to_owned())))
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the emulator's database has a row {id:?} that names no network and CID"),
            )
        })
}
