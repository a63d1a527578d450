//! The one guarded pipeline every request goes through, written once: authenticate from the
//! headers (holding one use of the key) → faults and rate limits for the key that authenticated →
//! read and parse the body (only a small prefix for a refused caller, enough to keep the real API's
//! order: a malformed JSON body is a 400 before credentials are looked at) → the route's
//! [`Requirement`] → the handler in `api/` → commit the key's use when
//! the answer is 2xx (any other ending gives it back). Uploads take the same steps with their body
//! streamed to disk after the permission check. The public routes (`Requirement::Public`: the
//! gateway, and uploads to signed URLs, whose signature is their grant) skip authentication,
//! faults and limits. Resumable (TUS) uploads are created like any upload (authenticated, or
//! through a signed URL); their later requests are public too, their URL's token being their
//! capability, and take the TUS faults only. The routes themselves are the table in `router.rs`.
//!
//! Around it all, [`handle`] records each request in the journal (`journal.rs`) and gives every
//! answer `X-Pinata-Emulator-Version`.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{Request, StatusCode};
use hyper::body::Incoming;
use pinata_core::api::AuthenticationOk;

use crate::access::Requirement;
use crate::api::control::{control, fault_status, health, rate_limited, with_rate_headers};
use crate::api::{
    files, gateway, gateways, groups, keys, pin_by_cid, pinning, psa, signed, swaps, tus,
};
use crate::authn::{Caller, authenticate};
use crate::body::{self, drain};
use crate::faults::{Fault, RateVerdict};
use crate::journal::JournalEntry;
use crate::reply::{self, Closed, Reply};
use crate::router::Route;
use crate::state::State;

/// Answers one request, or closes the connection (`Err`) when a fault says so.
///
/// The credentials are checked from the headers before anything else is read or counted: faults,
/// rate limits and the per-key counters apply to the key that *authenticated*, never to one a
/// request merely claims, and no more of a refused caller's body is kept than
/// [`UNAUTHENTICATED_BODY_LIMIT`](crate::body::UNAUTHENTICATED_BODY_LIMIT) (a refused upload is drained, never kept, up to 64 MiB, so that a
/// client still sending sees the answer). The answer keeps the real API's order of outcomes (a
/// malformed JSON body is a 400 even with bad credentials) as far as that prefix tells.
///
/// Every answer carries `X-Pinata-Emulator-Version`, and every request but the control surface's
/// is recorded in the journal once it is answered (or closed).
pub async fn handle(state: &State, request: Request<Incoming>) -> Result<Reply, Closed> {
    let started = Instant::now();
    let now = SystemTime::now();
    let route = Route::for_request(request.method(), request.uri().path(), request.headers());
    let journaled = match &route {
        Some(r) if r.is_control() => None,
        r => Some((
            request.method().as_str().to_owned(),
            journal_path(request.uri().path(), r.as_ref()),
        )),
    };
    let mut key = None;
    let answer = dispatch(state, route, request, now, &mut key).await;
    // A write this request made failed: its answer would speak of a state the database does not
    // hold (a health check says so itself).
    let answer = match (answer, state.db.failure()) {
        (Ok(a), Some(failure)) if a.status() != StatusCode::SERVICE_UNAVAILABLE => {
            Ok(reply::coded(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the emulator cannot go on: {failure}"),
            ))
        }
        (answer, _) => answer,
    };
    if let Some((method, path)) = journaled {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let status = answer.as_ref().ok().map(|a| a.status().as_u16());
        state
            .journal
            .record(JournalEntry::new(&method, &path, key, status, now, ms));
    }
    answer.map(with_version)
}

/// `reply` with `X-Pinata-Emulator-Version`.
fn with_version(mut reply: Reply) -> Reply {
    reply.headers_mut().insert(
        "x-pinata-emulator-version",
        http::HeaderValue::from_static(crate::VERSION),
    );
    reply
}

/// The path as the journal records it: a matched resumable upload's last segment (its token) is
/// `{token}`, and so is anything else that could be a token, wherever it is
/// ([`crate::journal::recorded_path`]).
fn journal_path(path: &str, route: Option<&Route>) -> String {
    if route.is_some_and(Route::has_token) {
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        if let Some((upload, _token)) = trimmed.rsplit_once('/') {
            return format!("{}/{{token}}", crate::journal::recorded_path(upload));
        }
    }
    crate::journal::recorded_path(path)
}

/// The pipeline proper: `key` is set to the key that authenticated, if one did.
async fn dispatch(
    state: &State,
    route: Option<Route>,
    request: Request<Incoming>,
    now: SystemTime,
    authenticated: &mut Option<String>,
) -> Result<Reply, Closed> {
    let (parts, body) = request.into_parts();
    let Some(route) = route else {
        return Ok(reply::not_found(parts.method.as_str(), parts.uri.path()));
    };
    // A database that failed a write holds an older state than memory: nothing goes on as if not.
    if let Some(failure) = state.db.failure()
        && route != Route::Health
    {
        let refusal = reply::coded(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the emulator cannot go on: {failure}"),
        );
        return Ok(drain(body, refusal).await);
    }
    if route.requirement() == Requirement::Public {
        return public(state, &route, parts, body, now).await;
    }
    let has_authorization = parts.headers.contains_key(http::header::AUTHORIZATION);
    let caller = if route.is_v3() && !has_authorization {
        // v3 endpoints take Bearer authentication only (the key pair is not looked at).
        Err(reply::coded(
            StatusCode::UNAUTHORIZED,
            "no Authorization header found",
        ))
    } else if route.is_psa() && !has_authorization {
        // So does `/psa`, answered as its mode says.
        Err(psa::missing_token(state.psa_mode))
    } else {
        authenticate(&parts.headers, &state.keys, &state.jwt_secret, now)
    };
    let key = caller.as_ref().ok().map(|r| r.key().to_owned());
    if route.is_control() {
        return Ok(control(state, &route, parts, body, caller, now).await);
    }
    authenticated.clone_from(&key);
    state.faults.record(key.as_deref());
    // Faults and limits are for authenticated callers only: an anonymous or forged request can
    // neither spend a key's limit nor a rule meant for the next real call (emulator's choice; a
    // refused caller gets its refusal).
    let Some(key) = key else {
        return answer(state, &route, parts, body, caller, now, None).await;
    };
    let key = Some(key.as_str());
    let rate = state.faults.rate(key, now);
    if let RateVerdict::Limited { .. } = rate {
        return Ok(with_rate_headers(
            drain(body, rate_limited(rate)).await,
            rate,
        ));
    }
    let mut stall = None;
    let mut truncate = false;
    match state.faults.take(key) {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            return Ok(drain(body, fault_status(status, retry_after)).await);
        }
        Some(Fault::SlowHeaders { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::Close) => return Err(Closed),
        Some(Fault::TruncateBody) => truncate = true,
        Some(Fault::StallUpload { ms, after_bytes }) => {
            stall = Some((after_bytes, Duration::from_millis(ms)));
        }
        // TUS faults are taken by TUS requests only (`api/tus.rs`).
        Some(Fault::TusBreak { .. } | Fault::TusStatus { .. } | Fault::TusLose) | None => {}
    }
    let answer = answer(state, &route, parts, body, caller, now, stall).await?;
    let answer = with_rate_headers(answer, rate);
    Ok(if truncate {
        reply::truncated(answer).await
    } else {
        answer
    })
}

/// The routes that take no credentials (any `Authorization` header is ignored), and no faults or
/// rate limits, which are for keys: the gateway, uploads to signed URLs (whose signature is their
/// grant, checked before the body is read), and a resumable upload's later requests (its token is
/// its capability; they take the TUS faults).
async fn public(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    now: SystemTime,
) -> Result<Reply, Closed> {
    match route {
        Route::Gateway(rest) => Ok(gateway::public(state, rest, &parts.uri, now).await),
        Route::PrivateGateway(rest) => Ok(gateway::private(state, rest, &parts.uri, now).await),
        Route::SignedUpload(id) => {
            let query = parts.uri.query().unwrap_or("");
            let grant = match signed::begin(state, id, query, now) {
                Ok(g) => g,
                Err(refusal) => return Ok(drain(body, refusal).await),
            };
            let answer =
                files::upload(state, &parts.headers, body, now, None, Some(grant.grant())).await?;
            grant.finish(answer.status().is_success());
            Ok(answer)
        }
        Route::TusSignedCreate(id) => {
            let query = parts.uri.query().unwrap_or("");
            let grant = match signed::begin(state, id, query, now) {
                Ok(g) => g,
                Err(refusal) => return Ok(drain(body, tus::with_version(refusal)).await),
            };
            Ok(tus::create(state, &parts.headers, query, body, now, None, Some(grant)).await)
        }
        Route::TusOptions => Ok(drain(body, tus::options(state)).await),
        Route::Health => Ok(drain(body, health(state)).await),
        Route::TusHead(file, token) => Ok(tus::head(state, file, token, &parts.headers, now).await),
        Route::TusPatch(file, token) => {
            tus::patch(state, file, token, &parts.headers, body, now).await
        }
        Route::TusTerminate(file, token) => {
            Ok(tus::terminate(state, file, token, &parts.headers, body, now).await)
        }
        _ => Ok(reply::internal("unrouted request")),
    }
}

/// The route's own answer, once faults and limits have had their say.
async fn answer(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
    stall: Option<(u64, Duration)>,
) -> Result<Reply, Closed> {
    if route.streams_body() {
        upload(state, route, parts, body, caller, now, stall).await
    } else {
        Ok(respond(state, route.clone(), parts, body, caller, now).await)
    }
}

/// Uploads (`POST /pinning/pinFileToIPFS`, `POST /v3/files`): the caller is checked before the
/// body is read (it is streamed to disk).
async fn upload(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
    stall: Option<(u64, Duration)>,
) -> Result<Reply, Closed> {
    let reservation = match caller {
        Ok(r) => r,
        Err(refusal) => return Ok(drain(body, refusal).await),
    };
    if !route.requirement().is_met_by(&reservation.permissions) {
        return Ok(drain(body, reply::no_scopes()).await);
    }
    let answer = match route {
        Route::PinFile => pinning::pin_file(state, &parts.headers, body, now, stall).await?,
        Route::UploadFiles => files::upload(state, &parts.headers, body, now, stall, None).await?,
        Route::TusCreate => {
            let query = parts.uri.query().unwrap_or("");
            let creator = Some(reservation.key());
            tus::create(state, &parts.headers, query, body, now, creator, None).await
        }
        _ => drain(body, reply::internal("unrouted upload")).await,
    };
    if answer.status().is_success() {
        reservation.commit();
    }
    Ok(answer)
}

/// Everything but uploads, the gateway and the control endpoints.
async fn respond(
    state: &State,
    route: Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
) -> Reply {
    let whole = match body::read_whole(body, route.body_limit(), caller.is_ok(), route.takes_json())
        .await
    {
        Ok(whole) => whole,
        Err(refusal) => return refusal,
    };
    let json = whole.json;
    let reservation = match caller {
        Ok(r) => r,
        Err(refusal) => return refusal,
    };
    // A route whose requirement depends on its body has the body typed here, once: the
    // permission comes from that typed value and the handler acts on the same value. An untyped
    // (malformed) body is held to the route's stricter rule before its 400.
    let sign = match route {
        Route::SignFiles => Some(signed::SignRequest::parse(&json)),
        _ => None,
    };
    let requirement = match &sign {
        Some(Ok(request)) => request.requirement(),
        _ => route.requirement(),
    };
    if !requirement.is_met_by(&reservation.permissions) {
        return reply::no_scopes();
    }
    let sign = match sign.transpose() {
        Ok(sign) => sign,
        Err(refusal) => return refusal,
    };
    let permissions = &reservation.permissions;
    let answer = match &route {
        Route::TestAuthentication => reply::json(
            StatusCode::OK,
            &AuthenticationOk::new("Congratulations! You are communicating with the Pinata API!"),
        ),
        Route::CreateKey(_) => keys::create_key(state, &reservation, &json, now),
        Route::ListKeys(_) => keys::list_keys(state, parts.uri.query().unwrap_or("")),
        Route::RevokeKeyInBody => match json.get("apiKey").and_then(|k| k.as_str()) {
            Some(key) => keys::revoke_key(state, permissions, key),
            None => reply::message(StatusCode::BAD_REQUEST, "apiKey is required"),
        },
        Route::RevokeKeyInPath(key) => keys::revoke_key(state, permissions, key),
        Route::CreateGroup(network) => groups::create(state, *network, &json, now),
        Route::ListGroups(network) => {
            groups::list(state, *network, parts.uri.query().unwrap_or(""))
        }
        Route::GetGroup(network, id) => groups::get(state, *network, id),
        Route::LegacyCreateGroup => groups::legacy_create(state, &json, now),
        Route::LegacyListGroups => groups::legacy_list(state, parts.uri.query().unwrap_or("")),
        Route::LegacyGetGroup(id) => groups::legacy_get(state, id),
        Route::LegacyRenameGroup(id) => groups::legacy_rename(state, id, &json),
        Route::LegacyDeleteGroup(id) => groups::legacy_delete(state, id),
        Route::LegacyGroupCids(id, add) => groups::legacy_cids(state, id, &json, *add),
        Route::UpdateGroup(network, id) => groups::update(state, *network, id, &json),
        Route::DeleteGroup(network, id) => groups::delete(state, *network, id),
        Route::PinJson => {
            pinning::pin_json(state, whole.bytes.as_ref().unwrap_or(&Bytes::new()), now)
        }
        Route::ListFiles(network) => {
            files::list(state, *network, parts.uri.query().unwrap_or(""), now)
        }
        Route::GetFile(network, id) => files::get(state, *network, id, now),
        Route::UpdateFile(network, id) => files::update(state, *network, id, &json, now),
        Route::DeleteFile(network, id) => files::delete(state, *network, id, now),
        Route::GroupFile {
            network,
            group,
            file,
            add,
        } => files::group_file(state, *network, group, file, *add, now),
        Route::SignFiles => match &sign {
            Some(request) => signed::sign(state, &parts.headers, reservation.key(), request, now),
            // Typed above for this route.
            None => reply::internal("unrouted request"),
        },
        Route::DownloadLink => signed::download_link(state, &json, now),
        Route::ListGateways => gateways::list(state, parts.uri.query().unwrap_or("")),
        other => {
            pinning::advance_jobs(state, now);
            match other {
                Route::PinByHash => pinning::pin_by_hash(state, &json, now),
                Route::PinByCid => pin_by_cid::create(state, &json, now),
                Route::PinQueue => pin_by_cid::list(state, parts.uri.query().unwrap_or("")),
                Route::CancelPinByCid(id) => pin_by_cid::cancel(state, id),
                Route::PinJobs => pinning::pin_jobs(state, parts.uri.query().unwrap_or("")),
                Route::PsaList => psa::list(state, parts.uri.query().unwrap_or("")),
                Route::PsaAdd => psa::add(state, &json, now),
                Route::PsaGet(id) => psa::get(state, id),
                Route::PsaReplace(id) => psa::replace(state, id, &json, now),
                Route::PsaRemove(id) => psa::remove(state, id, now),
                Route::HashMetadata => pinning::hash_metadata(state, &json),
                Route::Unpin(cid) => pinning::unpin(state, cid, now),
                Route::PinList => pinning::pin_list(state, parts.uri.query().unwrap_or("")),
                Route::Usage => pinning::usage(state),
                // Legacy pins count as held CIDs, so jobs move along first.
                Route::AddSwap(network, cid, paths) => {
                    swaps::add_swap(state, *network, cid, *paths, &json, now)
                }
                Route::SwapHistory(network, cid, paths) => {
                    swaps::swap_history(state, *network, cid, *paths)
                }
                Route::DeleteSwap(network, cid, _) => swaps::delete_swap(state, *network, cid),
                Route::AddSignature(network, cid) => {
                    swaps::add_signature(state, *network, cid, &json, now)
                }
                Route::GetSignature(network, cid) => swaps::get_signature(state, *network, cid),
                Route::DeleteSignature(network, cid) => {
                    swaps::delete_signature(state, *network, cid)
                }
                // Handled above.
                _ => reply::internal("unrouted request"),
            }
        }
    };
    if answer.status().is_success() {
        reservation.commit();
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journaled_paths_hide_upload_tokens() {
        let tus = Route::TusPatch("f".into(), "t".into());
        assert_eq!(
            journal_path("/v3/files/F-1/0123abcd", Some(&tus)),
            "/v3/files/F-1/{token}"
        );
        assert_eq!(
            journal_path("/v3/files/F-1/0123abcd/", Some(&tus)),
            "/v3/files/F-1/{token}"
        );
        assert_eq!(
            journal_path(
                "/v3/files/public/x",
                Some(&Route::GetFile(
                    pinata_core::api::Network::Public,
                    "x".into()
                ))
            ),
            "/v3/files/public/x"
        );
        assert_eq!(journal_path("/nowhere", None), "/nowhere");
        // Unmatched paths hide what could be a token too.
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            journal_path(&format!("/v3/files/F-1/{token}/more"), None),
            "/v3/files/F-1/{token}/more"
        );
    }
}
