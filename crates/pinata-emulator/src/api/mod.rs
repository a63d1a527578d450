//! The handlers, one module per API family, mirroring `pinata-core`'s `api/`: each takes what the
//! pipeline (`routes.rs`) has already checked — an authenticated caller with the route's
//! permission, a decoded body — and translates it into calls on the stores (`store/`), and what
//! they return into the API's answer. Answers are pinata-core's own response types wherever one
//! serialises exactly as the API answers; where none does, the handler's own type says why.

pub(crate) mod control;
pub(crate) mod files;
pub(crate) mod gateway;
pub(crate) mod gateways;
pub(crate) mod groups;
pub(crate) mod keys;
pub(crate) mod pin_by_cid;
pub(crate) mod pinning;
pub(crate) mod psa;
pub(crate) mod receive;
pub(crate) mod signed;
pub(crate) mod swaps;
pub(crate) mod tus;

/// Decodes a JSON request body into its typed form (`T`'s fields, each optional where the API
/// allows it); a body of the wrong shape is a 400 in the v3 error shape that says what is wrong.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    json: &serde_json::Value,
) -> Result<T, crate::reply::Reply> {
    T::deserialize(json).map_err(|e| {
        crate::reply::coded(http::StatusCode::BAD_REQUEST, &format!("invalid body: {e}"))
    })
}
