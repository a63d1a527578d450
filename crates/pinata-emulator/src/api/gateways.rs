//! The account's dedicated gateways: `GET /v3/ipfs/gateways` (what Pinata's Go CLI and
//! `pinata-core`'s `api::gateways` call) and `GET /v3/gateways` (the path the v3 spec documents).
//! Mirrors `pinata-core`'s `api::gateways`.
//!
//! The emulator is its own gateway: it serves `/ipfs/<cid>` and `/files/<cid>` at its own URL,
//! which is the gateway a client of the emulator uses (`Config::for_emulator` sets it so). The list
//! therefore holds one row, the account's gateway as the real service would list it: its `domain`
//! is [`crate::EmulatorConfig::gateway_domain`] (`emulator` by default), so a client that builds
//! `<domain>.mypinata.cloud` from it, as the Go CLI does, gets a name that is *not* the emulator.
//! The row is for code that reads the list; downloads go to the emulator's URL.
//!
//! Emulator's choices: the row's id is derived from the account's id (stable across restarts with
//! a data directory), `created_at` is when the admin key was made (a Pinata account gets its
//! gateway with the account), the gateway is not restricted and has no custom domains. `pageSize`
//! and `page` are read as the spec names them, pages counting from 1 (`page=0` is the first page
//! too); a value that is not a whole number, or a `pageSize` of 0, is a 400.

use http::StatusCode;
use pinata_core::api::gateways::{Gateway, GatewayPage};
use pinata_core::server::Query;

use crate::reply::{self, Reply, data};
use crate::state::State;

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

/// `GET /v3/ipfs/gateways` and `GET /v3/gateways`.
pub(crate) fn list(state: &State, query: &str) -> Reply {
    let mut page_size: Option<u64> = None;
    let mut page: u64 = 1;
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "pageSize" => match value.parse::<u64>() {
                Ok(n) if n > 0 => page_size = Some(n),
                _ => return bad("pageSize must be a whole number above 0"),
            },
            "page" => match value.parse::<u64>() {
                Ok(n) => page = n.max(1),
                Err(_) => return bad("page must be a whole number"),
            },
            _ => {}
        }
    }
    // One gateway: on the first page only, whatever its size.
    let first = page == 1 || page_size.is_none();
    // The row is the core's own type, so the emulator answers the shape the client decodes.
    let mut rows = Vec::new();
    if first {
        let id = crate::ids::uuid_from(format!("gateway of {}", state.user_id).as_bytes());
        let mut gateway = Gateway::new(id, state.gateway_domain.clone());
        gateway.name = Some(state.gateway_domain.clone());
        gateway.restrict = Some(false);
        gateway.created_at = state.keys.get(&state.admin_key).map(|k| k.created_at);
        rows.push(gateway);
    }
    data(GatewayPage::new(rows, Some(1)))
}
