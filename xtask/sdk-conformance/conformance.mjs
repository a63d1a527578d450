// Conformance of the emulator with Pinata's official TypeScript SDK: drives the unmodified `pinata`
// package (version pinned in package.json and package-lock.json, the same as benches/sdk) against
// emulator processes, as a user of the SDK would, and checks what that user sees: the values the
// SDK returns (fields round-trip), and for failures the SDK's own error types and status codes.
//
// `cargo xtask it` runs it (xtask/src/sdk_conformance.rs); by hand:
//
//   PINATA_EMULATOR='<first line of pinata-emulator>' node conformance.mjs
//   PINATA_EMULATOR='…' PINATA_EMULATOR_TLS='<first line of pinata-emulator --tls-self-signed>' \
//     NODE_EXTRA_CA_CERTS=ca.pem node conformance.mjs
//
// The first line is the emulator's start-up JSON: `url` and `admin.jwt` are read from it. The
// plain-HTTP emulator carries almost every check; the HTTPS one (optional; its certificate must be
// trusted through NODE_EXTRA_CA_CERTS, which Node reads at start-up) carries the checks that need
// the SDK exactly as configured for the real service, since the SDK puts `https://` before any
// gateway it is given. The plain-HTTP run works around that the way an SDK user has to
// (pinata-v3-api.md §1.9): it sets `config.pinataGateway` back to the emulator's URL after
// construction. Nothing else in the SDK is touched.
//
// One line per check (`ok`, `FAIL`, `known` for an expected failure, `FIXED` for an expected
// failure that passed), then a summary. Exit code 0 when every check passes or fails exactly as
// listed in KNOWN, 1 otherwise (2 for bad usage).

import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { AuthenticationError, NetworkError, PinataError, PinataSDK } from "pinata";

// Known emulator incompatibilities, found by this run: the check's full name (`family: check`),
// the text its failure must contain (so a check that starts failing for another reason is a plain
// failure), and why, with the evidence. Such a check must fail so; if it passes, the run fails
// too, until it is taken out of this list. The emulator is not changed here.
// Empty: the three incompatibilities the first run found (the legacy folder answer without
// `Keyvalues`/`GroupId`, and `http://` signed upload URLs and TUS `Location`s over HTTPS) are fixed.
const KNOWN = new Map([]);

// ---------------------------------------------------------------------------------------------
// The emulators.

function emulatorFrom(variable, required) {
  const text = process.env[variable];
  if (!text) {
    if (required) usage(`${variable} (the emulator's start-up line) is not set`);
    return null;
  }
  let line;
  try {
    line = JSON.parse(text);
  } catch (e) {
    usage(`${variable} is not JSON: ${e.message}`);
  }
  const url = line?.url;
  const jwt = line?.admin?.jwt;
  if (typeof url !== "string" || typeof jwt !== "string") {
    usage(`${variable} has no url or admin.jwt`);
  }
  const base = url.replace(/\/+$/, "");
  return { url: base, host: new URL(base).host, jwt };
}

function usage(message) {
  process.stderr.write(`conformance.mjs: ${message}\n`);
  process.exit(2);
}

if (process.argv.length > 2) {
  usage("takes no arguments: the emulators come from PINATA_EMULATOR (and PINATA_EMULATOR_TLS)");
}
const EMU = emulatorFrom("PINATA_EMULATOR", true);
const TLS = emulatorFrom("PINATA_EMULATOR_TLS", false);

// An SDK client for `emu`, configured as its documentation says (`endpointUrl` and `uploadUrl`
// replace the hosts), with `jwt` (`undefined`: none, as in a browser that holds a signed URL only).
function sdk(emu, jwt) {
  const pinata = new PinataSDK({
    pinataJwt: jwt,
    pinataGateway: emu.host,
    endpointUrl: `${emu.url}/v3`,
    uploadUrl: `${emu.url}/v3`,
    legacyUploadUrl: `${emu.url}/pinning/pinFileToIPFS`,
  });
  if (emu.url.startsWith("http://")) {
    // The SDK made it https://HOST; every part of the client shares this config object.
    pinata.config.pinataGateway = emu.url;
  }
  return pinata;
}

const pinata = sdk(EMU, EMU.jwt);
// A run's own prefix, so names and content never meet those of an earlier run on the same data.
const RUN = randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------------------------
// Assertions.

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

function show(value) {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

function eq(actual, expected, what) {
  if (actual !== expected) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function deepEq(actual, expected, what) {
  const canon = (v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : Array.isArray(v)
        ? v.map(canon)
        : v;
  if (JSON.stringify(canon(actual)) !== JSON.stringify(canon(expected))) {
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function truthy(value, what) {
  if (!value) fail(`${what} (got ${show(value)})`);
}

function isString(value, what) {
  if (typeof value !== "string" || value === "") fail(`${what}: not a non-empty string: ${show(value)}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isDate(value, what) {
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
    fail(`${what}: not a date: ${show(value)}`);
  }
}

// `promise` must reject with an instance of `type` (exactly that class, not a subclass, when
// `exact`), with `status` as its statusCode. Returns the error.
async function rejects(promise, type, status, what, { exact = true } = {}) {
  let value;
  try {
    value = await promise;
  } catch (error) {
    const name = error?.constructor?.name;
    if (!(error instanceof type) || (exact && error.constructor !== type)) {
      fail(`${what}: expected ${type.name}, got ${name}: ${error?.message}`);
    }
    if (status !== undefined && error.statusCode !== status) {
      fail(`${what}: expected status ${status}, got ${error.statusCode}: ${error.message}`);
    }
    return error;
  }
  fail(`${what}: expected ${type.name} ${status ?? ""}, but it succeeded: ${show(value)}`);
}

// The SDK's errors carry the server's answer as raw text in `details.error`.
function answerOf(error) {
  return typeof error?.details?.error === "string" ? error.details.error : "";
}

function includes(text, part, what) {
  if (typeof text !== "string" || !text.includes(part)) {
    fail(`${what}: ${show(part)} not in ${show(text)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Content.

function textFile(name, text, type = "text/plain") {
  return new File([text], name, { type });
}

// `size` bytes, reproducible from `seed` (xorshift32), so big uploads need no disk.
function bytes(size, seed) {
  const out = new Uint8Array(size);
  let x = seed | 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = (x >>> 24) & 0xff;
  }
  return out;
}

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

async function blobBytes(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

// The SDK sends files above this through TUS (pinata-v3-api.md §1.3).
const TUS_THRESHOLD = 94_371_840;
// Just over it: two PATCHes of at most 52,428,801 bytes.
const BIG = TUS_THRESHOLD + 1_000_003;

// A CID nobody uploaded (valid, raw leaves, sha2-256 of the run's prefix): pinning it by CID stays
// queued until the emulator's search gives up (--pin-expiry-ms, a minute by default).
function unknownCid(label = "") {
  const digest = createHash("sha256").update(`nobody uploaded this ${RUN} ${label}`).digest();
  const bytes = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]);
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "b";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The emulator's control API (not part of the SDK): one injected fault for the admin key.
async function injectFault(emu, fault) {
  const response = await fetch(`${emu.url}/emulator/faults`, {
    method: "POST",
    headers: { Authorization: `Bearer ${emu.jwt}`, "Content-Type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`POST /emulator/faults: ${response.status} ${await response.text()}`);
}

// ---------------------------------------------------------------------------------------------
// The checks, in order; later ones use what earlier ones made (in `s`). A check whose input is
// missing because an earlier one failed fails too, saying so.

const s = {};
function need(key) {
  if (s[key] === undefined) fail(`needs ${key}, which an earlier check did not make`);
  return s[key];
}

const CHECKS = [];
function check(family, name, run) {
  CHECKS.push({ family, name, run });
}

// ---- auth ----------------------------------------------------------------------------------

check("auth", "testAuthentication with the admin JWT", async () => {
  const answer = await pinata.testAuthentication();
  eq(answer?.message, "Congratulations! You are communicating with the Pinata API!", "message");
});

check("auth", "a JWT with a wrong signature is an AuthenticationError 401", async () => {
  const [header, payload] = EMU.jwt.split(".");
  const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
  const error = await rejects(sdk(EMU, forged).testAuthentication(), AuthenticationError, 401, "testAuthentication");
  eq(error.details?.code, "AUTH_ERROR", "details.code");
  includes(answerOf(error), "INVALID_CREDENTIALS", "the server's answer");
});

check("auth", "no JWT (the SDK sends `Bearer undefined`) is an AuthenticationError 401", async () => {
  await rejects(sdk(EMU, undefined).testAuthentication(), AuthenticationError, 401, "testAuthentication");
});

// ---- keys ----------------------------------------------------------------------------------

check("keys", "create a key scoped to org:files:read with maxUses", async () => {
  const keyName = `${RUN}-reader`;
  const created = await pinata.keys.create({
    keyName,
    permissions: { resources: ["org:files:read"] },
    maxUses: 1000,
  });
  isString(created?.JWT, "JWT");
  isString(created?.pinata_api_key, "pinata_api_key");
  isString(created?.pinata_api_secret, "pinata_api_secret");
  eq(created.JWT.split(".").length, 3, "the JWT's parts");
  s.reader = { name: keyName, ...created };
});

check("keys", "the new key's JWT authenticates", async () => {
  const answer = await sdk(EMU, need("reader").JWT).testAuthentication();
  eq(answer?.message, "Congratulations! You are communicating with the Pinata API!", "message");
});

check("keys", "list().name() shows the key as created", async () => {
  const reader = need("reader");
  const keys = await pinata.keys.list().name(reader.name);
  truthy(Array.isArray(keys), "the list is an array");
  const key = keys.find((k) => k.key === reader.pinata_api_key);
  truthy(key, `the list holds key ${reader.pinata_api_key}`);
  eq(key.name, reader.name, "name");
  eq(key.max_uses, 1000, "max_uses");
  eq(key.revoked, false, "revoked");
  isString(key.id, "id");
  isDate(key.createdAt, "createdAt");
  deepEq(key.scopes?.resources, ["org:files:read"], "scopes.resources");
});

check("keys", "list().limitedUse(true) shows keys with maxUses only", async () => {
  const reader = need("reader");
  const limited = await pinata.keys.list().limitedUse(true).name(RUN);
  truthy(limited.some((k) => k.key === reader.pinata_api_key), "the key with maxUses is listed");
  truthy(limited.every((k) => Number.isInteger(k.max_uses)), "every key listed has max_uses");
});

check("keys", "a scoped key reads files", async () => {
  const page = await sdk(EMU, need("reader").JWT).files.public.list();
  truthy(Array.isArray(page?.files), "files is an array");
});

check("keys", "beyond its scope a key gets an AuthenticationError 403 (NO_SCOPES_FOUND)", async () => {
  const reader = sdk(EMU, need("reader").JWT);
  const error = await rejects(
    reader.groups.public.create({ name: `${RUN}-not-allowed` }),
    AuthenticationError,
    403,
    "groups.public.create",
  );
  includes(answerOf(error), "NO_SCOPES_FOUND", "the server's answer");
});

check("keys", "the list's iterator pages by offset through every key", async () => {
  const prefix = `${RUN}-paged`;
  const made = new Set();
  // More than one page (the emulator's pages hold 10 keys by default).
  for (let i = 0; i < 12; i++) {
    const created = await pinata.keys.create({ keyName: `${prefix}-${i}`, permissions: { admin: true } });
    made.add(created.pinata_api_key);
  }
  const seen = [];
  for await (const key of pinata.keys.list().name(prefix)) {
    seen.push(key.key);
    if (seen.length > 100) fail("more than 100 keys: the paging does not end");
  }
  eq(seen.length, 12, "keys listed");
  eq(new Set(seen).size, 12, "distinct keys listed");
  truthy(seen.every((k) => made.has(k)), "every listed key is one made here");
  s.pagedKeys = [...made];
});

check("keys", "revoke answers Revoked for each key", async () => {
  const reader = need("reader");
  const answer = await pinata.keys.revoke([reader.pinata_api_key]);
  deepEq(answer, [{ key: reader.pinata_api_key, status: "Revoked" }], "revoke's answer");
});

check("keys", "a revoked key's JWT is an AuthenticationError 403 (API_KEY_REVOKED)", async () => {
  const error = await rejects(
    sdk(EMU, need("reader").JWT).testAuthentication(),
    AuthenticationError,
    403,
    "testAuthentication",
  );
  includes(answerOf(error), "API_KEY_REVOKED", "the server's answer");
});

check("keys", "list().revoked(true) shows the revoked key", async () => {
  const reader = need("reader");
  const keys = await pinata.keys.list().name(reader.name).revoked(true);
  const key = keys.find((k) => k.key === reader.pinata_api_key);
  truthy(key, "the revoked key is listed");
  eq(key.revoked, true, "revoked");
});

check("keys", "revoking an unknown key reports it, without throwing", async () => {
  const answer = await pinata.keys.revoke(["0000000000000000dead"]);
  eq(answer.length, 1, "answers");
  eq(answer[0].key, "0000000000000000dead", "key");
  truthy(answer[0].status !== "Revoked" && typeof answer[0].status === "string", "status is an error message");
});

// ---- upload (v3) ---------------------------------------------------------------------------

check("upload", "public file with name and keyvalues: every field of the answer", async () => {
  const text = `hello from the official SDK, run ${RUN}\n`;
  const file = await pinata.upload.public
    .file(textFile("hello.txt", text))
    .name(`${RUN} hello`)
    .keyvalues({ run: RUN, kind: "greeting" });
  truthy(UUID.test(file?.id), `id is a UUID (${file?.id})`);
  eq(file.name, `${RUN} hello`, "name");
  truthy(/^bafkrei[a-z2-7]{52}$/.test(file.cid), `cid is a CIDv1 of raw leaves (${file.cid})`);
  eq(file.size, Buffer.byteLength(text), "size");
  eq(file.number_of_files, 1, "number_of_files");
  eq(file.mime_type, "text/plain", "mime_type");
  deepEq(file.keyvalues, { run: RUN, kind: "greeting" }, "keyvalues");
  eq(file.group_id, null, "group_id");
  isDate(file.created_at, "created_at");
  if (file.network !== undefined) eq(file.network, "public", "network");
  if (file.is_duplicate !== undefined) eq(file.is_duplicate, false, "is_duplicate");
  s.hello = { ...file, text };
});

check("upload", "gateways.public.get returns the bytes and their type", async () => {
  const hello = need("hello");
  const got = await pinata.gateways.public.get(hello.cid);
  eq(got.contentType, "text/plain", "contentType");
  eq(got.data, hello.text, "data");
});

check("upload", "the same bytes again: a new file, same CID, is_duplicate", async () => {
  const hello = need("hello");
  const again = await pinata.upload.public.file(textFile("again.txt", hello.text));
  truthy(again.id !== hello.id, "a new id");
  eq(again.cid, hello.cid, "cid");
  eq(again.name, "again.txt", "name (the file's name when none is given)");
  eq(again.is_duplicate, true, "is_duplicate");
  s.again = again;
});

check("upload", ".key(jwt): a JWT for one upload, on an SDK without one", async () => {
  const file = await sdk(EMU, undefined).upload.public.file(textFile("keyed.txt", `keyed ${RUN}`)).key(EMU.jwt);
  eq(file.name, "keyed.txt", "name");
  await rejects(
    sdk(EMU, undefined).upload.public.file(textFile("unkeyed.txt", `unkeyed ${RUN}`)),
    AuthenticationError,
    401,
    "the same upload without .key()",
  );
});

check("upload", "cidVersion('v0') gives a CIDv0", async () => {
  const file = await pinata.upload.public.file(textFile("v0.txt", `v0 ${RUN}`)).cidVersion("v0");
  truthy(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(file.cid), `cid is a CIDv0 (${file.cid})`);
  s.v0 = file;
});

check("upload", "json: data.json, application/json, the object back from the gateway", async () => {
  const object = { run: RUN, list: [1, 2, 3], nested: { ok: true } };
  const file = await pinata.upload.public.json(object).keyvalues({ run: RUN, kind: "json" });
  eq(file.name, "data.json", "name");
  eq(file.mime_type, "application/json", "mime_type");
  deepEq(file.keyvalues, { run: RUN, kind: "json" }, "keyvalues");
  const got = await pinata.gateways.public.get(file.cid);
  eq(got.contentType, "application/json", "contentType");
  deepEq(got.data, object, "data");
  s.json = file;
});

check("upload", "base64: the decoded bytes, named as given", async () => {
  const raw = bytes(1000, 7);
  const file = await pinata.upload.public.base64(Buffer.from(raw).toString("base64")).name(`${RUN}.bin`);
  eq(file.name, `${RUN}.bin`, "name");
  eq(file.size, raw.length, "size");
  const got = await pinata.gateways.public.get(file.cid);
  truthy(got.data instanceof Blob, `data is a Blob (contentType ${got.contentType})`);
  eq(sha256(await blobBytes(got.data)), sha256(raw), "the bytes' sha256");
  s.base64 = file;
});

check("upload", "url: the SDK fetches the URL (the emulator's gateway) and uploads it", async () => {
  const hello = need("hello");
  const file = await pinata.upload.public.url(`${EMU.url}/ipfs/${hello.cid}`);
  eq(file.name, "url_upload", "name");
  eq(file.cid, hello.cid, "cid (the same bytes)");
  eq(file.size, hello.size, "size");
  s.fromUrl = file;
});

check("upload", "resumable (TUS) upload of a file over the SDK's threshold", async () => {
  const raw = bytes(BIG, 11);
  const file = await pinata.upload.public
    .file(new File([raw], "big.bin", { type: "application/octet-stream" }))
    .keyvalues({ run: RUN, kind: "big" });
  truthy(file && typeof file === "object", `the SDK returned a file (${show(file)})`);
  truthy(UUID.test(file.id), `id is a UUID (${file.id})`);
  eq(file.name, "big.bin", "name");
  eq(file.size, BIG, "size");
  deepEq(file.keyvalues, { run: RUN, kind: "big" }, "keyvalues");
  truthy(/^bafybei[a-z2-7]{52}$/.test(file.cid), `cid is a CIDv1 of a DAG (${file.cid})`);
  const got = await pinata.gateways.public.get(file.cid);
  eq(sha256(await blobBytes(got.data)), sha256(raw), "the bytes' sha256 from the gateway");
  s.big = { ...file, sha256: sha256(raw) };
});

// ---- legacy (the SDK's one legacy call: fileArray without .url() is pinFileToIPFS) ---------

check("legacy", "fileArray: a folder through pinFileToIPFS, mapped to the v3 shape", async () => {
  const group = await pinata.groups.public.create({ name: `${RUN} folders` });
  const folder = await pinata.upload.public
    .fileArray([textFile("a.txt", `a ${RUN}`), textFile("b.txt", `b ${RUN}`)])
    .name(`${RUN}-site`)
    .keyvalues({ run: RUN })
    .group(group.id);
  truthy(UUID.test(folder?.id), `id is a UUID (${folder?.id})`);
  eq(folder.name, `${RUN}-site`, "name");
  truthy(/^bafybei[a-z2-7]{52}$/.test(folder.cid), `cid is a CIDv1 folder (${folder.cid})`);
  eq(folder.number_of_files, 2, "number_of_files");
  truthy(Number.isInteger(folder.size) && folder.size > 0, `size is a positive integer (${folder.size})`);
  isDate(folder.created_at, "created_at");
  eq(folder.network, "public", "network");
  s.folder = { ...folder, group: group.id };
});

check("legacy", "fileArray: the folder's keyvalues and group come back (Keyvalues, GroupId)", async () => {
  const folder = need("folder");
  const wrong = [];
  if (JSON.stringify(folder.keyvalues) !== JSON.stringify({ run: RUN })) {
    wrong.push(`keyvalues: expected ${show({ run: RUN })}, got ${show(folder.keyvalues)}`);
  }
  if (folder.group_id !== folder.group) {
    wrong.push(`group_id: expected ${show(folder.group)}, got ${show(folder.group_id)}`);
  }
  if (wrong.length > 0) fail(wrong.join("; "));
});

check("legacy", "a file inside the folder from the gateway", async () => {
  const folder = need("folder");
  const got = await pinata.gateways.public.get(`${folder.cid}/b.txt`);
  eq(got.data, `b ${RUN}`, "b.txt");
});

// ---- groups --------------------------------------------------------------------------------

check("groups", "create a public group", async () => {
  const group = await pinata.groups.public.create({ name: `${RUN} group`, isPublic: true });
  truthy(UUID.test(group?.id), `id is a UUID (${group?.id})`);
  eq(group.name, `${RUN} group`, "name");
  eq(group.is_public, true, "is_public");
  isDate(group.created_at, "created_at");
  s.group = group;
});

check("groups", "get a group", async () => {
  const group = need("group");
  const got = await pinata.groups.public.get({ groupId: group.id });
  deepEq(got, group, "the group");
});

check("groups", "list().name() finds it; the iterator pages to the end", async () => {
  const group = need("group");
  const page = await pinata.groups.public.list().name(`${RUN} group`);
  truthy(page.groups.some((g) => g.id === group.id), "the group is listed");
  await pinata.groups.public.create({ name: `${RUN} group two` });
  await pinata.groups.public.create({ name: `${RUN} group three` });
  const seen = [];
  for await (const g of pinata.groups.public.list().name(`${RUN} group`).limit(1)) {
    seen.push(g.id);
    if (seen.length > 10) fail("more than 10 groups: the paging does not end");
  }
  eq(seen.length, 3, "groups listed one a page");
  eq(new Set(seen).size, 3, "distinct groups");
});

check("groups", "update name and is_public", async () => {
  const group = need("group");
  const updated = await pinata.groups.public.update({
    groupId: group.id,
    name: `${RUN} renamed`,
    isPublic: false,
  });
  eq(updated.id, group.id, "id");
  eq(updated.name, `${RUN} renamed`, "name");
  eq(updated.is_public, false, "is_public");
  const got = await pinata.groups.public.get({ groupId: group.id });
  eq(got.name, `${RUN} renamed`, "name read back");
});

check("groups", "addFiles answers OK for each file; the files list by group", async () => {
  const group = need("group");
  const ids = [need("hello").id, need("json").id];
  const answer = await pinata.groups.public.addFiles({ groupId: group.id, files: ids });
  deepEq(answer, ids.map((id) => ({ id, status: "OK" })), "addFiles' answer");
  const page = await pinata.files.public.list().group(group.id);
  deepEq(page.files.map((f) => f.id).sort(), [...ids].sort(), "the group's files");
  truthy(page.files.every((f) => f.group_id === group.id), "group_id on each file");
});

check("groups", "addFiles reports an unknown file without throwing", async () => {
  const group = need("group");
  const missing = randomUUID();
  const answer = await pinata.groups.public.addFiles({ groupId: group.id, files: [missing] });
  eq(answer.length, 1, "answers");
  eq(answer[0].id, missing, "id");
  truthy(answer[0].status !== "OK", `status is not OK (${answer[0].status})`);
});

check("groups", "removeFiles answers OK; the group lists none", async () => {
  const group = need("group");
  const ids = [need("hello").id, need("json").id];
  const answer = await pinata.groups.public.removeFiles({ groupId: group.id, files: ids });
  deepEq(answer, ids.map((id) => ({ id, status: "OK" })), "removeFiles' answer");
  const page = await pinata.files.public.list().group(group.id);
  eq(page.files.length, 0, "files in the group");
});

check("groups", "private network: create, upload into the group, delete", async () => {
  const group = await pinata.groups.private.create({ name: `${RUN} private` });
  eq(group.is_public, false, "is_public");
  const text = `private ${RUN}`;
  const file = await pinata.upload.private.file(textFile("secret.txt", text)).group(group.id);
  eq(file.group_id, group.id, "group_id");
  if (file.network !== undefined) eq(file.network, "private", "network");
  const listed = await pinata.files.private.list().group(group.id);
  deepEq(listed.files.map((f) => f.id), [file.id], "the private group's files");
  s.privateGroup = group;
  s.secret = { ...file, text };
});

check("groups", "delete answers OK; get is then a NetworkError 404", async () => {
  const group = need("group");
  eq(await pinata.groups.public.delete({ groupId: group.id }), "OK", "delete's answer");
  await rejects(pinata.groups.public.get({ groupId: group.id }), NetworkError, 404, "get");
});

// ---- files ---------------------------------------------------------------------------------

check("files", "get returns the upload's record", async () => {
  const hello = need("hello");
  const got = await pinata.files.public.get(hello.id);
  for (const field of ["id", "name", "cid", "size", "number_of_files", "mime_type", "created_at"]) {
    eq(got[field], hello[field], field);
  }
  deepEq(got.keyvalues, hello.keyvalues, "keyvalues");
  eq(got.group_id ?? null, null, "group_id (removed from the group)");
});

check("files", "list filters: name, cid, keyvalues, mimeType, noGroup", async () => {
  const hello = need("hello");
  const again = need("again");
  const json = need("json");
  const ids = (page) => page.files.map((f) => f.id).sort();
  deepEq(ids(await pinata.files.public.list().name(`${RUN} hello`)), [hello.id], "by name");
  deepEq(
    ids(await pinata.files.public.list().cid(hello.cid)),
    [hello.id, again.id, need("fromUrl").id].sort(),
    "by cid",
  );
  deepEq(
    ids(await pinata.files.public.list().keyvalues({ run: RUN, kind: "json" })),
    [json.id],
    "by keyvalues",
  );
  const jsons = await pinata.files.public.list().mimeType("application/json").limit(1000);
  truthy(jsons.files.some((f) => f.id === json.id), "by mimeType: the JSON file");
  truthy(jsons.files.every((f) => f.mime_type === "application/json"), "by mimeType: only JSON");
  const ungrouped = await pinata.files.public.list().noGroup(true).limit(1000);
  truthy(ungrouped.files.every((f) => f.group_id === null), "noGroup: no file in a group");
  truthy(ungrouped.files.some((f) => f.id === hello.id), "noGroup: an ungrouped file");
  const oldest = await pinata.files.public.list().order("ASC").limit(1000);
  const times = oldest.files.map((f) => Date.parse(f.created_at));
  truthy(times.every((t, i) => i === 0 || times[i - 1] <= t), "order ASC: oldest first");
});

check("files", "the list's iterator pages to the end by next_page_token", async () => {
  const all = await pinata.files.public.list().limit(1000);
  eq(all.next_page_token || "", "", "one page of 1000 has no next page");
  const seen = [];
  for await (const f of pinata.files.public.list().limit(2)) {
    seen.push(f.id);
    if (seen.length > all.files.length + 10) fail("more files than listed at once: the paging does not end");
  }
  deepEq([...seen].sort(), all.files.map((f) => f.id).sort(), "the files, two a page");
});

check("files", "update name and keyvalues; get reads them back", async () => {
  const hello = need("hello");
  const updated = await pinata.files.public.update({
    id: hello.id,
    name: `${RUN} renamed`,
    keyvalues: { stage: "updated" },
  });
  eq(updated.id, hello.id, "id");
  eq(updated.name, `${RUN} renamed`, "name");
  eq(updated.keyvalues?.stage, "updated", "keyvalues.stage");
  const got = await pinata.files.public.get(hello.id);
  eq(got.name, `${RUN} renamed`, "name read back");
  eq(got.keyvalues?.stage, "updated", "keyvalues.stage read back");
});

check("files", "private network: get, update, delete", async () => {
  const file = await pinata.upload.private.file(textFile("private.txt", `private file ${RUN}`));
  const got = await pinata.files.private.get(file.id);
  eq(got.cid, file.cid, "cid");
  const updated = await pinata.files.private.update({ id: file.id, name: `${RUN} private renamed` });
  eq(updated.name, `${RUN} private renamed`, "name");
  deepEq(await pinata.files.private.delete([file.id]), [{ id: file.id, status: "OK" }], "delete's answer");
  await rejects(pinata.files.private.get(file.id), NetworkError, 404, "get after delete");
  await rejects(pinata.files.public.get(need("secret").id), NetworkError, 404, "a private file on the public network");
});

check("files", "get of an unknown id is a NetworkError 404", async () => {
  const error = await rejects(pinata.files.public.get(randomUUID()), NetworkError, 404, "get");
  eq(error.details?.code, "HTTP_ERROR", "details.code");
});

check("files", "delete answers OK per file, reports an unknown one; get is then 404", async () => {
  const again = need("again");
  const missing = randomUUID();
  const answer = await pinata.files.public.delete([again.id, missing]);
  eq(answer.length, 2, "answers");
  deepEq(answer[0], { id: again.id, status: "OK" }, "the file's answer");
  eq(answer[1].id, missing, "the unknown id's answer");
  truthy(answer[1].status !== "OK", `the unknown id's status is not OK (${answer[1].status})`);
  await rejects(pinata.files.public.get(again.id), NetworkError, 404, "get after delete");
});

// ---- signed upload URLs --------------------------------------------------------------------

async function signedUrl(network, options) {
  const url = await pinata.upload[network].createSignedURL(options);
  isString(url, "the signed URL");
  includes(url, `${EMU.url}/v3/files/`, "the signed URL");
  includes(url, "X-Algorithm=PINATA2", "the signed URL");
  includes(url, "X-Signature=", "the signed URL");
  return url;
}

// An SDK without a JWT, as in a browser that only holds a signed URL.
const anonymous = sdk(EMU, undefined);

check("signed", "createSignedURL binds name, keyvalues and group; an SDK without JWT uploads", async () => {
  const group = need("privateGroup");
  const url = await signedUrl("private", {
    expires: 120,
    name: `${RUN} signed`,
    keyvalues: { via: "signed" },
    groupId: group.id,
  });
  const file = await anonymous.upload.private.file(textFile("ignored.txt", `signed ${RUN}`)).url(url);
  eq(file.name, `${RUN} signed`, "name (the signed one)");
  deepEq(file.keyvalues, { via: "signed" }, "keyvalues");
  eq(file.group_id, group.id, "group_id");
  if (file.network !== undefined) eq(file.network, "private", "network");
  s.signedUrl = url;
});

check("signed", "a signed URL is good for one upload: again is a NetworkError 409", async () => {
  const url = need("signedUrl");
  await rejects(anonymous.upload.private.file(textFile("twice.txt", `twice ${RUN}`)).url(url), NetworkError, 409, "upload");
});

check("signed", "json() to a signed URL (the SDK sends no header at all)", async () => {
  const url = await signedUrl("public", { expires: 120 });
  const file = await anonymous.upload.public.json({ signed: RUN }).url(url);
  eq(file.name, "data.json", "name");
  eq(file.mime_type, "application/json", "mime_type");
});

check("signed", "a type the URL does not allow is a NetworkError 400", async () => {
  const url = await signedUrl("public", { expires: 120, mimeTypes: ["image/*"] });
  const error = await rejects(
    anonymous.upload.public.file(textFile("not-an-image.txt", `text ${RUN}`)).url(url),
    NetworkError,
    400,
    "upload",
  );
  includes(answerOf(error), "text/plain", "the server's answer names the type");
});

check("signed", "an expired URL is an AuthenticationError 401", async () => {
  const date = Math.floor(Date.now() / 1000) - 120;
  const url = await signedUrl("public", { expires: 60, date });
  const error = await rejects(
    anonymous.upload.public.file(textFile("late.txt", `late ${RUN}`)).url(url),
    AuthenticationError,
    401,
    "upload",
  );
  includes(answerOf(error), "expired", "the server's answer");
});

check("signed", "fileArray().url(): a folder through a URL signed forDirectory", async () => {
  const url = await signedUrl("public", { expires: 120, forDirectory: true });
  const folder = await anonymous.upload.public
    .fileArray([textFile("x.txt", `x ${RUN}`), textFile("y.txt", `y ${RUN}`)])
    .name(`${RUN}-signed-site`)
    .url(url);
  eq(folder.number_of_files, 2, "number_of_files");
  eq(folder.mime_type, "directory", "mime_type");
  truthy(/^bafybei[a-z2-7]{52}$/.test(folder.cid), `cid is a CIDv1 folder (${folder.cid})`);
});

check("signed", "a resumable (TUS) upload through a signed URL, without JWT", async () => {
  const big = need("big");
  const url = await signedUrl("public", { expires: 300 });
  const raw = bytes(BIG, 11);
  // Without a JWT the SDK cannot look the file up: it answers with what it knows.
  const file = await anonymous.upload.public.file(new File([raw], "big-signed.bin")).url(url);
  truthy(file && typeof file === "object", `the SDK returned a file (${show(file)})`);
  eq(file.cid, big.cid, "cid (the same bytes as the first big upload)");
  eq(file.size, BIG, "size");
});

// ---- private downloads ---------------------------------------------------------------------

check("gateway", "createAccessLink: a signed link that downloads the private file", async () => {
  const secret = need("secret");
  const link = await pinata.gateways.private.createAccessLink({ cid: secret.cid, expires: 60 });
  isString(link, "the link");
  truthy(link.startsWith(`${EMU.url}/files/${secret.cid}?`), `the link is on the gateway (${link})`);
  includes(link, "X-Algorithm=PINATA1", "the link");
  const response = await fetch(link);
  eq(response.status, 200, "status");
  eq(await response.text(), secret.text, "body");
  s.link = link;
});

check("gateway", "createAccessLink with optimizeImage keeps the options in the signed link", async () => {
  const secret = need("secret");
  const link = await pinata.gateways.private
    .createAccessLink({ cid: secret.cid, expires: 60 })
    .optimizeImage({ width: 100, format: "webp" });
  includes(link, "img-width=100", "the link");
  includes(link, "img-format=webp", "the link");
  const response = await fetch(link);
  eq(response.status, 200, "status");
});

check("gateway", "a link altered to another CID is refused (401)", async () => {
  const link = need("link");
  const other = need("hello").cid;
  const altered = link.replace(`/files/${need("secret").cid}`, `/files/${other}`);
  const response = await fetch(altered);
  eq(response.status, 401, "status");
});

check("gateway", "gateways.private.get (signs through /files/sign, then downloads)", async () => {
  const secret = need("secret");
  const got = await pinata.gateways.private.get(secret.cid);
  eq(got.contentType, "text/plain", "contentType");
  eq(got.data, secret.text, "data");
});

check("gateway", "the public gateway does not serve a private file: NetworkError 404", async () => {
  await rejects(pinata.gateways.public.get(need("secret").cid), NetworkError, 404, "gateways.public.get");
});

// ---- swaps and signatures ------------------------------------------------------------------

check("swaps", "addSwap answers the mapping; the gateway serves the new CID", async () => {
  const from = need("v0").cid;
  const to = need("json").cid;
  const swap = await pinata.files.public.addSwap({ cid: from, swapCid: to });
  eq(swap.mapped_cid, to, "mapped_cid");
  isDate(swap.created_at, "created_at");
  const got = await pinata.gateways.public.get(from);
  deepEq(got.data, { run: RUN, list: [1, 2, 3], nested: { ok: true } }, "the gateway's answer for the old CID");
});

check("swaps", "getSwapHistory lists the swap", async () => {
  const history = await pinata.files.public.getSwapHistory({ cid: need("v0").cid, domain: EMU.host });
  truthy(Array.isArray(history), "the history is an array");
  truthy(history.some((h) => h.mapped_cid === need("json").cid), "the swap is in the history");
});

check("swaps", "deleteSwap answers OK; the gateway serves the old content again", async () => {
  const from = need("v0").cid;
  eq(await pinata.files.public.deleteSwap(from), "OK", "deleteSwap's answer");
  const got = await pinata.gateways.public.get(from);
  eq(got.data, `v0 ${RUN}`, "the gateway's answer");
});

check("swaps", "addSwap of a CID not held: PinataError 'CID not pinned to account' (404)", async () => {
  const error = await rejects(
    pinata.files.public.addSwap({ cid: unknownCid(), swapCid: need("json").cid }),
    PinataError,
    404,
    "addSwap",
  );
  eq(error.message, "CID not pinned to account", "message");
});

check("swaps", "getSwapHistory without history: PinataError 'CID does not have history' (404)", async () => {
  const error = await rejects(
    pinata.files.public.getSwapHistory({ cid: need("base64").cid, domain: EMU.host }),
    PinataError,
    404,
    "getSwapHistory",
  );
  eq(error.message, "CID does not have history", "message");
});

check("signatures", "add, get, delete a signature", async () => {
  const cid = need("base64").cid;
  const signature = `0x${"ab".repeat(65)}`;
  const address = `0x${"12".repeat(20)}`;
  deepEq(await pinata.signatures.public.add({ cid, signature, address }), { cid, signature }, "add's answer");
  deepEq(await pinata.signatures.public.get(cid), { cid, signature }, "get's answer");
  eq(await pinata.signatures.public.delete(cid), "OK", "delete's answer");
  await rejects(pinata.signatures.public.get(cid), NetworkError, 404, "get after delete");
});

check("signatures", "adding to a CID not held is a NetworkError 404", async () => {
  await rejects(
    pinata.signatures.public.add({ cid: unknownCid(), signature: "0x01", address: "0x02" }),
    NetworkError,
    404,
    "add",
  );
});

// ---- pin by CID ----------------------------------------------------------------------------

check("pin_by_cid", "upload.public.cid of an unknown CID: a queued request", async () => {
  const cid = unknownCid();
  const request = await pinata.upload.public.cid(cid).name(`${RUN} by cid`).keyvalues({ run: RUN });
  truthy(UUID.test(request?.id), `id is a UUID (${request?.id})`);
  eq(request.cid, cid, "cid");
  eq(request.name, `${RUN} by cid`, "name");
  truthy(["prechecking", "searching", "retrieving"].includes(request.status), `status is queued (${request.status})`);
  isDate(request.date_queued, "date_queued");
  deepEq(request.keyvalues, { run: RUN }, "keyvalues");
  s.request = request;
});

check("pin_by_cid", "queue().cid() lists the request", async () => {
  const request = need("request");
  const queue = await pinata.files.public.queue().cid(request.cid);
  truthy(Array.isArray(queue?.jobs), "jobs is an array");
  const job = queue.jobs.find((j) => j.id === request.id);
  truthy(job, "the request is queued");
  eq(job.name, `${RUN} by cid`, "name");
});

check("pin_by_cid", "the queue's iterator pages to the end", async () => {
  const made = [];
  for (const label of ["one", "two", "three"]) {
    made.push((await pinata.upload.public.cid(unknownCid(label))).id);
  }
  const seen = [];
  for await (const job of pinata.files.public.queue().pageLimit(1)) {
    seen.push(job.id);
    if (seen.length > 50) fail("more than 50 jobs: the paging does not end");
  }
  eq(new Set(seen).size, seen.length, "distinct jobs");
  truthy(made.every((id) => seen.includes(id)), "every request made is listed");
  s.queued = made;
});

check("pin_by_cid", "deletePinRequest answers OK; the queue no longer has it", async () => {
  const request = need("request");
  eq(await pinata.files.public.deletePinRequest(request.id), "OK", "deletePinRequest's answer");
  const queue = await pinata.files.public.queue().cid(request.cid);
  truthy(!queue.jobs.some((j) => j.id === request.id), "the request is gone");
});

check("pin_by_cid", "a CID whose content is held is pinned: it leaves the queue", async () => {
  const base64 = need("base64");
  const request = await pinata.upload.public.cid(base64.cid).name(`${RUN} pinned by cid`);
  eq(request.status, "retrieving", "status (the content is held)");
  const deadline = performance.now() + 20_000;
  for (;;) {
    const queue = await pinata.files.public.queue().cid(base64.cid);
    if (!queue.jobs.some((j) => j.id === request.id)) return;
    if (performance.now() > deadline) fail(`request ${request.id} still queued after 20 s`);
    await sleep(250);
  }
});

// ---- errors --------------------------------------------------------------------------------

check("errors", "a 503 (an injected fault) is a NetworkError 503 with the server's answer", async () => {
  await injectFault(EMU, { fault: "status", status: 503, count: 1 });
  const error = await rejects(pinata.files.public.list(), NetworkError, 503, "list");
  eq(error.details?.code, "HTTP_ERROR", "details.code");
  truthy(answerOf(error).length > 0, "the server's answer is kept");
});

check("errors", "createSignedURL retries a 429 and succeeds", async () => {
  await injectFault(EMU, { fault: "status", status: 429, retry_after: 1, count: 1 });
  await signedUrl("public", { expires: 60 });
});

// ---- TLS: the SDK as configured for the real service, no workaround ------------------------

if (TLS) {
  const secure = sdk(TLS, TLS.jwt);

  check("tls", "testAuthentication over HTTPS", async () => {
    const answer = await secure.testAuthentication();
    eq(answer?.message, "Congratulations! You are communicating with the Pinata API!", "message");
  });

  check("tls", "upload, then gateways.public.get through the SDK's https:// gateway", async () => {
    const text = `over tls ${RUN}`;
    const file = await secure.upload.public.file(textFile("tls.txt", text));
    const got = await secure.gateways.public.get(file.cid);
    eq(got.data, text, "data");
  });

  check("tls", "createAccessLink with its own gateway option", async () => {
    const text = `private over tls ${RUN}`;
    const file = await secure.upload.private.file(textFile("tls-secret.txt", text));
    const link = await secure.gateways.private.createAccessLink({
      cid: file.cid,
      expires: 60,
      gateway: TLS.host,
    });
    truthy(link.startsWith(`https://${TLS.host}/files/${file.cid}?`), `the link (${link})`);
    const response = await fetch(link);
    eq(response.status, 200, "status");
    eq(await response.text(), text, "body");
  });

  check("tls", "signed upload URL over HTTPS", async () => {
    const url = await secure.upload.public.createSignedURL({ expires: 60 });
    if (!url.startsWith("https://")) fail(`the signed URL is ${url.split("?")[0]}`);
    const file = await sdk(TLS, undefined).upload.public.file(textFile("tls-signed.txt", `signed tls ${RUN}`)).url(url);
    isString(file?.cid, "cid");
  });

  check("tls", "resumable (TUS) upload over HTTPS", async () => {
    // What the SDK's first request gets (pinata-v3-api.md §1.3), asked the same way: the SDK
    // itself never shows the Location it PATCHes to, and retries a bad one for 25 s.
    const created = await fetch(`${TLS.url}/v3/files`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TLS.jwt}`,
        "Upload-Length": String(BIG),
        "Upload-Metadata": `filename ${btoa("probe.bin")},filetype ${btoa("")},network ${btoa("public")}`,
      },
    });
    const location = created.headers.get("location") ?? "";
    if (!location.startsWith("https://")) {
      fail(`the TUS Location is ${location.replace(/\/[^/]*$/, "/<token>")} (status ${created.status})`);
    }
    const raw = bytes(BIG, 13);
    const file = await secure.upload.public.file(new File([raw], "tls-big.bin"));
    eq(file?.size, BIG, "size");
  });
}

// ---------------------------------------------------------------------------------------------
// Run.

function describe(error) {
  if (error instanceof CheckFailed) return error.message;
  let text = `${error?.constructor?.name ?? "error"}: ${error?.message ?? error}`;
  if (error?.statusCode !== undefined) text += ` (status ${error.statusCode})`;
  const answer = answerOf(error);
  if (answer) text += ` — server: ${answer.slice(0, 300)}`;
  if (error?.cause) text += ` — cause: ${error.cause?.message ?? error.cause}`;
  return text;
}

async function main() {
  const started = performance.now();
  const counts = { passed: 0, failed: 0, known: 0 };
  const unknownKnown = [...KNOWN.keys()].filter(
    (name) => !CHECKS.some((c) => `${c.family}: ${c.name}` === name) && !(name.startsWith("tls: ") && !TLS),
  );
  for (const name of unknownKnown) {
    console.log(`FAIL  KNOWN lists ${JSON.stringify(name)}, which is no check`);
    counts.failed++;
  }
  console.log(
    `official SDK pinata ${sdkVersion()} against ${EMU.url}${TLS ? ` and ${TLS.url}` : ""} (run ${RUN})`,
  );
  for (const { family, name, run } of CHECKS) {
    const full = `${family}: ${name}`;
    const known = KNOWN.get(full);
    const t = performance.now();
    let error;
    try {
      await run();
    } catch (e) {
      error = e;
    }
    const message = error ? describe(error) : "";
    const ms = `${Math.round(performance.now() - t)} ms`;
    if (!error && !known) {
      counts.passed++;
      console.log(`ok    ${full} (${ms})`);
    } else if (!error && known) {
      counts.failed++;
      console.log(`FIXED ${full}: listed as a known failure but passes; take it out of KNOWN in conformance.mjs`);
    } else if (error && known && message.includes(known.fails)) {
      counts.known++;
      console.log(`known ${full}: ${message}`);
      console.log(`      (known emulator incompatibility: ${known.why})`);
    } else if (error && known) {
      counts.failed++;
      console.log(`FAIL  ${full}: ${message}`);
      console.log(`      (a known failure, but not the known one: ${JSON.stringify(known.fails)})`);
    } else {
      counts.failed++;
      console.log(`FAIL  ${full}: ${message}`);
    }
  }
  if (!TLS) {
    console.log("(the tls checks were skipped: PINATA_EMULATOR_TLS is not set)");
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `SDK conformance: ${counts.passed} passed, ${counts.failed} failed, ${counts.known} known failures (${seconds} s)`,
  );
  process.exit(counts.failed === 0 ? 0 : 1);
}

// The installed SDK's version (its package.json, beside this script's node_modules).
function sdkVersion() {
  try {
    const path = new URL("./node_modules/pinata/package.json", import.meta.url);
    return JSON.parse(readFileSync(path, "utf8")).version;
  } catch {
    return "(version unknown)";
  }
}

main().catch((error) => {
  console.log(`FAIL  the run itself: ${describe(error)}`);
  process.exit(1);
});
