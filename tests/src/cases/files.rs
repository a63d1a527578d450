//! The v3 Files API through each transport: uploads from every source on both networks, the file
//! list with its filters, updates, deletion, groups, signed upload URLs used by a client that
//! holds no usable credential, private download links, gateway downloads streamed to disk, swaps,
//! signatures and expiring files.

use std::time::Duration;

use super::*;
use pinata_core::api::Network;
use pinata_core::api::files::{FileItem, GetFile, GroupFile, ListFiles, Order, UpdateFile};
use pinata_core::api::groups::{CreateGroup, DeleteGroup};
use pinata_core::api::keys::{EndpointPermission, Permissions, ResourceScope};
use pinata_core::api::signed::{
    CreateDownloadLink, CreateSignedUploadUrl, DownloadLinkPath, SignedUrl,
};
use pinata_core::api::swaps::{CidSignature, SwapAnswer, SwapCid};
use pinata_core::api::uploads::{FolderEndpoint, UploadFile, UploadedFile};
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_core::download::Download;
use pinata_core::{Endpoint, VerifyError};

fn admin_jwt(emu: &EmulatorSide) -> Credentials {
    Credentials::jwt(&emu.admin_jwt).unwrap()
}

fn as_admin<D: Driver, E>(d: &D, emu: &EmulatorSide, endpoint: &E) -> Result<E::Output, Error>
where
    E: Endpoint + Sync,
    E::Output: Send,
{
    d.execute(admin_jwt(emu), target().config(), endpoint)
}

/// Credentials the server has never issued: a client holding only these has nothing that
/// authenticates, as a browser given a signed URL.
fn nobody() -> Credentials {
    Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap()
}

/// `len` bytes that differ from one test (and one call) to the next.
fn content(len: usize) -> Vec<u8> {
    let seed = unique_name("content");
    let mut state: u64 = seed.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn v1_cid(bytes: &[u8]) -> String {
    import_bytes(bytes, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid
        .to_string()
}

fn other(network: Network) -> Network {
    match network {
        Network::Public => Network::Private,
        _ => Network::Public,
    }
}

/// Bytes, a path and a reader on each network, CIDs checked while streaming; listed newest first
/// with every filter, fetched, updated and deleted; the other network never sees them.
pub fn v3_files_lifecycle<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_files_lifecycle") else {
        return;
    };
    let config = target().config();
    let dir = crate::scratch::Scratch::new("files");
    for network in [Network::Public, Network::Private] {
        let prefix = unique_name(&format!("file-{network}"));
        let (a, b, c) = (content(3000), content(300_000), content(70_000));
        let path = dir.path().join(format!("{prefix}.bin"));
        std::fs::write(&path, &b).unwrap();
        let uploads = [
            UploadFile::bytes(format!("{prefix}-a.txt"), a.clone())
                .unwrap()
                .keyvalue("kind", "bytes")
                .unwrap(),
            UploadFile::path(&path, b.len() as u64)
                .unwrap()
                .name(format!("{prefix}-b")),
            UploadFile::reader(
                format!("{prefix}-c.bin"),
                d.reader(c.clone()),
                c.len() as u64,
            )
            .unwrap(),
        ];
        let mut made: Vec<UploadedFile> = Vec::new();
        for (upload, bytes) in uploads.into_iter().zip([&a, &b, &c]) {
            let up = as_admin(d, emu, &upload.network(network).verify_cid(true)).unwrap();
            assert_eq!(
                up.cid,
                v1_cid(bytes),
                "{network}: the CID pinata-core computes"
            );
            assert_eq!(up.size, bytes.len() as u64);
            assert_eq!(up.number_of_files, 1);
            made.push(up);
        }
        assert_eq!(made[0].mime_type.as_deref(), Some("text/plain"));
        assert_eq!(
            made[0].keyvalues.get("kind").map(String::as_str),
            Some("bytes")
        );
        assert_eq!(made[1].name.as_deref(), Some(&*format!("{prefix}-b")));

        // Every page of one, newest first.
        let listed: Vec<FileItem> = d
            .paginate(
                admin_jwt(emu),
                config.clone(),
                ListFiles::new(network).name(&prefix).limit(1).unwrap(),
            )
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|f| f.id.as_str()).collect();
        let expected: Vec<&str> = made.iter().rev().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, expected, "{network}");
        let oldest_first = d
            .paginate(
                admin_jwt(emu),
                config.clone(),
                ListFiles::new(network)
                    .name(&prefix)
                    .order(Order::Ascending),
            )
            .unwrap();
        assert_eq!(oldest_first[0].id, made[0].id);
        let by = |list: ListFiles| -> Vec<String> {
            d.paginate(admin_jwt(emu), config.clone(), list.name(&prefix))
                .unwrap()
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(
            by(ListFiles::new(network).keyvalue("kind", "bytes")),
            [made[0].id.as_str()]
        );
        assert_eq!(
            by(ListFiles::new(network).cid(&made[2].cid)),
            [made[2].id.as_str()]
        );
        assert_eq!(
            by(ListFiles::new(network).mime_type("text/plain")),
            [made[0].id.as_str()]
        );
        assert!(by(ListFiles::new(network).cid_pending()).is_empty());

        let got = as_admin(d, emu, &GetFile::new(network, &made[1].id)).unwrap();
        assert_eq!(got, listed[1]);
        assert_eq!(
            (got.cid.as_str(), got.size),
            (made[1].cid.as_str(), b.len() as u64)
        );

        let updated = as_admin(
            d,
            emu,
            &UpdateFile::new(network, &made[1].id)
                .name(format!("{prefix}-renamed"))
                .keyvalues([("env".to_owned(), "prod".to_owned())].into())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(updated.name.as_deref(), Some(&*format!("{prefix}-renamed")));
        assert_eq!(
            updated.keyvalues.get("env").map(String::as_str),
            Some("prod")
        );

        let elsewhere = api_error(as_admin(d, emu, &GetFile::new(other(network), &made[1].id)));
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND, "{elsewhere}");

        as_admin(
            d,
            emu,
            &pinata_core::api::files::DeleteFile::new(network, &made[1].id),
        )
        .unwrap();
        let gone = api_error(as_admin(d, emu, &GetFile::new(network, &made[1].id)));
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{gone}");
        // An API error names the request it answers.
        let said = gone.to_string();
        assert!(
            said.contains("from GET http://")
                && said.contains(&format!("/v3/files/{network}/{}", made[1].id)),
            "{said}"
        );
        assert_eq!(by(ListFiles::new(network)).len(), 2);
    }
}

/// Folders: public ones through the v3 endpoint (the CID checked, the files served by path); a
/// private folder is refused before anything is sent. `upload_file` picks the endpoint the key
/// can use: v3 for a key with only `org:files:write`, the legacy one for a key with only the
/// `pinFileToIPFS` permission (after v3's 403) and for a key pair.
pub fn v3_folder_uploads<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_folder_uploads") else {
        return;
    };
    let dir = crate::scratch::Scratch::new("files");
    let root = dir.path().join(unique_name("site"));
    std::fs::create_dir_all(root.join("css")).unwrap();
    let page = content(1000);
    std::fs::write(root.join("index.html"), &page).unwrap();
    std::fs::write(root.join("css/site.css"), content(200)).unwrap();
    let up = as_admin(
        d,
        emu,
        &d.upload_request(&root)
            .unwrap()
            .network(Network::Public)
            .verify_cid(true),
    )
    .unwrap();
    assert_eq!(up.number_of_files, 2);
    assert_eq!(up.network, Some(Network::Public));
    let (bytes, _, _) = d
        .download(
            nobody(),
            target().config(),
            &Download::public(&up.cid, "index.html").unwrap(),
        )
        .unwrap();
    assert_eq!(bytes, page);
    // The folder itself is not a file: said so, not called corruption, nothing written.
    for download in [
        Download::public(&up.cid, "").unwrap(),
        Download::public(&up.cid, "css").unwrap(),
        Download::public(&up.cid, "").unwrap().verify().unwrap(),
    ] {
        match d.download(nobody(), target().config(), &download) {
            Err(Error::Verify(VerifyError::Directory { cid, .. })) => assert_eq!(cid, up.cid),
            other => panic!("a folder is named as such: {other:?}"),
        }
    }
    let to = dir.path().join("folder.bin");
    let refused = d.download_to_path(
        nobody(),
        target().config(),
        &Download::public(&up.cid, "").unwrap(),
        &to,
    );
    let e = refused.expect_err("a folder is not downloaded as a file");
    assert!(e.to_string().contains("is a folder, not a file"), "{e}");
    assert!(!to.exists() && !pinata_core::download::partial_path(&to).exists());

    let private = as_admin(d, emu, &d.upload_request(&root).unwrap());
    assert!(matches!(private, Err(Error::Build(_))), "{private:?}");
    let private = d.execute_upload(
        admin_jwt(emu),
        target().config(),
        &d.upload_request(&root).unwrap(),
    );
    match private {
        Err(Error::Build(e)) => assert!(e.to_string().contains("public IPFS only"), "{e}"),
        other => panic!("a private folder is refused before sending: {other:?}"),
    }

    let v3_key = super::create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::FilesWrite),
    );
    let legacy_key = super::create_key(
        d,
        emu,
        Permissions::endpoints([EndpointPermission::PinFileToIpfs]),
    );
    let folder = d
        .upload_request(&root)
        .unwrap()
        .network(Network::Public)
        .verify_cid(true);
    for (who, credentials) in [
        ("a v3 key", v3_key.jwt_credentials().unwrap()),
        ("a legacy key's JWT", legacy_key.jwt_credentials().unwrap()),
        (
            "a legacy key pair",
            legacy_key.key_pair_credentials().unwrap(),
        ),
    ] {
        let again = d
            .execute_upload(credentials, target().config(), &folder)
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        assert_eq!(again.cid, up.cid, "{who}");
        assert_eq!(again.number_of_files, 2, "{who}");
    }
    // Told to use v3, a legacy key is refused: nothing is chosen for it.
    let forced = d.execute_upload(
        legacy_key.jwt_credentials().unwrap(),
        target().config(),
        &folder.clone().folder_endpoint(FolderEndpoint::V3),
    );
    assert_eq!(api_error(forced).reason(), Some("NO_SCOPES_FOUND"));
}

/// A private file round trip: upload → list → download link → the same bytes (CID checked); never
/// served on `/ipfs/`; an altered or expired link is refused.
pub fn v3_private_round_trip<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_private_round_trip") else {
        return;
    };
    let config = target().config();
    let name = unique_name("secret");
    let bytes = content(200_000);
    let up = as_admin(
        d,
        emu,
        &UploadFile::bytes(format!("{name}.bin"), bytes.clone()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        up.network,
        Some(Network::Private),
        "uploads are private unless told"
    );
    let listed = d
        .paginate(
            admin_jwt(emu),
            config.clone(),
            ListFiles::new(Network::Private).name(&name),
        )
        .unwrap();
    assert_eq!(listed.len(), 1);
    let gateway = config.gateway().unwrap().clone();
    // The guides' path and the SDK's older one sign links just as well.
    for path in [DownloadLinkPath::DownloadLink, DownloadLinkPath::Sign] {
        let other = as_admin(
            d,
            emu,
            &CreateDownloadLink::new(&gateway, &up.cid, "", Duration::from_secs(60))
                .unwrap()
                .via(path),
        )
        .unwrap();
        let (got, _, _) = d
            .download(nobody(), config.clone(), &Download::signed(other))
            .unwrap();
        assert!(got == bytes, "{path:?}");
    }
    let link = as_admin(
        d,
        emu,
        &CreateDownloadLink::new(&gateway, &up.cid, "", Duration::from_secs(60)).unwrap(),
    )
    .unwrap();
    assert!(
        !format!("{link:?}").contains("X-Signature="),
        "Debug hides the signature"
    );
    let (got, done, _) = d
        .download(
            nobody(),
            config.clone(),
            &Download::signed(link.clone()).verify_cid(&up.cid).unwrap(),
        )
        .unwrap();
    assert_eq!(got, bytes);
    assert_eq!(
        done.verified_cid.map(|c| c.to_string()),
        Some(up.cid.clone())
    );

    let public = api_error(d.download(
        nobody(),
        config.clone(),
        &Download::public(&up.cid, "").unwrap(),
    ));
    assert_eq!(
        public.status(),
        StatusCode::NOT_FOUND,
        "private content is not on /ipfs/"
    );

    let mut altered = link.as_str().to_owned();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let refused = api_error(d.download(
        nobody(),
        config.clone(),
        &Download::signed(SignedUrl::new(altered)),
    ));
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{refused}");

    let stale = as_admin(
        d,
        emu,
        &CreateDownloadLink::new(&gateway, &up.cid, "", Duration::from_secs(60))
            .unwrap()
            .date(std::time::SystemTime::now() - Duration::from_secs(3600)),
    )
    .unwrap();
    let expired = api_error(d.download(nobody(), config, &Download::signed(stale)));
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED, "{expired}");
}

/// Signed upload URLs: a client whose credentials mean nothing uploads through one; the fields
/// bound at signing win; a URL is used once; too large, the wrong MIME type, an altered or an
/// expired URL is refused.
pub fn v3_signed_upload_urls<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_signed_upload_urls") else {
        return;
    };
    let config = target().config();
    let sign = |request: CreateSignedUploadUrl| as_admin(d, emu, &request).unwrap();
    let bound = unique_name("bound");
    let url = sign(
        CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(120))
            .unwrap()
            .max_file_size(1000)
            .unwrap()
            .allow_mime_type("text/*")
            .unwrap()
            .filename(&bound)
            .unwrap()
            .keyvalue("via", "signed")
            .unwrap(),
    );
    let upload = |url: &SignedUrl, file: UploadFile| {
        d.execute(nobody(), config.clone(), &file.to_signed_url(url.clone()))
    };
    let text = content(500);
    let up = upload(
        &url,
        UploadFile::bytes("note.txt", text.clone())
            .unwrap()
            .name("not the bound name")
            .verify_cid(true),
    )
    .unwrap();
    assert_eq!(up.cid, v1_cid(&text));
    assert_eq!(
        up.name.as_deref(),
        Some(&*bound),
        "the name bound at signing wins"
    );
    assert_eq!(up.keyvalues.get("via").map(String::as_str), Some("signed"));
    let again = api_error(upload(
        &url,
        UploadFile::bytes("note.txt", "again").unwrap(),
    ));
    assert!(
        again.status().is_client_error(),
        "a signed URL is used once: {again}"
    );

    let small = sign(
        CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(60))
            .unwrap()
            .max_file_size(10)
            .unwrap(),
    );
    let large = api_error(upload(
        &small,
        UploadFile::bytes("big.txt", content(11)).unwrap(),
    ));
    assert_eq!(large.status(), StatusCode::PAYLOAD_TOO_LARGE, "{large}");

    let images = sign(
        CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(60))
            .unwrap()
            .allow_mime_type("image/*")
            .unwrap(),
    );
    let wrong = api_error(upload(&images, UploadFile::bytes("x.txt", "text").unwrap()));
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "{wrong}");
    upload(&images, UploadFile::bytes("x.png", content(100)).unwrap()).unwrap();

    let fresh =
        sign(CreateSignedUploadUrl::new(Network::Private, Duration::from_secs(60)).unwrap());
    let mut altered = fresh.as_str().to_owned();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let refused = api_error(upload(
        &SignedUrl::new(altered),
        UploadFile::bytes("a.txt", "a").unwrap(),
    ));
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{refused}");

    let stale = sign(
        CreateSignedUploadUrl::new(Network::Private, Duration::from_secs(60))
            .unwrap()
            .date(std::time::SystemTime::now() - Duration::from_secs(3600)),
    );
    let expired = api_error(upload(&stale, UploadFile::bytes("a.txt", "a").unwrap()));
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED, "{expired}");

    // A private upload through a URL lands on the private network, whatever the form says.
    let private = upload(
        &fresh,
        UploadFile::bytes("p.txt", "p")
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    assert_eq!(private.network, Some(Network::Private));
}

/// Scopes: `org:files:read` lists but cannot upload or sign; `org:files:write` uploads; the key
/// pair is refused on v3.
pub fn v3_files_scopes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_files_scopes") else {
        return;
    };
    let config = target().config();
    let reader = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::FilesRead),
    )
    .jwt_credentials()
    .unwrap();
    d.execute(
        reader.clone(),
        config.clone(),
        &ListFiles::new(Network::Private),
    )
    .unwrap();
    let upload = UploadFile::bytes("scoped.txt", content(10)).unwrap();
    let refused = api_error(d.execute(reader.clone(), config.clone(), &upload));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{refused}");
    let sign = CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(10)).unwrap();
    let refused = api_error(d.execute(reader, config.clone(), &sign));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{refused}");

    let writer = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::FilesWrite),
    )
    .jwt_credentials()
    .unwrap();
    d.execute(writer, config.clone(), &upload).unwrap();
    let pair = api_error(d.execute(admin(emu), config, &ListFiles::new(Network::Public)));
    assert_eq!(pair.status(), StatusCode::UNAUTHORIZED, "{pair}");
}

/// A file joins a group (at upload or later) and leaves it; the list's group and no-group filters
/// follow; deleting the group leaves its files in no group.
pub fn v3_files_in_groups<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_files_in_groups") else {
        return;
    };
    let config = target().config();
    for network in [Network::Public, Network::Private] {
        let prefix = unique_name(&format!("grouped-{network}"));
        let group = as_admin(d, emu, &CreateGroup::new(network, &prefix).unwrap()).unwrap();
        let joined = as_admin(
            d,
            emu,
            &UploadFile::bytes(format!("{prefix}-1.txt"), content(10))
                .unwrap()
                .network(network)
                .group(&group.id),
        )
        .unwrap();
        assert_eq!(joined.group_id.as_deref(), Some(group.id.as_str()));
        let loose = as_admin(
            d,
            emu,
            &UploadFile::bytes(format!("{prefix}-2.txt"), content(10))
                .unwrap()
                .network(network),
        )
        .unwrap();
        let ids = |list: ListFiles| -> Vec<String> {
            d.paginate(admin_jwt(emu), config.clone(), list.name(&prefix))
                .unwrap()
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(
            ids(ListFiles::new(network).group(&group.id)),
            [joined.id.as_str()]
        );
        assert_eq!(ids(ListFiles::new(network).no_group()), [loose.id.as_str()]);
        as_admin(d, emu, &GroupFile::add(network, &group.id, &loose.id)).unwrap();
        assert_eq!(ids(ListFiles::new(network).group(&group.id)).len(), 2);
        as_admin(d, emu, &GroupFile::remove(network, &group.id, &joined.id)).unwrap();
        assert_eq!(
            ids(ListFiles::new(network).group(&group.id)),
            [loose.id.as_str()]
        );
        let missing = api_error(as_admin(
            d,
            emu,
            &GroupFile::add(network, &group.id, "no-such-file"),
        ));
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{missing}");
        as_admin(d, emu, &DeleteGroup::new(network, &group.id)).unwrap();
        assert_eq!(ids(ListFiles::new(network).no_group()).len(), 2);
    }
}

/// Downloads stream: the client hands over pieces far smaller than the file, a download to disk
/// replaces its destination only when every check passed, the cap and a wrong CID fail it.
pub fn v3_downloads_stream_to_disk<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_downloads_stream_to_disk") else {
        return;
    };
    let config = target().config();
    let dir = crate::scratch::Scratch::new("files");
    let big = content(8 * 1024 * 1024);
    let source = dir.path().join("big.bin");
    std::fs::write(&source, &big).unwrap();
    let up = as_admin(
        d,
        emu,
        &UploadFile::path(&source, big.len() as u64)
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    let whole = Download::public(&up.cid, "").unwrap().verify().unwrap();
    let (got, done, largest) = d.download(nobody(), config.clone(), &whole).unwrap();
    assert!(got == big, "the same bytes back");
    assert_eq!(done.bytes, big.len() as u64);
    assert!(
        largest <= 1024 * 1024,
        "pieces of at most 1 MiB, never the whole file: {largest}"
    );

    let target_path = dir.path().join("copy.bin");
    d.download_to_path(nobody(), config.clone(), &whole, &target_path)
        .unwrap();
    assert!(std::fs::read(&target_path).unwrap() == big);
    assert_eq!(leftovers(dir.path()), 0);

    let capped = dir.path().join("capped.bin");
    let too_large = d.download_to_path(
        nobody(),
        config.clone(),
        &Download::public(&up.cid, "")
            .unwrap()
            .max_bytes(1024 * 1024),
        &capped,
    );
    assert!(
        matches!(&too_large, Err(Error::Transport(t)) if t.kind() == TransportErrorKind::BodyTooLarge),
        "{too_large:?}"
    );
    assert!(!capped.exists());
    assert_eq!(leftovers(dir.path()), 0, "the partial file is removed");

    let wrong = dir.path().join("wrong.bin");
    let mismatch = d.download_to_path(
        nobody(),
        config,
        &Download::public(&up.cid, "")
            .unwrap()
            .verify_cid(&v1_cid(b"other"))
            .unwrap(),
        &wrong,
    );
    assert!(
        matches!(
            mismatch,
            Err(Error::Verify(VerifyError::ContentMismatch { .. }))
        ),
        "{mismatch:?}"
    );
    assert!(!wrong.exists());
    assert_eq!(leftovers(dir.path()), 0, "the partial file is removed");
}

/// Partial download files left in `dir`.
/// A public download carries the type the file was uploaded with, as the gateway serves it (what
/// the official SDK's `gateways.public.get` reads to hand back JSON as JSON and text as text): a
/// v3 upload's, by its name, and a `pinJSONToIPFS` pin's `application/json`.
pub fn public_downloads_carry_the_uploaded_type<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("public_downloads_carry_the_uploaded_type") else {
        return;
    };
    let download = |cid: &str| {
        let (bytes, done, _) = d
            .download(
                nobody(),
                target().config(),
                &Download::public(cid, "").unwrap().verify().unwrap(),
            )
            .unwrap();
        (done.content_type, String::from_utf8(bytes).unwrap())
    };
    let text = format!("a note, {}", unique_name("note"));
    let note = as_admin(
        d,
        emu,
        &UploadFile::bytes("note.txt", text.clone())
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    assert_eq!(download(&note.cid), (Some("text/plain".into()), text));

    let doc = format!(r#"{{"tag":"{}"}}"#, unique_name("doc"));
    let data = as_admin(
        d,
        emu,
        &UploadFile::bytes("data.json", doc.clone())
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    assert_eq!(download(&data.cid), (Some("application/json".into()), doc));

    let value = serde_json::json!({ "pinned": unique_name("json") });
    let pinned = as_admin(
        d,
        emu,
        &pinata_core::api::pinning::PinJson::new(&value).unwrap(),
    )
    .unwrap();
    let (content_type, body) = download(&pinned.ipfs_hash);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        value
    );
}

fn leftovers(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".pinata-part"))
        })
        .count()
}

/// Swaps (the SDK's body spelling) and signatures, on a file the account holds.
pub fn v3_swaps_and_signatures<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_swaps_and_signatures") else {
        return;
    };
    let first = as_admin(
        d,
        emu,
        &UploadFile::bytes("one.txt", content(20))
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    let second = as_admin(
        d,
        emu,
        &UploadFile::bytes("two.txt", content(20))
            .unwrap()
            .network(Network::Public),
    )
    .unwrap();
    let added = as_admin(
        d,
        emu,
        &SwapCid::add(Network::Public, &first.cid, &second.cid),
    )
    .unwrap();
    assert!(
        matches!(&added, SwapAnswer::Added(s) if s.mapped_cid == second.cid),
        "{added:?}"
    );
    let history = as_admin(
        d,
        emu,
        &SwapCid::history(Network::Public, &first.cid, "example.mypinata.cloud"),
    )
    .unwrap();
    assert!(
        matches!(&history, SwapAnswer::History(h) if h.iter().any(|s| s.mapped_cid == second.cid)),
        "{history:?}"
    );
    as_admin(d, emu, &SwapCid::delete(Network::Public, &first.cid)).unwrap();
    // The older path and spelling (`/v3/ipfs/swap`, `swapCid`, camel-case answers).
    let legacy = as_admin(
        d,
        emu,
        &SwapCid::add(Network::Public, &first.cid, &second.cid).legacy_path(),
    )
    .unwrap();
    assert!(
        matches!(&legacy, SwapAnswer::Added(s) if s.mapped_cid == second.cid),
        "{legacy:?}"
    );
    as_admin(
        d,
        emu,
        &SwapCid::delete(Network::Public, &first.cid).legacy_path(),
    )
    .unwrap();
    let unknown = api_error(as_admin(
        d,
        emu,
        &SwapCid::add(Network::Public, v1_cid(b"never uploaded"), &second.cid),
    ));
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "{unknown}");

    let signed = as_admin(
        d,
        emu,
        &CidSignature::add(Network::Public, &first.cid, "0xabc", "0xdef"),
    )
    .unwrap();
    assert_eq!(signed.map(|s| s.signature), Some("0xabc".to_owned()));
    let read = as_admin(d, emu, &CidSignature::get(Network::Public, &first.cid)).unwrap();
    assert_eq!(read.map(|s| s.cid), Some(first.cid.clone()));
    as_admin(d, emu, &CidSignature::delete(Network::Public, &first.cid)).unwrap();
    let gone = api_error(as_admin(
        d,
        emu,
        &CidSignature::get(Network::Public, &first.cid),
    ));
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{gone}");
}

/// A file with `expires_at` is gone once the moment passes (set at upload, or by an update).
pub fn v3_expiring_files<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_expiring_files") else {
        return;
    };
    let soon = now_secs() + 3;
    let up = as_admin(
        d,
        emu,
        &UploadFile::bytes("brief.txt", content(10))
            .unwrap()
            .expires_at(soon)
            .unwrap(),
    )
    .unwrap();
    let later = as_admin(
        d,
        emu,
        &UploadFile::bytes("later.txt", content(10)).unwrap(),
    )
    .unwrap();
    as_admin(
        d,
        emu,
        &UpdateFile::new(Network::Private, &later.id)
            .expires_at(soon)
            .unwrap(),
    )
    .unwrap();
    as_admin(d, emu, &GetFile::new(Network::Private, &up.id)).unwrap();
    // Past `soon` by more than a second: the emulator removes a file once the clock is past it.
    while now_secs() <= soon + 1 {
        std::thread::sleep(Duration::from_millis(200));
    }
    for id in [&up.id, &later.id] {
        let gone = api_error(as_admin(d, emu, &GetFile::new(Network::Private, id)));
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{gone}");
    }
}
