//! `pinata groups create|list|get|update|delete|add|remove` (v3 groups).

use pinata_ureq::api::groups::{
    CreateGroup, DeleteGroup, GetGroup, Group, ListGroups, UpdateGroup,
};

use super::{Ctx, collect, network_of};
use crate::args::GroupsCommand;
use crate::exit::{CliError, CliResult, from_api};
use crate::output::{Item, time};

const HEADERS: [&str; 4] = ["id", "name", "public", "created"];
/// What to check when a group or a file in it was not found.
const GROUP_AND_FILE: &str = "check the group id (`pinata groups list`) and the file ids \
                              (`pinata files list`), on the same network";

/// A group as an output item; its JSON is the API's group as the library serialises it.
fn group_item(g: &Group) -> CliResult<Item> {
    Item::new(
        g,
        g.id.clone(),
        vec![
            g.id.clone(),
            g.name.clone(),
            g.is_public.to_string(),
            time(g.created_at),
        ],
    )
}

/// `pinata groups …`.
pub fn run(ctx: &Ctx, command: GroupsCommand) -> CliResult {
    let (settings, client) = ctx.client()?;
    let usage = |e: pinata_ureq::BuildError| CliError::usage(e.to_string());
    match command {
        GroupsCommand::Create {
            name,
            public,
            network,
        } => {
            let request = CreateGroup::new(network_of(network, &settings), name)
                .map_err(usage)?
                .public(public);
            let g = client.create_group(&request).map_err(from_api)?;
            ctx.out.record(&group_item(&g)?, &HEADERS)
        }
        GroupsCommand::List {
            name,
            limit,
            network,
        } => {
            let mut request = ListGroups::new(network_of(network, &settings));
            if let Some(n) = name {
                request = request.name(n);
            }
            let groups = collect(client.paginate(request), limit)?;
            let items = groups
                .iter()
                .map(group_item)
                .collect::<CliResult<Vec<_>>>()?;
            ctx.out.list(&HEADERS, &items)
        }
        GroupsCommand::Get { id, network } => {
            let g = client
                .get_group(&GetGroup::new(network_of(network, &settings), id))
                .map_err(from_api)?;
            ctx.out.record(&group_item(&g)?, &HEADERS)
        }
        GroupsCommand::Update {
            id,
            name,
            public,
            network,
        } => {
            if name.is_none() && public.is_none() {
                return Err(CliError::usage("nothing to update").hint("give --name or --public"));
            }
            let mut request = UpdateGroup::new(network_of(network, &settings), id);
            if let Some(n) = name {
                request = request.name(n).map_err(usage)?;
            }
            if let Some(p) = public {
                request = request.public(p);
            }
            let g = client.update_group(&request).map_err(from_api)?;
            ctx.out.record(&group_item(&g)?, &HEADERS)
        }
        GroupsCommand::Delete { id, network } => {
            client
                .delete_group(&DeleteGroup::new(
                    network_of(network, &settings),
                    id.clone(),
                ))
                .map_err(from_api)?;
            ctx.out.message(format!("Deleted group {id}"));
            Ok(())
        }
        GroupsCommand::Add {
            group,
            files,
            network,
        } => {
            let net = network_of(network, &settings);
            for f in &files {
                client
                    .add_file_to_group(net, &group, f)
                    .map_err(|e| from_api(e).when_not_found(GROUP_AND_FILE))?;
                ctx.out.message(format!("Added {f} to group {group}"));
            }
            Ok(())
        }
        GroupsCommand::Remove {
            group,
            files,
            network,
        } => {
            let net = network_of(network, &settings);
            for f in &files {
                client
                    .remove_file_from_group(net, &group, f)
                    .map_err(|e| from_api(e).when_not_found(GROUP_AND_FILE))?;
                ctx.out.message(format!("Removed {f} from group {group}"));
            }
            Ok(())
        }
    }
}
