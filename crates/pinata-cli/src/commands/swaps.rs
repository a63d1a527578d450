//! `pinata swaps add|list|delete` (hot swaps).

use pinata_ureq::api::swaps::{Swap, SwapAnswer, SwapCid};

use super::{Ctx, network_of};
use crate::args::SwapsCommand;
use crate::exit::{CliError, CliResult, from_api};
use crate::output::{Item, time};

const HEADERS: [&str; 2] = ["mapped_cid", "created"];

/// A swap as an output item; its JSON is the API's swap as the library serialises it.
fn swap_item(s: &Swap) -> CliResult<Item> {
    Item::new(
        s,
        s.mapped_cid.clone(),
        vec![s.mapped_cid.clone(), time(s.created_at)],
    )
}

/// `pinata swaps …`.
pub fn run(ctx: &Ctx, command: SwapsCommand) -> CliResult {
    let (settings, client) = ctx.client()?;
    let request = match command {
        SwapsCommand::Add {
            cid,
            swap_cid,
            network,
        } => SwapCid::add(network_of(network, &settings), cid, swap_cid),
        SwapsCommand::List {
            cid,
            domain,
            network,
        } => {
            let domain = match domain {
                Some(d) => d,
                None => client
                    .config()
                    .gateway()
                    .map(|g| g.host().to_owned())
                    .ok_or_else(|| {
                        CliError::usage("no gateway is configured").hint("give --domain")
                    })?,
            };
            SwapCid::history(network_of(network, &settings), cid, domain)
        }
        SwapsCommand::Delete { cid, network } => {
            SwapCid::delete(network_of(network, &settings), cid)
        }
    };
    match client.swap_cid(&request).map_err(from_api)? {
        SwapAnswer::Added(s) => ctx.out.record(&swap_item(&s)?, &HEADERS),
        SwapAnswer::History(all) => ctx.out.list(
            &HEADERS,
            &all.iter().map(swap_item).collect::<CliResult<Vec<_>>>()?,
        ),
        SwapAnswer::Deleted => {
            ctx.out.message("Swap removed");
            Ok(())
        }
        _ => Ok(()),
    }
}
