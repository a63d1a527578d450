//! What every v3 endpoint shares: the network a file or group lives on, and the `{"data": …}`
//! envelope v3 answers are wrapped in.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;

/// Where a v3 file or group lives: on public IPFS, or private to the account (served only
/// through signed links).
///
/// There is no default: each call says which network it means (uploads choose private, see
/// `UploadFile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Network {
    /// Public IPFS: anyone with the CID can fetch it.
    Public,
    /// Private to the account.
    Private,
}

impl Network {
    /// The path segment and wire name: `public` or `private`.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Public => "public",
            Network::Private => "private",
        }
    }

    /// The network named `name` (`public` or `private`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "public" => Some(Network::Public),
            "private" => Some(Network::Private),
            _ => None,
        }
    }
}

impl serde::Serialize for Network {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The token of the page after one that answered `next` (its `next_page_token`) and held
/// `items` items, when it was asked for with `asked` (`None`: the first page). A walk ends when the
/// API gives no token, an empty one, the same token again, or an empty page: each of these would
/// otherwise be asked for forever.
pub(crate) fn next_page_token<'p>(
    next: Option<&'p str>,
    items: usize,
    asked: Option<&str>,
) -> Option<&'p str> {
    let token = next.filter(|t| !t.is_empty())?;
    (items > 0 && asked != Some(token)).then_some(token)
}

/// Key-values as strings: `null` is none, and a number or boolean (which other clients may have
/// stored) is kept in its JSON spelling rather than failing the whole page.
pub(crate) fn string_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let map: Option<BTreeMap<String, serde_json::Value>> = Option::deserialize(d)?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}

/// A list that may be `null` (as Go servers send an empty one): `null` is empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Network::parse(&name.to_ascii_lowercase()).ok_or_else(|| {
            serde::de::Error::custom(format!("{} is not a network", name.escape_debug()))
        })
    }
}

/// Decodes a v3 answer `{"data": T}` into `T`; the JSON path of a failure starts at `data`.
pub(crate) fn decode_data<T: DeserializeOwned>(
    status: StatusCode,
    body: &Bytes,
) -> Result<T, DecodeError> {
    #[derive(Deserialize)]
    struct Envelope<T> {
        data: T,
    }
    DecodeError::decode_json::<Envelope<T>>(status, body).map(|e| e.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_round_trip_and_envelopes_unwrap() {
        for n in [Network::Public, Network::Private] {
            assert_eq!(Network::parse(n.as_str()), Some(n));
        }
        assert_eq!(Network::parse("Public"), None);
        let v: u32 = decode_data(StatusCode::OK, &Bytes::from_static(br#"{"data":7}"#)).unwrap();
        assert_eq!(v, 7);
        let e = decode_data::<u32>(StatusCode::OK, &Bytes::from_static(br#"{"data":"x"}"#))
            .unwrap_err();
        assert_eq!(e.path(), "data");
    }
}
