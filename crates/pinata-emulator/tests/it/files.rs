//! The v3 Files API over raw HTTP: uploads (files, folders, CARs, duplicates), the list's filters
//! and paging, updates, deletion, expiry, groups, scopes, signed upload URLs, download links and
//! the two gateways, swaps and signatures. Answers are decoded with pinata-core's own types, so
//! the wire shapes are the ones the clients read.

// Test helpers: a failed step is a failed test.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use pinata_core::Endpoint;
use pinata_core::api::Network;
use pinata_core::api::files::{FileItem, FilePage, GetFile, ListFiles};
use pinata_core::api::swaps::{CidSignature, SwapAnswer, SwapCid};
use pinata_core::api::uploads::{UploadFile, UploadedFile};
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_emulator::{EmulatorConfig, EmulatorHandle};
use serde_json::Value;

const BOUNDARY: &str = "emulator-files-test-boundary";

/// A part of a multipart form.
#[derive(Clone, Copy)]
enum Part<'a> {
    /// A file part, `Content-Type: application/octet-stream`.
    File(&'a str, &'a [u8]),
    /// A file part with this `Content-Type` (`None`: no `Content-Type` header).
    Typed(&'a str, Option<&'a str>, &'a [u8]),
    Text(&'a str, &'a str),
}

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match *part {
            Part::File(name, bytes) => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
            }
            Part::Typed(name, content_type, bytes) => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                    )
                    .as_bytes(),
                );
                if let Some(t) = content_type {
                    out.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
                }
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(bytes);
            }
            Part::Text(name, value) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Posts `parts` to `path` with `authorization` (if any).
fn post_form(
    emu: &EmulatorHandle,
    path: &str,
    authorization: Option<&str>,
    parts: &[Part<'_>],
) -> Answer {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let mut headers = vec![("content-type", content_type.as_str())];
    if let Some(a) = authorization {
        headers.push(("authorization", a));
    }
    call(emu.url(), "POST", path, &headers, &form(parts))
}

/// `POST /v3/files` as the admin.
fn upload(emu: &EmulatorHandle, parts: &[Part<'_>]) -> Answer {
    let auth = bearer(&emu.admin().jwt);
    post_form(emu, "/v3/files", Some(&auth), parts)
}

/// A successful upload, decoded as pinata-core decodes it.
fn uploaded(emu: &EmulatorHandle, parts: &[Part<'_>]) -> UploadedFile {
    let a = upload(emu, parts);
    assert_eq!(a.status, 200, "{}", a.body);
    decode_upload(&a)
}

fn decode_upload(a: &Answer) -> UploadedFile {
    UploadFile::bytes("x", "x")
        .unwrap()
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(a.body.clone()),
        )
        .unwrap_or_else(|e| panic!("{e}: {}", a.body))
}

fn get(emu: &EmulatorHandle, path: &str) -> Answer {
    admin_call(emu, "GET", path, "")
}

/// `GET` with no credentials at all.
fn anonymous(emu: &EmulatorHandle, path: &str) -> Answer {
    call(emu.url(), "GET", path, &[], b"")
}

fn data(a: &Answer) -> Value {
    json(&a.body)["data"].clone()
}

fn message(a: &Answer) -> String {
    json(&a.body)["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn cid(bytes: &[u8], v: CidVersion) -> String {
    import_bytes(bytes, ImportOptions::new(v))
        .unwrap()
        .cid
        .to_string()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The path and query of a URL the emulator signed (the test client sends `Host: x`).
fn local(url: &str) -> String {
    url.strip_prefix("http://x")
        .unwrap_or_else(|| panic!("{url}"))
        .to_owned()
}

fn page(a: &Answer) -> FilePage {
    assert_eq!(a.status, 200, "{}", a.body);
    ListFiles::new(Network::Public)
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(a.body.clone()),
        )
        .unwrap_or_else(|e| panic!("{e}: {}", a.body))
}

fn listed(emu: &EmulatorHandle, query: &str) -> Vec<FileItem> {
    page(&get(emu, &format!("/v3/files/public?{query}"))).files
}

#[test]
fn uploads_decode_as_core_reads_them_and_paging_ends_with_an_empty_token() {
    let emu = spawn(EmulatorConfig::default());
    let mut made = Vec::new();
    for (i, name) in ["One.txt", "two.txt", "three.png"].iter().enumerate() {
        let bytes = format!("content {i}");
        let mut parts = vec![
            Part::File(name, bytes.as_bytes()),
            Part::Text("network", "public"),
        ];
        if i == 0 {
            parts.push(Part::Text("keyvalues", r#"{"k":"v"}"#));
        }
        let up = uploaded(&emu, &parts);
        assert_eq!(
            up.cid,
            cid(bytes.as_bytes(), CidVersion::V1),
            "v1 by default"
        );
        assert_eq!(up.size, bytes.len() as u64);
        assert_eq!(up.network, Some(Network::Public));
        assert_eq!(up.name.as_deref(), Some(*name), "named after the file");
        assert_eq!(up.is_duplicate, None);
        made.push(up);
    }
    assert_eq!(made[0].mime_type.as_deref(), Some("text/plain"));
    assert_eq!(made[2].mime_type.as_deref(), Some("image/png"));
    assert_eq!(made[0].keyvalues.get("k").map(String::as_str), Some("v"));

    // The same CID on the same network is a file of its own, as a duplicate; on the other, a
    // new one.
    let again = uploaded(
        &emu,
        &[
            Part::File("x", b"content 0"),
            Part::Text("network", "public"),
        ],
    );
    assert_eq!(again.is_duplicate, Some(true));
    assert_ne!(again.id, made[0].id);
    assert_eq!(again.name.as_deref(), Some("x"), "the new upload's name");
    // Deleting it leaves the first as it was.
    let gone = admin_call(
        &emu,
        "DELETE",
        &format!("/v3/files/public/{}", again.id),
        "",
    );
    assert_eq!(gone.status, 200, "{}", gone.body);
    let first = get(&emu, &format!("/v3/files/public/{}", made[0].id));
    assert_eq!(data(&first)["name"], "One.txt");
    let private = uploaded(&emu, &[Part::File("x", b"content 0")]);
    assert_eq!(
        private.network,
        Some(Network::Private),
        "private by default"
    );
    assert_ne!(private.id, made[0].id);
    // v0 when asked.
    let v0 = uploaded(
        &emu,
        &[
            Part::File("v0.txt", b"old"),
            Part::Text("cid_version", "v0"),
        ],
    );
    assert_eq!(v0.cid, cid(b"old", CidVersion::V0));

    // One a page, newest first, until the token is empty; each token is the base64 of the id.
    let mut token = String::new();
    let mut ids = Vec::new();
    loop {
        let p = page(&get(
            &emu,
            &format!("/v3/files/public?limit=1&pageToken={token}"),
        ));
        ids.extend(p.files.iter().map(|f| f.id.clone()));
        let next = p.next_page_token.unwrap_or_default();
        if next.is_empty() {
            break;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&next)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), p.files[0].id);
        token = next;
        assert!(ids.len() <= 3, "paging does not end");
    }
    let newest_first: Vec<String> = made.iter().rev().map(|f| f.id.clone()).collect();
    assert_eq!(ids, newest_first);
    let whole = page(&get(&emu, "/v3/files/public?limit=3"));
    assert_eq!(
        whole.next_page_token.as_deref(),
        Some(""),
        "no token on the last page"
    );
    let ascending: Vec<String> = listed(&emu, "order=ASC")
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ascending.first(), Some(&made[0].id));

    // Filters.
    let ids_of = |q: &str| -> Vec<String> { listed(&emu, q).into_iter().map(|f| f.id).collect() };
    assert_eq!(
        ids_of("name=ONE"),
        [made[0].id.clone()],
        "case-insensitive substring"
    );
    assert_eq!(ids_of("keyvalues%5Bk%5D=v"), [made[0].id.clone()]);
    assert!(
        ids_of("keyvalues%5Bk%5D=v&keyvalues%5Bother%5D=x").is_empty(),
        "all must hold"
    );
    assert_eq!(
        ids_of(&format!("cid={}", made[1].cid)),
        [made[1].id.clone()]
    );
    assert_eq!(ids_of("mimeType=image%2Fpng"), [made[2].id.clone()]);
    assert!(ids_of("cidPending=true").is_empty());
    assert_eq!(ids_of("group=null").len(), 3);
    // The other network's files are not listed here, nor found by id.
    assert!(!ids_of("").contains(&private.id));
    let other = get(&emu, &format!("/v3/files/public/{}", private.id));
    assert_eq!(
        (other.status, message(&other).as_str()),
        (404, "File not found")
    );
    // A file by id decodes as core's FileItem and equals its listing.
    let one = get(&emu, &format!("/v3/files/public/{}", made[1].id));
    let item = GetFile::new(Network::Public, "x")
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(one.body.clone()),
        )
        .unwrap();
    assert_eq!(item, listed(&emu, "name=two")[0]);

    for bad in [
        "limit=0",
        "limit=1001",
        "order=sideways",
        "pageToken=%%%",
        "cidPending=maybe",
    ] {
        let a = get(&emu, &format!("/v3/files/public?{bad}"));
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        assert_eq!(json(&a.body)["error"]["code"], 400, "{bad}");
    }
    let many: String = (0..11).map(|i| format!("keyvalues%5Bk{i}%5D=v&")).collect();
    assert_eq!(get(&emu, &format!("/v3/files/public?{many}")).status, 400);
}

#[test]
fn folders_are_addressed_like_pin_file_to_ipfs_and_cars_stay_pending() {
    let emu = spawn(EmulatorConfig::default());
    let parts = [
        Part::File("site/index.html", b"<p>hi</p>"),
        Part::File("site/css/a.css", b"p{}"),
    ];
    let mut v3 = parts.to_vec();
    v3.push(Part::Text("network", "public"));
    let folder = uploaded(&emu, &v3);
    assert_eq!(folder.mime_type.as_deref(), Some("directory"));
    assert_eq!(
        (folder.number_of_files, folder.name.as_deref()),
        (2, Some("site"))
    );
    let mut legacy = parts.to_vec();
    legacy.push(Part::Text("pinataOptions", r#"{"cidVersion":1}"#));
    let auth = bearer(&emu.admin().jwt);
    let pinned = post_form(&emu, "/pinning/pinFileToIPFS", Some(&auth), &legacy);
    assert_eq!(pinned.status, 200, "{}", pinned.body);
    assert_eq!(
        json(&pinned.body)["IpfsHash"],
        folder.cid.as_str(),
        "one importer, one CID"
    );
    // A folder without a trailing slash is a redirect to its listing, as IPFS gateways answer;
    // the listing carries boxo's kind of ETag.
    for path in [
        format!("/ipfs/{}", folder.cid),
        format!("/ipfs/{}/css", folder.cid),
    ] {
        let moved = anonymous(&emu, &path);
        assert_eq!(moved.status, 301, "{path}: {}", moved.body);
        let head = moved.head.to_ascii_lowercase();
        assert!(
            head.contains(&format!("location: {}/\r\n", path.to_ascii_lowercase())),
            "{head}"
        );
        let listing = anonymous(&emu, &format!("{path}/"));
        assert_eq!(listing.status, 200);
        assert!(
            listing
                .head
                .contains(&format!("\"DirIndex-emulator_CID-{}\"", folder.cid)),
            "{}",
            listing.head
        );
    }
    let served = anonymous(&emu, &format!("/ipfs/{}/css/a.css", folder.cid));
    assert_eq!((served.status, served.body.as_str()), (200, "p{}"));
    assert!(
        served
            .head
            .to_ascii_lowercase()
            .contains("content-type: text/css")
    );

    let two_roots = upload(&emu, &[Part::File("a/x", b"1"), Part::File("b/y", b"2")]);
    assert_eq!(two_roots.status, 400, "{}", two_roots.body);
    let none = upload(&emu, &[Part::Text("network", "public")]);
    assert_eq!(none.status, 400, "{}", none.body);
    let not_form = admin_call(&emu, "POST", "/v3/files", "{}");
    assert_eq!(not_form.status, 400, "{}", not_form.body);

    let car = uploaded(
        &emu,
        &[
            Part::File("x.car", b"not really a CAR"),
            Part::Text("network", "public"),
            Part::Text("car", "true"),
        ],
    );
    assert_eq!(car.cid, "pending");
    assert_eq!(car.mime_type.as_deref(), Some("application/vnd.ipld.car"));
    assert_eq!(listed(&emu, "cidPending=true")[0].id, car.id);
    let private_car = upload(
        &emu,
        &[Part::File("x.car", b"c"), Part::Text("car", "true")],
    );
    assert_eq!(private_car.status, 400, "{}", private_car.body);
    for (field, value) in [
        ("network", "elsewhere"),
        ("cid_version", "v2"),
        ("expires_at", "soon"),
        ("keyvalues", r#"{"n":1}"#),
        ("keyvalues", "not json"),
        ("car", "yes"),
    ] {
        let a = upload(&emu, &[Part::File("a.txt", b"a"), Part::Text(field, value)]);
        assert_eq!(a.status, 400, "{field}={value}: {}", a.body);
    }
    // The wrapped form a guide sends is unwrapped.
    let wrapped = uploaded(
        &emu,
        &[
            Part::File("w.txt", b"w"),
            Part::Text("keyvalues", r#"{"keyvalues":{"a":"b"}}"#),
        ],
    );
    assert_eq!(wrapped.keyvalues.get("a").map(String::as_str), Some("b"));
}

/// Signs a download link for `url` as the admin: the link's path and query.
fn link(emu: &EmulatorHandle, path: &str, url: &str, date: u64, expires: u64) -> Answer {
    admin_call(
        emu,
        "POST",
        path,
        &format!(r#"{{"url":"{url}","date":{date},"expires":{expires},"method":"GET"}}"#),
    )
}

fn signed_link(emu: &EmulatorHandle, url: &str) -> String {
    let a = link(emu, "/v3/files/private/download_link", url, now_secs(), 60);
    assert_eq!(a.status, 200, "{}", a.body);
    local(data(&a).as_str().unwrap())
}

#[test]
fn private_content_is_served_only_through_signed_links() {
    let emu = spawn(EmulatorConfig::default());
    let secret = uploaded(&emu, &[Part::File("secret.txt", b"private bytes")]);
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", secret.cid)).status,
        404
    );
    // A private folder comes through a signed URL (the keyed endpoint takes public ones only).
    let folder_url = signed_url(
        &emu,
        r#""network":"private","allow_mime_types":["directory"]"#,
    );
    let folder = decode_upload(&to_signed(
        &emu,
        &folder_url,
        &[
            Part::File("priv/index.html", b"private page"),
            Part::File("priv/css/a.css", b"private css"),
        ],
    ));
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}/index.html", folder.cid)).status,
        404
    );
    let inner = cid(b"private css", CidVersion::V1);
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{inner}")).status,
        404,
        "nor a file inside"
    );

    let file = signed_link(&emu, &format!("http://x/files/{}", secret.cid));
    assert!(file.contains("?X-Algorithm=PINATA1&X-Date="), "{file}");
    assert!(file.contains("&X-Method=GET&X-Signature="), "{file}");
    let got = anonymous(&emu, &file);
    assert_eq!((got.status, got.body.as_str()), (200, "private bytes"));
    assert!(
        got.head
            .to_ascii_lowercase()
            .contains("content-type: text/plain")
    );
    // An Authorization header (the SDK sends `Bearer undefined`) is ignored.
    let with_header = call(
        emu.url(),
        "GET",
        &file,
        &[("authorization", "Bearer undefined")],
        b"",
    );
    assert_eq!(with_header.status, 200, "{}", with_header.body);

    let mut altered = file.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let refused = anonymous(&emu, &altered);
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(message(&refused).contains("signature"), "{}", refused.body);
    assert_eq!(
        anonymous(&emu, &format!("/files/{}", secret.cid)).status,
        401,
        "unsigned"
    );
    let elsewhere = file.replace(&secret.cid, &folder.cid);
    assert_eq!(
        anonymous(&emu, &elsewhere).status,
        401,
        "signed for another CID"
    );

    // A file inside a private folder, by path; the signature is for that path only.
    let css = signed_link(&emu, &format!("http://x/files/{}/css/a.css", folder.cid));
    let got = anonymous(&emu, &css);
    assert_eq!((got.status, got.body.as_str()), (200, "private css"));
    assert!(
        got.head
            .to_ascii_lowercase()
            .contains("content-type: text/css")
    );
    let other_path = css.replace("/css/a.css", "/index.html");
    assert_eq!(anonymous(&emu, &other_path).status, 401);

    // Expired.
    let stale = link(
        &emu,
        "/v3/files/private/download_link",
        &format!("http://x/files/{}", secret.cid),
        now_secs() - 100,
        10,
    );
    let expired = anonymous(&emu, &local(data(&stale).as_str().unwrap()));
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert!(message(&expired).contains("expired"), "{}", expired.body);

    // Image options in the URL are kept, and the link appends to them; both other paths sign.
    let with_query = signed_link(&emu, &format!("http://x/files/{}?img-width=10", secret.cid));
    assert!(
        with_query.contains("?img-width=10&X-Algorithm=PINATA1"),
        "{with_query}"
    );
    assert_eq!(anonymous(&emu, &with_query).status, 200);
    for path in ["/v3/files/download_link", "/v3/files/sign"] {
        let a = link(
            &emu,
            path,
            &format!("http://x/files/{}", secret.cid),
            now_secs(),
            30,
        );
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(
            anonymous(&emu, &local(data(&a).as_str().unwrap())).status,
            200,
            "{path}"
        );
    }
    for (url, date, expires) in [
        ("http://x/ipfs/bafy", now_secs(), 60),
        ("http://x/files/", now_secs(), 60),
        ("http://x/files/bafy", now_secs(), 0),
        ("http://x/files/bafy", now_secs(), 8 * 86_400),
        ("http://x/files/bafy", now_secs() - 3 * 86_400, 60),
    ] {
        let a = link(&emu, "/v3/files/private/download_link", url, date, expires);
        assert_eq!(a.status, 400, "{url} {date} {expires}: {}", a.body);
    }
    let post = admin_call(
        &emu,
        "POST",
        "/v3/files/private/download_link",
        &format!(
            r#"{{"url":"http://x/files/c","date":{},"expires":5,"method":"POST"}}"#,
            now_secs()
        ),
    );
    assert_eq!(post.status, 400, "{}", post.body);

    // A public CID has no private file: a valid link to it is a 404.
    let public = uploaded(
        &emu,
        &[
            Part::File("p.txt", b"public bytes"),
            Part::Text("network", "public"),
        ],
    );
    assert_eq!(
        anonymous(
            &emu,
            &signed_link(&emu, &format!("http://x/files/{}", public.cid))
        )
        .status,
        404
    );
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", public.cid)).status,
        200
    );

    // Deleting the private file keeps its content off /ipfs/; a public upload of it publishes it.
    let gone = admin_call(
        &emu,
        "DELETE",
        &format!("/v3/files/private/{}", secret.id),
        "",
    );
    assert_eq!((gone.status, data(&gone)), (200, Value::Null));
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", secret.cid)).status,
        404
    );
    assert_eq!(
        anonymous(&emu, &file).status,
        404,
        "no private file holds it now"
    );
    uploaded(
        &emu,
        &[
            Part::File("s.txt", b"private bytes"),
            Part::Text("network", "public"),
        ],
    );
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", secret.cid)).status,
        200
    );
}

/// Signs an upload URL as the admin with `body`'s fields (and the date and validity given).
fn sign(emu: &EmulatorHandle, fields: &str, date: u64, expires: u64) -> Answer {
    let comma = if fields.is_empty() { "" } else { "," };
    admin_call(
        emu,
        "POST",
        "/v3/files/sign",
        &format!(r#"{{"date":{date},"expires":{expires}{comma}{fields}}}"#),
    )
}

fn signed_url(emu: &EmulatorHandle, fields: &str) -> String {
    let a = sign(emu, fields, now_secs(), 120);
    assert_eq!(a.status, 200, "{}", a.body);
    local(data(&a).as_str().unwrap())
}

/// Posts `parts` to a signed URL with no usable credential (the SDK's `Bearer undefined`).
fn to_signed(emu: &EmulatorHandle, url: &str, parts: &[Part<'_>]) -> Answer {
    post_form(emu, url, Some("Bearer undefined"), parts)
}

#[test]
fn signed_upload_urls_are_checked_bound_and_used_once() {
    let emu = spawn(EmulatorConfig::default());
    let url = signed_url(
        &emu,
        r#""network":"public","filename":"bound.txt","keyvalues":{"via":"url"},"max_file_size":100,"allow_mime_types":["text/*"]"#,
    );
    assert!(url.starts_with("/v3/files/"), "{url}");
    for piece in [
        "?X-Algorithm=PINATA2&X-Date=",
        "&X-Method=%5B%22HEAD%22%2C%22PATCH%22%2C%22POST%22%5D",
        "&X-Upload-Option-Network=public&X-User-ID=",
        "&X-Signature=",
    ] {
        assert!(url.contains(piece), "{piece} in {url}");
    }
    let altered = url.replace("X-Expires=120", "X-Expires=121");
    let refused = to_signed(&emu, &altered, &[Part::File("a.txt", b"a")]);
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(message(&refused).contains("signature"), "{}", refused.body);

    // The bound fields win over the form's.
    let up = to_signed(
        &emu,
        &url,
        &[
            Part::File("note.txt", b"note"),
            Part::Text("name", "not bound"),
            Part::Text("network", "private"),
            Part::Text("keyvalues", r#"{"via":"form"}"#),
        ],
    );
    assert_eq!(up.status, 200, "{}", up.body);
    let up = decode_upload(&up);
    assert_eq!(up.name.as_deref(), Some("bound.txt"));
    assert_eq!(up.network, Some(Network::Public));
    assert_eq!(up.keyvalues.get("via").map(String::as_str), Some("url"));
    assert_eq!(up.cid, cid(b"note", CidVersion::V1));
    let reused = to_signed(&emu, &url, &[Part::File("b.txt", b"b")]);
    assert_eq!(reused.status, 409, "{}", reused.body);

    // Too large: refused, nothing kept, and the URL may be used again.
    let small = signed_url(&emu, r#""max_file_size":10"#);
    let large = to_signed(&emu, &small, &[Part::File("big.txt", &[7u8; 11])]);
    assert_eq!(large.status, 413, "{}", large.body);
    let incoming = std::fs::read_dir(emu.data_dir().join("incoming"))
        .unwrap()
        .count();
    assert_eq!(incoming, 0, "nothing of a refused upload is left");
    assert!(
        !emu.data_dir()
            .join("objects")
            .join(cid(&[7u8; 11], CidVersion::V1))
            .exists()
    );
    let folder_too_large = to_signed(
        &emu,
        &small,
        &[Part::File("d/a", &[1u8; 6]), Part::File("d/b", &[2u8; 6])],
    );
    assert_eq!(
        folder_too_large.status, 413,
        "the cap is for all files together"
    );
    let fits = to_signed(&emu, &small, &[Part::File("fits.txt", &[7u8; 10])]);
    assert_eq!(fits.status, 200, "{}", fits.body);

    // MIME types: wildcards, exact types, and directories only when named.
    let images = signed_url(&emu, r#""allow_mime_types":["image/*"]"#);
    let wrong = to_signed(&emu, &images, &[Part::File("a.txt", b"text")]);
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    assert_eq!(
        message(&wrong),
        "Presigned URL does not grant permissions to upload declared MIME type: text/plain"
    );
    assert_eq!(
        to_signed(&emu, &images, &[Part::File("a.png", b"png")]).status,
        200
    );
    let anything = signed_url(&emu, r#""allow_mime_types":["*"]"#);
    let folder = [Part::File("dir/a.txt", b"1"), Part::File("dir/b.txt", b"2")];
    let no_dir = to_signed(&emu, &anything, &folder);
    assert_eq!(no_dir.status, 400, "{}", no_dir.body);
    assert!(
        message(&no_dir).ends_with("detected MIME type: directory"),
        "{}",
        no_dir.body
    );
    let dirs = signed_url(&emu, r#""allow_mime_types":["directory"]"#);
    let dir = to_signed(&emu, &dirs, &folder);
    assert_eq!(dir.status, 200, "{}", dir.body);
    assert_eq!(decode_upload(&dir).mime_type.as_deref(), Some("directory"));
    assert_eq!(
        decode_upload(&dir).network,
        Some(Network::Private),
        "private unless signed otherwise"
    );

    // Expired, unknown, and unsigned URLs.
    let stale = sign(&emu, "", now_secs() - 100, 10);
    let expired = to_signed(
        &emu,
        &local(data(&stale).as_str().unwrap()),
        &[Part::File("a.txt", b"a")],
    );
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert!(message(&expired).contains("expired"), "{}", expired.body);
    let fresh = signed_url(&emu, "");
    let (_, query) = fresh.split_once('?').unwrap();
    let unknown = to_signed(
        &emu,
        &format!("/v3/files/00000000-0000-4000-8000-000000000000?{query}"),
        &[Part::File("a", b"a")],
    );
    assert_eq!(unknown.status, 401, "{}", unknown.body);
    let bare = to_signed(
        &emu,
        fresh.split('?').next().unwrap(),
        &[Part::File("a", b"a")],
    );
    assert_eq!(bare.status, 401, "{}", bare.body);

    // What signing refuses (MIME patterns as pinata-core refuses them).
    let too_many_types = format!(
        r#""allow_mime_types":[{}]"#,
        vec![r#""text/plain""#; pinata_core::api::signed::MAX_MIME_PATTERNS + 1].join(",")
    );
    let too_long_type = format!(
        r#""allow_mime_types":["a/{}"]"#,
        "b".repeat(pinata_core::api::signed::MAX_MIME_PATTERN_LEN)
    );
    for (fields, date, expires) in [
        ("", now_secs(), 0),
        ("", now_secs(), 8 * 86_400),
        ("", now_secs() - 2 * 86_400, 60),
        // A date in the future beyond a small clock skew: a URL signed "for 7 days" would
        // otherwise last up to 8.
        ("", now_secs() + 3_600, 60),
        ("", now_secs() + 86_000, 7 * 86_400),
        (r#""network":"elsewhere""#, now_secs(), 60),
        (r#""allow_mime_types":["image"]"#, now_secs(), 60),
        (too_many_types.as_str(), now_secs(), 60),
        (too_long_type.as_str(), now_secs(), 60),
        (r#""max_file_size":0"#, now_secs(), 60),
        (r#""group_id":"no-such-group""#, now_secs(), 60),
        (r#""keyvalues":{"a":1}"#, now_secs(), 60),
    ] {
        let a = sign(&emu, fields, date, expires);
        assert_eq!(a.status, 400, "{fields} {date} {expires}: {}", a.body);
    }
    // A clock a little behind the client's is still accepted.
    assert_eq!(sign(&emu, "", now_secs() + 120, 60).status, 200);
}

fn key(emu: &EmulatorHandle, resources: &str) -> String {
    let a = create_key(
        emu.url(),
        &emu.admin().jwt,
        &format!(r#"{{"resources":[{resources}]}}"#),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["JWT"].as_str().unwrap().to_owned()
}

#[test]
fn scopes_and_groups() {
    let emu = spawn(EmulatorConfig::default());
    let reader = bearer(&key(&emu, r#""org:files:read""#));
    let writer = bearer(&key(&emu, r#""org:files:write""#));
    let as_key = |auth: &str, method: &str, path: &str, body: &str| {
        call(
            emu.url(),
            method,
            path,
            &[
                ("authorization", auth),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    assert_eq!(as_key(&reader, "GET", "/v3/files/private", "").status, 200);
    let refused = post_form(
        &emu,
        "/v3/files",
        Some(&reader),
        &[Part::File("a.txt", b"a")],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let now = now_secs();
    let sign_body = format!(r#"{{"date":{now},"expires":60}}"#);
    assert_eq!(
        as_key(&reader, "POST", "/v3/files/sign", &sign_body).status,
        403
    );
    // A `url` of null is no URL: the request signs an upload URL, so it needs write, whatever
    // the JSON's keys are.
    let null_url = format!(r#"{{"url":null,"date":{now},"expires":60}}"#);
    let refused = as_key(&reader, "POST", "/v3/files/sign", &null_url);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let signed = as_key(&writer, "POST", "/v3/files/sign", &null_url);
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert!(
        json(&signed.body)["data"]
            .as_str()
            .unwrap()
            .contains("X-Algorithm=PINATA2"),
        "an upload URL: {}",
        signed.body
    );
    let link_body = format!(r#"{{"url":"http://x/files/bafy","date":{now},"expires":60}}"#);
    assert_eq!(
        as_key(&reader, "POST", "/v3/files/sign", &link_body).status,
        200,
        "a link needs read only"
    );
    let up = post_form(
        &emu,
        "/v3/files",
        Some(&writer),
        &[Part::File("a.txt", b"a")],
    );
    assert_eq!(up.status, 200, "{}", up.body);
    let id = decode_upload(&up).id;
    assert_eq!(
        as_key(
            &reader,
            "PUT",
            &format!("/v3/files/private/{id}"),
            r#"{"name":"n"}"#
        )
        .status,
        403
    );
    assert_eq!(
        as_key(
            &writer,
            "PUT",
            &format!("/v3/groups/private/g/ids/{id}"),
            ""
        )
        .status,
        403,
        "groups:write"
    );
    let pair = call(
        emu.url(),
        "GET",
        "/v3/files/private",
        &[
            ("pinata_api_key", &emu.admin().api_key),
            ("pinata_secret_api_key", &emu.admin().api_secret),
        ],
        b"",
    );
    assert_eq!(pair.status, 401, "v3 is Bearer only: {}", pair.body);

    // Groups: at upload (`group_id`, or the guides' `group`), added, removed, deleted.
    let group = admin_call(&emu, "POST", "/v3/groups/public", r#"{"name":"g"}"#);
    let group = data(&group)["id"].as_str().unwrap().to_owned();
    let joined = uploaded(
        &emu,
        &[
            Part::File("j.txt", b"j"),
            Part::Text("network", "public"),
            Part::Text("group_id", &group),
        ],
    );
    assert_eq!(joined.group_id.as_deref(), Some(group.as_str()));
    let alias = uploaded(
        &emu,
        &[
            Part::File("k.txt", b"k"),
            Part::Text("network", "public"),
            Part::Text("group", &group),
        ],
    );
    assert_eq!(alias.group_id.as_deref(), Some(group.as_str()));
    let loose = uploaded(
        &emu,
        &[Part::File("l.txt", b"l"), Part::Text("network", "public")],
    );
    let wrong_network = upload(
        &emu,
        &[Part::File("m.txt", b"m"), Part::Text("group_id", &group)],
    );
    assert_eq!(
        wrong_network.status, 400,
        "the group is public, the upload private: {}",
        wrong_network.body
    );
    let in_group = |emu: &EmulatorHandle| listed(emu, &format!("group={group}")).len();
    assert_eq!(in_group(&emu), 2);
    let add = admin_call(
        &emu,
        "PUT",
        &format!("/v3/groups/public/{group}/ids/{}", loose.id),
        "",
    );
    assert_eq!((add.status, data(&add)), (200, Value::Null));
    assert_eq!(in_group(&emu), 3);
    assert_eq!(
        admin_call(
            &emu,
            "DELETE",
            &format!("/v3/groups/public/{group}/ids/{}", joined.id),
            ""
        )
        .status,
        200
    );
    assert_eq!(in_group(&emu), 2);
    let no_file = admin_call(
        &emu,
        "PUT",
        &format!("/v3/groups/public/{group}/ids/nope"),
        "",
    );
    assert_eq!(
        (no_file.status, message(&no_file).as_str()),
        (404, "File not found")
    );
    let no_group = admin_call(
        &emu,
        "PUT",
        &format!("/v3/groups/public/nope/ids/{}", loose.id),
        "",
    );
    assert_eq!(
        (no_group.status, message(&no_group).as_str()),
        (404, "Group not found")
    );
    assert_eq!(
        admin_call(&emu, "DELETE", &format!("/v3/groups/public/{group}"), "").status,
        200
    );
    assert_eq!(in_group(&emu), 0);
    assert_eq!(
        listed(&emu, "group=null").len(),
        3,
        "the group's files are in no group"
    );
}

#[test]
fn updates_deletions_and_expiry() {
    let emu = spawn(EmulatorConfig::default());
    let f = uploaded(
        &emu,
        &[Part::File("u.txt", b"u"), Part::Text("network", "public")],
    );
    let path = format!("/v3/files/public/{}", f.id);
    let later = now_secs() + 3600;
    let updated = admin_call(
        &emu,
        "PUT",
        &path,
        &format!(r#"{{"name":"renamed","keyvalues":{{"a":"b"}},"expires_at":{later}}}"#),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    let item = GetFile::new(Network::Public, "x")
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(updated.body.clone()),
        )
        .unwrap();
    assert_eq!(item.name.as_deref(), Some("renamed"));
    assert_eq!(item.keyvalues.get("a").map(String::as_str), Some("b"));
    assert_eq!(item.expires_at, Some(later));
    let replaced = admin_call(&emu, "PUT", &path, r#"{"keyvalues":{"c":"d"}}"#);
    assert_eq!(
        data(&replaced)["keyvalues"],
        serde_json::json!({"c":"d"}),
        "replaced, not merged"
    );
    let eleven: Vec<String> = (0..11).map(|i| format!(r#""k{i}":"v""#)).collect();
    for bad in [
        "{}".to_owned(),
        r#"{"name":null}"#.to_owned(),
        r#"{"name":""}"#.to_owned(),
        r#"{"keyvalues":{"n":1}}"#.to_owned(),
        format!(r#"{{"keyvalues":{{{}}}}}"#, eleven.join(",")),
        r#"{"expires_at":1}"#.to_owned(),
        r#"{"expires_at":-5}"#.to_owned(),
        r#"{"expires_at":99999999999999}"#.to_owned(),
    ] {
        let a = admin_call(&emu, "PUT", &path, &bad);
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
    }
    let missing = admin_call(&emu, "PUT", "/v3/files/public/nope", r#"{"name":"n"}"#);
    assert_eq!(
        (missing.status, message(&missing).as_str()),
        (404, "File not found")
    );
    assert_eq!(
        admin_call(&emu, "DELETE", "/v3/files/public/nope", "").status,
        404
    );

    // Expiry: accepted until its second has passed, then the file is gone everywhere.
    let past = upload(
        &emu,
        &[
            Part::File("p.txt", b"p"),
            Part::Text("expires_at", &(now_secs() - 1).to_string()),
        ],
    );
    assert_eq!(past.status, 400, "{}", past.body);
    let at = now_secs() + 1;
    let brief = uploaded(
        &emu,
        &[
            Part::File("brief.txt", b"brief"),
            Part::Text("network", "public"),
            Part::Text("expires_at", &at.to_string()),
        ],
    );
    assert_eq!(
        get(&emu, &format!("/v3/files/public/{}", brief.id)).status,
        200
    );
    while now_secs() <= at {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        get(&emu, &format!("/v3/files/public/{}", brief.id)).status,
        404
    );
    assert!(listed(&emu, "").iter().all(|f| f.id != brief.id));
    // Its content was public: it stays on /ipfs/, as an unpinned legacy pin's does.
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", brief.cid)).status, 200);
    let deleted = admin_call(&emu, "DELETE", &path, "");
    assert_eq!((deleted.status, data(&deleted)), (200, Value::Null));
    assert_eq!(get(&emu, &path).status, 404);
}

#[test]
fn swaps_and_signatures() {
    let emu = spawn(EmulatorConfig::default());
    let public = |name: &str, bytes: &[u8]| {
        uploaded(
            &emu,
            &[Part::File(name, bytes), Part::Text("network", "public")],
        )
    };
    let a = public("a.txt", b"first");
    let b = public("b.txt", b"second");
    let parse_swap = |e: SwapCid, body: &str| {
        e.parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(body.to_owned()),
        )
        .unwrap_or_else(|err| panic!("{err}: {body}"))
    };

    let added = admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/public/swap/{}", a.cid),
        &format!(r#"{{"swap_cid":"{}"}}"#, b.cid),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(
        matches!(parse_swap(SwapCid::add(Network::Public, "x", "y"), &added.body), SwapAnswer::Added(s) if s.mapped_cid == b.cid)
    );
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", a.cid)).body,
        "second",
        "the gateway serves the swap"
    );
    let history = get(
        &emu,
        &format!("/v3/files/public/swap/{}?domain=x.mypinata.cloud", a.cid),
    );
    assert!(
        matches!(parse_swap(SwapCid::history(Network::Public, "x", "d"), &history.body), SwapAnswer::History(h) if h.len() == 1)
    );
    let ended = admin_call(
        &emu,
        "DELETE",
        &format!("/v3/files/public/swap/{}", a.cid),
        "",
    );
    assert_eq!((ended.status, data(&ended)), (200, Value::Null));
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", a.cid)).body, "first");
    assert_eq!(
        admin_call(
            &emu,
            "DELETE",
            &format!("/v3/files/public/swap/{}", a.cid),
            ""
        )
        .status,
        404
    );

    // The older path: `swapCid`, camel-case answers.
    let legacy = admin_call(
        &emu,
        "PUT",
        &format!("/v3/ipfs/swap/{}", a.cid),
        &format!(r#"{{"swapCid":"{}"}}"#, b.cid),
    );
    assert_eq!(
        data(&legacy)["mappedCid"],
        b.cid.as_str(),
        "{}",
        legacy.body
    );
    assert!(matches!(
        parse_swap(
            SwapCid::add(Network::Public, "x", "y").legacy_path(),
            &legacy.body
        ),
        SwapAnswer::Added(_)
    ));
    assert_eq!(
        data(&get(&emu, &format!("/v3/ipfs/swap/{}", a.cid)))
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let unknown = admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/public/swap/{}", cid(b"never", CidVersion::V1)),
        &format!(r#"{{"swap_cid":"{}"}}"#, b.cid),
    );
    assert_eq!(
        (unknown.status, message(&unknown).as_str()),
        (404, "CID not pinned to account")
    );
    let on_private = admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/private/swap/{}", a.cid),
        &format!(r#"{{"swap_cid":"{}"}}"#, b.cid),
    );
    assert_eq!(on_private.status, 404, "held on the public network only");
    let not_a_cid = admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/public/swap/{}", a.cid),
        r#"{"swap_cid":"nope"}"#,
    );
    assert_eq!(not_a_cid.status, 400);
    assert_eq!(
        get(&emu, &format!("/v3/files/public/swap/{}", b.cid)).status,
        404,
        "no history"
    );

    // A swap never serves private-only content on /ipfs/.
    let private = uploaded(&emu, &[Part::File("p.txt", b"only private")]);
    admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/public/swap/{}", a.cid),
        &format!(r#"{{"swap_cid":"{}"}}"#, private.cid),
    );
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", a.cid)).status, 404);

    // History keeps the last 100 swaps.
    for i in 0..101 {
        let to = if i % 2 == 0 { &b.cid } else { &private.cid };
        let r = admin_call(
            &emu,
            "PUT",
            &format!("/v3/files/public/swap/{}", a.cid),
            &format!(r#"{{"swap_cid":"{to}"}}"#),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let history = data(&get(&emu, &format!("/v3/files/public/swap/{}", a.cid)));
    assert_eq!(history.as_array().map(Vec::len), Some(100));

    // Signatures, on both paths.
    let parse_sig = |e: CidSignature, body: &str| {
        e.parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(body.to_owned()),
        )
        .unwrap()
    };
    for base in ["/v3/files/public/signature", "/v3/ipfs/signature"] {
        let path = format!("{base}/{}", a.cid);
        let added = admin_call(
            &emu,
            "POST",
            &path,
            r#"{"signature":"0xabc","address":"0xdef"}"#,
        );
        assert_eq!(added.status, 200, "{}", added.body);
        let sig = parse_sig(
            CidSignature::add(Network::Public, "x", "s", "a"),
            &added.body,
        )
        .unwrap();
        assert_eq!(
            (sig.cid.as_str(), sig.signature.as_str()),
            (a.cid.as_str(), "0xabc")
        );
        let read = get(&emu, &path);
        assert_eq!(
            parse_sig(CidSignature::get(Network::Public, "x"), &read.body).map(|s| s.signature),
            Some("0xabc".to_owned())
        );
        let removed = admin_call(&emu, "DELETE", &path, "");
        assert_eq!((removed.status, data(&removed)), (200, Value::Null));
        assert_eq!(get(&emu, &path).status, 404);
    }
    let unheld = admin_call(
        &emu,
        "POST",
        &format!("/v3/files/private/signature/{}", a.cid),
        r#"{"signature":"s","address":"a"}"#,
    );
    assert_eq!(unheld.status, 404);
    let empty = admin_call(
        &emu,
        "POST",
        &format!("/v3/files/public/signature/{}", a.cid),
        r#"{"signature":"","address":"a"}"#,
    );
    assert_eq!(empty.status, 400);
}

/// Sends the head and the first half of an upload of `parts` to `path`, and returns the stream and
/// the rest of the body.
fn half_sent(
    emu: &EmulatorHandle,
    path: &str,
    parts: &[Part<'_>],
) -> (std::net::TcpStream, Vec<u8>) {
    use std::io::Write;
    let body = form(parts);
    let mut stream = connect(emu.url());
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\
         content-type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    (stream, rest.to_vec())
}

#[test]
fn a_signed_url_is_held_while_its_upload_runs_and_given_back_if_it_breaks_off() {
    use std::io::Write;
    let emu = spawn(EmulatorConfig::default());
    let url = signed_url(&emu, "");
    let payload = vec![b'x'; 64 * 1024];
    let parts = [Part::File("slow.bin", &payload)];
    let (mut stream, rest) = half_sent(&emu, &url, &parts);
    std::thread::sleep(Duration::from_millis(300));
    let meanwhile = to_signed(&emu, &url, &[Part::File("other.bin", b"o")]);
    assert_eq!(meanwhile.status, 409, "{}", meanwhile.body);
    assert!(
        message(&meanwhile).contains("in progress"),
        "{}",
        meanwhile.body
    );
    stream.write_all(&rest).unwrap();
    let done = read_answer(&mut stream).unwrap();
    assert_eq!(done.status, 200, "{}", done.body);

    // An upload that breaks off gives the URL back.
    let url = signed_url(&emu, "");
    let (stream, _) = half_sent(&emu, &url, &parts);
    std::thread::sleep(Duration::from_millis(300));
    drop(stream);
    let mut answer = to_signed(&emu, &url, &parts);
    for _ in 0..50 {
        if answer.status != 409 {
            break;
        }
        // The server notices the closed connection a moment later.
        std::thread::sleep(Duration::from_millis(100));
        answer = to_signed(&emu, &url, &parts);
    }
    assert_eq!(answer.status, 200, "{}", answer.body);
    let incoming = std::fs::read_dir(emu.data_dir().join("incoming"))
        .unwrap()
        .count();
    assert_eq!(incoming, 0, "the broken-off part is removed");
}

#[test]
fn a_file_s_mime_type_is_its_part_s_content_type() {
    let emu = spawn(EmulatorConfig::default());
    let public = |name: &'static str, t: Option<&'static str>, bytes: &'static [u8]| {
        uploaded(
            &emu,
            &[Part::Typed(name, t, bytes), Part::Text("network", "public")],
        )
    };
    // The part's type, parameters dropped and lower-cased, whatever the file name says.
    let png = public("photo", Some("Image/PNG; q=1"), b"png bytes");
    assert_eq!(png.mime_type.as_deref(), Some("image/png"));
    let claimed = public("notes.txt", Some("application/json"), b"{}");
    assert_eq!(claimed.mime_type.as_deref(), Some("application/json"));
    // Without one, or with octet-stream or something that is not a type: the file name's.
    for (i, t) in [
        None,
        Some("application/octet-stream"),
        Some("nonsense"),
        Some("image/*"),
        Some("directory"),
    ]
    .into_iter()
    .enumerate()
    {
        let bytes = format!("text {i}");
        let up = uploaded(
            &emu,
            &[
                Part::Typed("a.txt", t, bytes.as_bytes()),
                Part::Text("network", "public"),
            ],
        );
        assert_eq!(up.mime_type.as_deref(), Some("text/plain"), "{t:?}");
    }
    let unknown = public("blob", None, b"blob");
    assert_eq!(
        unknown.mime_type.as_deref(),
        Some("application/octet-stream")
    );
    let listed_png: Vec<String> = listed(&emu, "mimeType=image%2Fpng")
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(listed_png.len(), 1);
    assert_eq!(listed_png[0], png.id);
    // A folder is a directory, whatever its parts' types; a CAR takes its part's type.
    let folder = uploaded(
        &emu,
        &[
            Part::Typed("d/a.png", Some("image/png"), b"1"),
            Part::Typed("d/b", Some("text/plain"), b"2"),
            Part::Text("network", "public"),
        ],
    );
    assert_eq!(folder.mime_type.as_deref(), Some("directory"));
    // A private folder is refused, in Pinata's documented words; the files alone are not.
    let private = upload(
        &emu,
        &[
            Part::Typed("p/a.txt", Some("text/plain"), b"1"),
            Part::Typed("p/b.txt", Some("text/plain"), b"2"),
        ],
    );
    assert_eq!(private.status, 400, "{}", private.body);
    assert_eq!(
        message(&private),
        "Folder uploads are currently only supported on Public IPFS"
    );
    let car = uploaded(
        &emu,
        &[
            Part::Typed("upload.bin", Some("application/vnd.ipld.car"), b"car"),
            Part::Text("network", "public"),
            Part::Text("car", "true"),
        ],
    );
    assert_eq!(car.mime_type.as_deref(), Some("application/vnd.ipld.car"));

    // A private file is served with its type.
    let private = uploaded(&emu, &[Part::Typed("pic", Some("image/webp"), b"webp")]);
    let got = anonymous(
        &emu,
        &signed_link(&emu, &format!("http://x/files/{}", private.cid)),
    );
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.head
            .to_ascii_lowercase()
            .contains("content-type: image/webp"),
        "{}",
        got.head
    );

    // A signed URL checks the part's type, not the file name's.
    let images = signed_url(&emu, r#""allow_mime_types":["image/*"]"#);
    let text = to_signed(
        &emu,
        &images,
        &[Part::Typed("a.png", Some("text/plain"), b"not a png")],
    );
    assert_eq!(text.status, 400, "{}", text.body);
    assert_eq!(
        message(&text),
        "Presigned URL does not grant permissions to upload declared MIME type: text/plain"
    );
    let jpeg = to_signed(
        &emu,
        &images,
        &[Part::Typed("camera-upload", Some("image/jpeg"), b"jpeg")],
    );
    assert_eq!(jpeg.status, 200, "{}", jpeg.body);
    assert_eq!(
        decode_upload(&jpeg).mime_type.as_deref(),
        Some("image/jpeg")
    );
    // An octet-stream part falls back to its name, as pinata-core's uploads name it.
    let fallback = signed_url(&emu, r#""allow_mime_types":["image/png"]"#);
    let named = to_signed(&emu, &fallback, &[Part::File("b.png", b"named png")]);
    assert_eq!(named.status, 200, "{}", named.body);

    // The legacy answer is unchanged: its type is still the file name's.
    let auth = bearer(&emu.admin().jwt);
    let pinned = post_form(
        &emu,
        "/pinning/pinFileToIPFS",
        Some(&auth),
        &[Part::Typed("l.png", Some("text/plain"), b"legacy")],
    );
    assert_eq!(pinned.status, 200, "{}", pinned.body);
    assert_eq!(json(&pinned.body)["MimeType"], "image/png");
}

#[test]
fn a_duplicate_is_a_file_of_its_own_with_the_new_upload_s_fields() {
    let emu = spawn(EmulatorConfig::default());
    let group = admin_call(&emu, "POST", "/v3/groups/public", r#"{"name":"g"}"#);
    let group = data(&group)["id"].as_str().unwrap().to_owned();
    let first = uploaded(
        &emu,
        &[
            Part::File("first.txt", b"shared"),
            Part::Text("network", "public"),
        ],
    );
    let later = now_secs() + 3600;
    let second = uploaded(
        &emu,
        &[
            Part::File("second.txt", b"shared"),
            Part::Text("network", "public"),
            Part::Text("name", "Second"),
            Part::Text("keyvalues", r#"{"k":"v"}"#),
            Part::Text("group_id", &group),
            Part::Text("expires_at", &later.to_string()),
        ],
    );
    assert_eq!(second.is_duplicate, Some(true));
    assert_ne!(second.id, first.id);
    assert_eq!(second.cid, first.cid);
    assert_eq!(second.name.as_deref(), Some("Second"));
    assert_eq!(second.keyvalues.get("k").map(String::as_str), Some("v"));
    assert_eq!(second.group_id.as_deref(), Some(group.as_str()));
    let shown = get(&emu, &format!("/v3/files/public/{}", second.id));
    assert_eq!(data(&shown)["expires_at"], later);
    let by_cid: Vec<String> = listed(&emu, &format!("cid={}&order=ASC", first.cid))
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(by_cid, [first.id.clone(), second.id.clone()]);
    let unchanged = get(&emu, &format!("/v3/files/public/{}", first.id));
    assert_eq!(data(&unchanged)["name"], "first.txt");
    assert_eq!(data(&unchanged)["group_id"], Value::Null);

    // A signed URL's bound fields take effect on a duplicate too, and its use is spent.
    let url = signed_url(
        &emu,
        r#""network":"public","filename":"bound.txt","keyvalues":{"via":"url"}"#,
    );
    let bound = to_signed(&emu, &url, &[Part::File("any.txt", b"shared")]);
    assert_eq!(bound.status, 200, "{}", bound.body);
    let bound = decode_upload(&bound);
    assert_eq!(bound.is_duplicate, Some(true));
    assert_eq!(bound.name.as_deref(), Some("bound.txt"));
    assert_eq!(bound.keyvalues.get("via").map(String::as_str), Some("url"));
    assert_eq!(
        get(&emu, &format!("/v3/files/public/{}", bound.id)).status,
        200
    );
    assert_eq!(
        to_signed(&emu, &url, &[Part::File("any.txt", b"shared")]).status,
        409
    );

    // The content is shared: served while any file holds it.
    for f in [&first, &second] {
        let gone = admin_call(&emu, "DELETE", &format!("/v3/files/public/{}", f.id), "");
        assert_eq!(gone.status, 200, "{}", gone.body);
        let served = anonymous(&emu, &format!("/ipfs/{}", first.cid));
        assert_eq!((served.status, served.body.as_str()), (200, "shared"));
    }
    // A swap needs the CID held: one file still holds it.
    let other = cid(b"other", CidVersion::V1);
    let swap = admin_call(
        &emu,
        "PUT",
        &format!("/v3/files/public/swap/{}", first.cid),
        &format!(r#"{{"swap_cid":"{other}"}}"#),
    );
    assert_eq!(swap.status, 200, "{}", swap.body);

    // Private duplicates: the download link serves the content until the last file goes, and
    // /ipfs/ never does.
    let a = uploaded(&emu, &[Part::Typed("a", Some("text/csv"), b"secret")]);
    let b = uploaded(&emu, &[Part::Typed("b", Some("text/html"), b"secret")]);
    assert_eq!(b.is_duplicate, Some(true));
    let link = signed_link(&emu, &format!("http://x/files/{}", a.cid));
    let got = anonymous(&emu, &link);
    assert_eq!((got.status, got.body.as_str()), (200, "secret"));
    assert!(
        got.head
            .to_ascii_lowercase()
            .contains("content-type: text/csv"),
        "the oldest file's type: {}",
        got.head
    );
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", a.cid)).status, 404);
    admin_call(&emu, "DELETE", &format!("/v3/files/private/{}", a.id), "");
    let got = anonymous(&emu, &link);
    assert_eq!((got.status, got.body.as_str()), (200, "secret"));
    assert!(
        got.head
            .to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{}",
        got.head
    );
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", a.cid)).status, 404);
    admin_call(&emu, "DELETE", &format!("/v3/files/private/{}", b.id), "");
    assert_eq!(anonymous(&emu, &link).status, 404);
    assert_eq!(anonymous(&emu, &format!("/ipfs/{}", a.cid)).status, 404);
}

#[test]
fn a_swap_outlives_its_file_and_can_still_be_deleted() {
    let emu = spawn(EmulatorConfig::default());
    let public = |name: &str, bytes: &[u8]| {
        uploaded(
            &emu,
            &[Part::File(name, bytes), Part::Text("network", "public")],
        )
    };
    let old = public("old.txt", b"old content");
    let new = public("new.txt", b"new content");
    let swap_path = format!("/v3/files/public/swap/{}", old.cid);
    let added = admin_call(
        &emu,
        "PUT",
        &swap_path,
        &format!(r#"{{"swap_cid":"{}"}}"#, new.cid),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let deleted = admin_call(&emu, "DELETE", &format!("/v3/files/public/{}", old.id), "");
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    // The swap is still in force, and its history still there.
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", old.cid)).body,
        "new content"
    );
    assert_eq!(get(&emu, &swap_path).status, 200);
    // Deleting it works although no file holds the CID, and ends it.
    let ended = admin_call(&emu, "DELETE", &swap_path, "");
    assert_eq!(
        (ended.status, data(&ended)),
        (200, Value::Null),
        "{}",
        ended.body
    );
    assert_eq!(
        anonymous(&emu, &format!("/ipfs/{}", old.cid)).body,
        "old content",
        "public content stays public"
    );
    let again = admin_call(&emu, "DELETE", &swap_path, "");
    assert_eq!(
        (again.status, message(&again).as_str()),
        (404, "CID has no swap in force")
    );
    // A new swap needs the CID held.
    let refused = admin_call(
        &emu,
        "PUT",
        &swap_path,
        &format!(r#"{{"swap_cid":"{}"}}"#, new.cid),
    );
    assert_eq!(
        (refused.status, message(&refused).as_str()),
        (404, "CID not pinned to account")
    );
    // Same on the legacy path.
    let held = public("held.txt", b"held");
    let legacy = format!("/v3/ipfs/swap/{}", held.cid);
    let added = admin_call(
        &emu,
        "PUT",
        &legacy,
        &format!(r#"{{"swapCid":"{}"}}"#, new.cid),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    admin_call(&emu, "DELETE", &format!("/v3/files/public/{}", held.id), "");
    assert_eq!(admin_call(&emu, "DELETE", &legacy, "").status, 200);
}

#[test]
fn default_names_are_held_to_the_name_cap() {
    let emu = spawn(EmulatorConfig::default());
    let long = "n".repeat(1025);
    let refused = upload(&emu, &[Part::File(&long, b"long")]);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(message(&refused).contains("1024"), "{}", refused.body);
    let folder_name = format!("{long}/a.txt");
    let folder = upload(&emu, &[Part::File(&folder_name, b"1")]);
    assert_eq!(folder.status, 400, "a folder's root name: {}", folder.body);
    let car = upload(
        &emu,
        &[
            Part::File(&long, b"c"),
            Part::Text("network", "public"),
            Part::Text("car", "true"),
        ],
    );
    assert_eq!(car.status, 400, "{}", car.body);
    // A 16 KiB file name (the parser's header cap) is refused the same way.
    let huge = "h".repeat(15 * 1024);
    assert_eq!(upload(&emu, &[Part::File(&huge, b"h")]).status, 400);
    // Named by the form: the file name is not kept, so it may be long.
    let named = uploaded(
        &emu,
        &[Part::File(&long, b"long"), Part::Text("name", "short")],
    );
    assert_eq!(named.name.as_deref(), Some("short"));
    // The cap is in characters, as a name's is.
    let wide = "\u{e9}".repeat(1024);
    let up = uploaded(&emu, &[Part::File(&wide, b"wide")]);
    assert_eq!(up.name.as_deref(), Some(wide.as_str()));
    assert!(
        std::fs::read_dir(emu.data_dir().join("incoming"))
            .unwrap()
            .next()
            .is_none(),
        "nothing of a refused upload is left"
    );
}

/// The `Content-Type` header of an answer (lower-cased head, so any spelling of the name).
fn content_type(a: &Answer) -> Option<String> {
    a.head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_owned())
    })
}

/// `/ipfs/{cid}` serves a file as the type it was uploaded with — what the official SDK's
/// `gateways.public.get` reads to return JSON as JSON and text as text — not
/// `application/octet-stream` for everything: a v3 upload's part type (or its name's), a
/// `pinJSONToIPFS` pin's `application/json`, a `pinFileToIPFS` pin's name's type. A CID uploaded
/// twice serves the first upload's type while that upload is held, then the next one's; content
/// no upload describes (a file of a folder, fetched by its own CID) stays `octet-stream`.
#[test]
fn the_public_gateway_serves_the_uploaded_type() {
    let emu = spawn(EmulatorConfig::default());
    let auth = bearer(&emu.admin().jwt);
    let served = |cid: &str| {
        let a = anonymous(&emu, &format!("/ipfs/{cid}"));
        assert_eq!(a.status, 200, "{}", a.body);
        (content_type(&a), a.body)
    };
    let public = |parts: &[Part<'_>]| {
        let mut parts = parts.to_vec();
        parts.push(Part::Text("network", "public"));
        uploaded(&emu, &parts)
    };

    // v3 uploads: the part's type; an octet-stream part, its name's.
    let data = public(&[Part::Typed(
        "data.bin",
        Some("application/json"),
        br#"{"a":1}"#,
    )]);
    assert_eq!(
        served(&data.cid),
        (Some("application/json".into()), r#"{"a":1}"#.into())
    );
    let note = public(&[Part::File("note.txt", b"hello")]);
    assert_eq!(
        served(&note.cid),
        (Some("text/plain".into()), "hello".into())
    );

    // Legacy pins: JSON, and a file's name.
    let pinned = admin_call(
        &emu,
        "POST",
        "/pinning/pinJSONToIPFS",
        r#"{"pinataContent":{"b":2}}"#,
    );
    assert_eq!(pinned.status, 200, "{}", pinned.body);
    let json_cid = json(&pinned.body)["IpfsHash"].as_str().unwrap().to_owned();
    assert_eq!(
        served(&json_cid),
        (Some("application/json".into()), r#"{"b":2}"#.into())
    );
    let v1 = Part::Text("pinataOptions", r#"{"cidVersion":1}"#);
    let page = post_form(
        &emu,
        "/pinning/pinFileToIPFS",
        Some(&auth),
        &[Part::File("page.html", b"<p>hi</p>"), v1],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let page_cid = json(&page.body)["IpfsHash"].as_str().unwrap().to_owned();
    assert_eq!(served(&page_cid).0.as_deref(), Some("text/html"));

    // The same bytes uploaded twice, as text and then as HTML: the first upload's type, then,
    // once that file is gone, the pin's.
    let first = public(&[Part::File("same.txt", b"same")]);
    let again = post_form(
        &emu,
        "/pinning/pinFileToIPFS",
        Some(&auth),
        &[Part::File("same.html", b"same"), v1],
    );
    assert_eq!(json(&again.body)["IpfsHash"], first.cid.as_str());
    assert_eq!(served(&first.cid).0.as_deref(), Some("text/plain"));
    let gone = admin_call(
        &emu,
        "DELETE",
        &format!("/v3/files/public/{}", first.id),
        "",
    );
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(served(&first.cid).0.as_deref(), Some("text/html"));

    // A file inside a folder, by its own CID: no upload describes it.
    let folder = public(&[
        Part::File("site/index.html", b"<p>inside</p>"),
        Part::File("site/b.txt", b"b"),
    ]);
    assert_eq!(
        served(&format!("{}/index.html", folder.cid)).0.as_deref(),
        Some("text/html"),
        "a path: its name's type"
    );
    let inner = cid(b"<p>inside</p>", CidVersion::V1);
    assert_eq!(
        served(&inner),
        (
            Some("application/octet-stream".into()),
            "<p>inside</p>".into()
        )
    );
}
