//! `pinata keys create|list|revoke` (needs an admin key).

use pinata_ureq::api::keys::{
    ApiKeyInfo, CreateApiKey, EndpointPermission, KeyApi, ListApiKeys, Permissions, ResourceScope,
};
use serde::Serialize;
use serde_json::json;

use super::{Ctx, collect};
use crate::args::{KeysCommand, KeysCreateArgs};
use crate::config::{ConfigFile, config_path};
use crate::exit::{CliError, CliResult, from_api};
use crate::output::{Item, time};

/// Permissions for people: `admin`, or the endpoint permissions and scopes.
fn shown(p: &Permissions) -> String {
    if p.is_admin() {
        return "admin".into();
    }
    let mut parts: Vec<String> = p
        .endpoint_permissions()
        .iter()
        .map(ToString::to_string)
        .collect();
    parts.extend(p.resource_scopes().iter().map(ToString::to_string));
    parts.join(",")
}

/// A key as `--json` writes it. Not the API's listing (`ApiKeyInfo`: the permissions as a
/// `scopes` object, `createdAt`, `updatedAt` and the owner's id): the CLI has always written the
/// permissions as the table shows them (`admin`, or the endpoint permissions and scopes joined
/// by commas) and the creation time as `created_at`, and scripts read those names.
#[derive(Serialize)]
struct KeyRecord<'a> {
    id: &'a str,
    name: &'a str,
    key: &'a str,
    max_uses: Option<u64>,
    uses: u64,
    revoked: bool,
    permissions: String,
    created_at: Option<String>,
}

fn key_item(k: &ApiKeyInfo) -> CliResult<Item> {
    let record = KeyRecord {
        id: &k.id,
        name: &k.name,
        key: &k.key,
        max_uses: k.max_uses,
        uses: k.uses,
        revoked: k.revoked,
        permissions: shown(&k.scopes),
        created_at: k.created_at.map(time),
    };
    Item::new(
        &record,
        k.key.clone(),
        vec![
            k.key.clone(),
            k.name.clone(),
            shown(&k.scopes),
            match k.max_uses {
                Some(m) => format!("{}/{m}", k.uses),
                None => k.uses.to_string(),
            },
            if k.revoked {
                "revoked".into()
            } else {
                "active".into()
            },
        ],
    )
}

/// `pinata keys …`.
pub fn run(ctx: &Ctx, command: KeysCommand) -> CliResult {
    let (_, client) = ctx.client()?;
    match command {
        KeysCommand::Create(args) => create(ctx, &client, args),
        KeysCommand::List {
            name,
            revoked,
            limited_use,
            exhausted,
            limit,
        } => {
            let mut request = ListApiKeys::new().via(KeyApi::V3);
            if let Some(n) = name {
                request = request.name(n);
            }
            if let Some(r) = revoked {
                request = request.revoked(r);
            }
            if limited_use {
                request = request.limited_use(true);
            }
            if exhausted {
                request = request.exhausted(true);
            }
            let keys = collect(client.paginate(request), limit)?;
            let items = keys.iter().map(key_item).collect::<CliResult<Vec<_>>>()?;
            ctx.out
                .list(&["key", "name", "permissions", "uses", "state"], &items)
        }
        KeysCommand::Revoke { keys } => {
            for k in &keys {
                client.revoke_api_key(k).map_err(from_api)?;
                ctx.out.message(format!("Revoked {k}"));
            }
            Ok(())
        }
    }
}

fn create(ctx: &Ctx, client: &pinata_ureq::Client, args: KeysCreateArgs) -> CliResult {
    let permissions = if args.admin {
        Permissions::admin()
    } else {
        if args.endpoint.is_empty() && args.scope.is_empty() {
            return Err(CliError::usage("a key needs permissions").hint(
                "give --admin, --scope org:files:write … or --endpoint pinning.pinFileToIPFS …",
            ));
        }
        let mut p = Permissions::none();
        for e in &args.endpoint {
            let found = e
                .split_once('.')
                .and_then(|(group, leaf)| EndpointPermission::from_path(group, leaf))
                .ok_or_else(|| {
                    let all: Vec<String> = EndpointPermission::ALL
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    CliError::usage(format!("{e:?} is not an endpoint permission"))
                        .hint(format!("use one of {}", all.join(", ")))
                })?;
            p = p.allow(found);
        }
        for s in &args.scope {
            let found = ResourceScope::parse(s).ok_or_else(|| {
                let all: Vec<&str> = ResourceScope::ALL.iter().map(|s| s.as_str()).collect();
                CliError::usage(format!("{s:?} is not a resource scope"))
                    .hint(format!("use one of {}", all.join(", ")))
            })?;
            p = p.allow_resource(found);
        }
        p
    };
    let mut request = CreateApiKey::new(args.name.clone(), permissions)
        .map_err(|e| CliError::usage(e.to_string()))?
        .via(KeyApi::V3);
    if let Some(uses) = args.max_uses {
        request = request
            .max_uses(uses)
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    let key = client.create_api_key(&request).map_err(from_api)?;
    if let Some(profile) = &args.save_as {
        return save_as(ctx, profile, &args.name, &key);
    }
    ctx.out.message(
        "The secret and JWT are shown once: store them now (e.g. `pinata --profile NAME auth`).",
    );
    let record = CreatedKeyRecord {
        name: &args.name,
        api_key: key.api_key(),
        api_secret: key.api_secret().expose_secret(),
        jwt: key.jwt().expose_secret(),
    };
    let item = Item::new(
        &record,
        key.api_key().to_owned(),
        vec![
            args.name.clone(),
            key.api_key().to_owned(),
            key.api_secret().expose_secret().to_owned(),
            key.jwt().expose_secret().to_owned(),
        ],
    )?;
    ctx.out
        .record(&item, &["name", "api_key", "api_secret", "jwt"])
}

/// A new key as `--json` writes it. Not the API's answer (`CreatedApiKey`, which spells its
/// fields `pinata_api_key`, `pinata_api_secret` and `JWT`): the CLI has always written them as
/// `api_key`, `api_secret` and `jwt`, with the name given, and scripts read those names.
#[derive(Serialize)]
struct CreatedKeyRecord<'a> {
    name: &'a str,
    api_key: &'a str,
    api_secret: &'a str,
    jwt: &'a str,
}

/// `--save-as PROFILE`: the new key's JWT goes into the profile (the active profile's origins and
/// network copied), and only its public id is printed.
fn save_as(
    ctx: &Ctx,
    profile: &str,
    name: &str,
    key: &pinata_ureq::api::keys::CreatedApiKey,
) -> CliResult {
    let path = config_path()?;
    let mut file = ConfigFile::load(&path)?;
    let active = file.active_name(ctx.global.profile.as_deref());
    let mut new = file.profiles.get(&active).cloned().unwrap_or_default();
    if let Some(url) = &ctx.global.api_url {
        new.api_url = Some(url.clone());
    }
    if let Some(url) = &ctx.global.uploads_url {
        new.uploads_url = Some(url.clone());
    }
    if let Some(g) = &ctx.global.gateway {
        new.gateway = Some(g.clone());
    }
    new.jwt = Some(key.jwt().expose_secret().to_owned());
    new.api_key = None;
    new.api_secret = None;
    file.profiles.insert(profile.to_owned(), new);
    file.save(&path)?;
    ctx.out.message(format!(
        "Created key {name:?} and stored its JWT in profile {profile:?} (use it with --profile {profile})"
    ));
    let item = Item {
        json: json!({"name": name, "api_key": key.api_key(), "profile": profile}),
        id: key.api_key().to_owned(),
        cells: vec![
            name.to_owned(),
            key.api_key().to_owned(),
            profile.to_owned(),
        ],
    };
    ctx.out.record(&item, &["name", "api_key", "profile"])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_keys_json_keeps_the_clis_names() {
        let mut k = ApiKeyInfo::new("row-1", "ci", "abc");
        k.scopes = Permissions::admin();
        k.max_uses = Some(3);
        k.uses = 1;
        assert_eq!(
            key_item(&k).unwrap().json,
            json!({
                "id": "row-1",
                "name": "ci",
                "key": "abc",
                "max_uses": 3,
                "uses": 1,
                "revoked": false,
                "permissions": "admin",
                "created_at": null,
            })
        );
    }
}
