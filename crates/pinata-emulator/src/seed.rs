//! Seeding: a JSON file read at start-up (`--seed FILE`, [`EmulatorConfig::seed`]) that gives the
//! account a known starting state — API keys with fixed credentials, groups, and files read from
//! local paths — applied again after every reset; and the handle's `create_key`, `create_group`
//! and `create_file`, which make the same things from Rust by the same rules. All of it goes
//! straight into the stores (`store/`), as the API's handlers would put it there.
//!
//! ```json
//! {"keys":[{"name":"ci","api_key":"0123456789abcdef0123","api_secret":"<64 hex>",
//!           "permissions":{"admin":false,"resources":["org:files:read"]}}],
//!  "groups":[{"network":"public","name":"site"}],
//!  "files":[{"network":"private","path":"fixtures/a.txt","name":"a","keyvalues":{"k":"v"},
//!            "group":"site"}]}
//! ```
//!
//! Every section is optional and every object refuses unknown fields. A key: `name`, `api_key`
//! (20 lower-case hex digits, as the admin key), `api_secret` (64 lower-case hex digits),
//! `permissions` (as key creation takes them), optional `max_uses`; no two keys (the admin key
//! included) share a public key. A group: `network`, `name` (no two alike on a network). A file:
//! `network`, `path` (relative to the seed file's directory), optional `name` (default: the
//! path's file name), `keyvalues`, `group` (a seeded group's name on the file's network) and
//! `cid_version` (`v0` or `v1`, the default). Only JSON is read (no TOML).
//!
//! The whole file is checked before anything is applied — at most [`MAX_SEED_BYTES`], at most
//! [`MAX_KEYS`] keys (the admin's included), the group and file stores' caps, each file present —
//! so a bad seed is a start-up error naming the problem, never a partial seed.
//!
//! [`EmulatorConfig::seed`]: crate::EmulatorConfig::seed

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use pinata_core::api::Network;
use pinata_core::api::uploads::mime_type_of;
use pinata_core::cid::{CidVersion, FileImporter, ImportOptions};
use serde::Deserialize;

use pinata_core::api::files::MAX_FILE_KEYVALUES;
use pinata_core::api::keys::Permissions;

use crate::credentials::KeyCredentials;
use crate::error::HandleError;
use crate::store::content::ContentStore;
use crate::store::files::{FileStore, MAX_FILES, MAX_KEYVALUE_LEN, MAX_NAME, NewFile};
use crate::store::groups::{GroupStore, MAX_GROUP_NAME, MAX_GROUPS};
use crate::store::keys::{KeyStore, MAX_KEYS, NewKey, StoreError, parse_new_key};

/// The largest seed file read (16 MiB).
pub const MAX_SEED_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    keys: Vec<SeedKey>,
    #[serde(default)]
    groups: Vec<SeedGroup>,
    #[serde(default)]
    files: Vec<SeedFileEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedKey {
    name: String,
    api_key: String,
    api_secret: String,
    permissions: serde_json::Value,
    #[serde(default)]
    max_uses: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedGroup {
    network: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFileEntry {
    network: String,
    path: PathBuf,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    keyvalues: BTreeMap<String, String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    cid_version: Option<String>,
}

/// A key to seed, checked.
#[derive(Debug, Clone)]
struct Key {
    new: NewKey,
    key: String,
    secret: String,
}

/// A file to seed, checked.
#[derive(Debug, Clone)]
struct File {
    network: Network,
    path: PathBuf,
    name: String,
    mime_type: String,
    keyvalues: BTreeMap<String, String>,
    /// Index into the seed's groups.
    group: Option<usize>,
    version: CidVersion,
}

/// A checked seed, ready to apply (at start-up and after each reset).
#[derive(Debug, Clone)]
pub(crate) struct Seed {
    keys: Vec<Key>,
    groups: Vec<(Network, String)>,
    files: Vec<File>,
}

fn network(text: &str, at: &str) -> Result<Network, String> {
    Network::parse(text)
        .ok_or_else(|| format!("{at}: network must be public or private, not {text:?}"))
}

fn hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Seed {
    /// Reads and checks the seed file at `path`; `admin_key` is the admin's public key (a seeded
    /// key may not reuse it). `Err` names the file and the problem.
    pub(crate) fn load(path: &Path, admin_key: &str) -> Result<Self, String> {
        let shown = path.display();
        Self::read(path, admin_key).map_err(|e| format!("seed file {shown}: {e}"))
    }

    fn read(path: &Path, admin_key: &str) -> Result<Self, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
        let mut bytes = Vec::new();
        file.take(MAX_SEED_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read it: {e}"))?;
        if bytes.len() as u64 > MAX_SEED_BYTES {
            return Err(format!("larger than {MAX_SEED_BYTES} bytes"));
        }
        let seed: SeedFile =
            serde_json::from_slice(&bytes).map_err(|e| format!("not a valid seed: {e}"))?;
        let base = path.parent().unwrap_or(Path::new("."));

        if seed.keys.len() >= MAX_KEYS {
            return Err(format!(
                "at most {} keys (the emulator holds {MAX_KEYS}, the admin key included)",
                MAX_KEYS - 1
            ));
        }
        let mut seen = HashSet::from([admin_key.to_owned()]);
        let mut keys = Vec::with_capacity(seed.keys.len());
        for (i, k) in seed.keys.into_iter().enumerate() {
            let at = format!("keys[{i}]");
            if !hex(&k.api_key, 20) || !hex(&k.api_secret, 64) {
                return Err(format!(
                    "{at}: api_key must be 20 and api_secret 64 lower-case hex digits, like Pinata's"
                ));
            }
            if !seen.insert(k.api_key.clone()) {
                return Err(format!(
                    "{at}: api_key {} is already taken (by the admin key or another seeded key)",
                    k.api_key
                ));
            }
            let mut request =
                serde_json::json!({ "keyName": k.name, "permissions": k.permissions });
            if let Some(n) = k.max_uses {
                request["maxUses"] = n.into();
            }
            let new = parse_new_key(&request).map_err(|e| format!("{at}: {e}"))?;
            keys.push(Key {
                new,
                key: k.api_key,
                secret: k.api_secret,
            });
        }

        if seed.groups.len() > MAX_GROUPS {
            return Err(format!("at most {MAX_GROUPS} groups"));
        }
        let mut groups = Vec::with_capacity(seed.groups.len());
        let mut by_name = HashMap::new();
        for (i, g) in seed.groups.into_iter().enumerate() {
            let at = format!("groups[{i}]");
            let net = network(&g.network, &at)?;
            if g.name.is_empty() || g.name.chars().count() > MAX_GROUP_NAME {
                return Err(format!(
                    "{at}: name must be 1 to {MAX_GROUP_NAME} characters"
                ));
            }
            if by_name.insert((net, g.name.clone()), i).is_some() {
                return Err(format!(
                    "{at}: a group named {:?} is already seeded on the {net} network",
                    g.name
                ));
            }
            groups.push((net, g.name));
        }

        if seed.files.len() > MAX_FILES {
            return Err(format!("at most {MAX_FILES} files"));
        }
        let mut files = Vec::with_capacity(seed.files.len());
        for (i, f) in seed.files.into_iter().enumerate() {
            let at = format!("files[{i}]");
            let net = network(&f.network, &at)?;
            let path = base.join(&f.path);
            if !path.is_file() {
                return Err(format!("{at}: {} is not a readable file", path.display()));
            }
            let file_name = f
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_owned();
            let name = f.name.unwrap_or_else(|| file_name.clone());
            if name.is_empty() || name.chars().count() > MAX_NAME {
                return Err(format!("{at}: name must be 1 to {MAX_NAME} characters"));
            }
            if f.keyvalues.len() > MAX_FILE_KEYVALUES
                || f.keyvalues
                    .iter()
                    .any(|(k, v)| k.len() > MAX_KEYVALUE_LEN || v.len() > MAX_KEYVALUE_LEN)
            {
                return Err(format!(
                    "{at}: keyvalues must be at most {MAX_FILE_KEYVALUES} strings \
                     (keys and values of at most {MAX_KEYVALUE_LEN} bytes)"
                ));
            }
            let group = match f.group {
                None => None,
                Some(g) => Some(*by_name.get(&(net, g.clone())).ok_or_else(|| {
                    format!("{at}: group {g:?} is not a seeded group of the {net} network")
                })?),
            };
            let version = match f.cid_version.as_deref() {
                None | Some("v1") => CidVersion::V1,
                Some("v0") => CidVersion::V0,
                Some(other) => {
                    return Err(format!("{at}: cid_version must be v0 or v1, not {other:?}"));
                }
            };
            files.push(File {
                network: net,
                path,
                name,
                mime_type: mime_type_of(&file_name).to_owned(),
                keyvalues: f.keyvalues,
                group,
                version,
            });
        }
        Ok(Self {
            keys,
            groups,
            files,
        })
    }

    /// The credentials of the seed's keys, in its order, each with a JWT from `mint(key, secret)`
    /// (whether this run made them or a kept state did in an earlier one).
    pub(crate) fn credentials(&self, mint: impl Fn(&str, &str) -> String) -> Vec<KeyCredentials> {
        self.keys
            .iter()
            .map(|k| KeyCredentials {
                jwt: mint(&k.key, &k.secret),
                api_key: k.key.clone(),
                api_secret: k.secret.clone(),
            })
            .collect()
    }

    /// Puts the seed into the stores (at start-up, or just after a reset emptied them): its keys
    /// with their credentials, its groups, its files read from disk anew.
    pub(crate) fn apply(
        &self,
        keys: &KeyStore,
        groups: &GroupStore,
        files: &FileStore,
        content: &ContentStore,
        now: SystemTime,
    ) -> Result<(), String> {
        for k in &self.keys {
            keys.insert_with(k.new.clone(), k.key.clone(), k.secret.clone())
                .map_err(|e| format!("key {}: {e}", k.key))?;
        }
        let mut group_ids = Vec::with_capacity(self.groups.len());
        for (net, name) in &self.groups {
            group_ids
                .push(group(groups, *net, name, now).map_err(|e| format!("group {name:?}: {e}"))?);
        }
        for f in &self.files {
            let (cid, size) = std::fs::File::open(&f.path)
                .and_then(|mut input| store(content, &mut input, f.network, f.version))
                .map_err(|e| format!("file {}: {e}", f.path.display()))?;
            let new = NewFile {
                network: f.network,
                name: Some(f.name.clone()),
                cid,
                size,
                number_of_files: 1,
                mime_type: f.mime_type.clone(),
                keyvalues: f.keyvalues.clone(),
                group_id: f.group.and_then(|g| group_ids.get(g).cloned()),
                expires_at: None,
            };
            let group_exists = |network: Network, g: &str| groups.exists(network, g);
            files
                .insert(new, now, &group_exists)
                .map_err(|e| format!("file {}: {e:?}", f.path.display()))?;
        }
        Ok(())
    }
}

/// A key made from Rust ([`EmulatorHandle::create_key`](crate::EmulatorHandle::create_key)), by
/// the rules of the API's key creation (name, permissions, the store's cap) as an admin makes it:
/// its credentials, with a JWT from `mint(key, secret)`.
pub(crate) fn key(
    keys: &KeyStore,
    name: &str,
    permissions: Permissions,
    mint: impl FnOnce(&str, &str) -> String,
) -> Result<KeyCredentials, HandleError> {
    crate::store::keys::check_name(name).map_err(HandleError::invalid)?;
    permissions
        .validate()
        .map_err(|e| HandleError::invalid(e.to_string()))?;
    let record = keys
        .create(NewKey {
            name: name.to_owned(),
            permissions,
            max_uses: None,
        })
        .map_err(|e| match e {
            StoreError::Full => HandleError::full(e.to_string()),
            StoreError::Io(source) => {
                HandleError::io("could not draw random bytes for a key", Some(source))
            }
        })?;
    let secret = record.secret.expose_secret();
    Ok(KeyCredentials {
        jwt: mint(&record.key, secret),
        api_key: record.key.clone(),
        api_secret: secret.to_owned(),
    })
}

/// A group made from Rust ([`EmulatorHandle::create_group`](crate::EmulatorHandle::create_group))
/// or by the seed, by the API's rules (a private group, its name checked): its id.
pub(crate) fn group(
    groups: &GroupStore,
    network: Network,
    name: &str,
    now: SystemTime,
) -> Result<String, HandleError> {
    crate::store::groups::check_name(name).map_err(HandleError::invalid)?;
    let group = groups.insert(network, name.to_owned(), false, now)?;
    Ok(group.id)
}

/// A file made from Rust ([`EmulatorHandle::create_file`](crate::EmulatorHandle::create_file)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeededFile {
    /// Its id (a UUIDv7, as uploads get).
    pub id: String,
    /// Its CID (v1, as the v3 uploads make by default).
    pub cid: String,
}

/// Stores `contents` as a file named `name` (1 to [`MAX_NAME`] characters, its MIME type from its
/// extension) on `network`, as an upload would.
pub(crate) fn file(
    content: &ContentStore,
    files: &FileStore,
    network: Network,
    name: &str,
    contents: &[u8],
    now: SystemTime,
) -> Result<SeededFile, HandleError> {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(HandleError::invalid(format!(
            "a file name is 1 to {MAX_NAME} characters"
        )));
    }
    let (cid, size) = store(content, &mut &contents[..], network, CidVersion::V1)
        .map_err(|e| HandleError::io(format!("storing {name:?}"), Some(e)))?;
    let new = NewFile {
        network,
        name: Some(name.to_owned()),
        cid,
        size,
        number_of_files: 1,
        mime_type: mime_type_of(name).to_owned(),
        keyvalues: BTreeMap::new(),
        group_id: None,
        expires_at: None,
    };
    let (record, _) = files
        .insert(new, now, &|_, _| false)
        .map_err(|e| HandleError::from(e).context(format!("{name:?}")))?;
    Ok(SeededFile {
        id: record.id,
        cid: record.cid,
    })
}

/// Copies `input` into the content store as an upload to `network` would (both the bytes and the
/// CID on one pass, then committed): its CID and size.
fn store(
    content: &ContentStore,
    input: &mut impl Read,
    network: Network,
    version: CidVersion,
) -> std::io::Result<(String, u64)> {
    let incoming = content.incoming_path();
    let result = (|| {
        let mut out = crate::disk::create_private_file(&incoming)?;
        let mut importer =
            FileImporter::new(ImportOptions::new(version)).map_err(std::io::Error::other)?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            importer.update(&buf[..n]);
            out.write_all(&buf[..n])?;
        }
        out.flush()?;
        let imported = importer.finish();
        let cid = imported.cid.to_string();
        content.commit_file(&incoming, &cid, network == Network::Public)?;
        content.remember(&cid, imported.dag_size, 1);
        Ok((cid, imported.size))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&incoming);
    }
    result
}
