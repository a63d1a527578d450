// A stock TUS server — @tus/server with @tus/file-store, as pinned in package-lock.json — serving
// TUS at /v3/files, with only Pinata's additions around it:
//
// - when an upload is complete (`onUploadFinish`, the server's own hook) the file gets a v3 record
//   (its id is the TUS upload id) and its CID, computed by the JS UnixFS importer as `ipfs add`
//   does (v1: raw leaves; 256 KiB chunks; balanced, 174 links), which the final PATCH's answer
//   names in `Upload-Cid` (unless turned off below);
// - `GET /v3/files/{network}?cid=…` (the list, newest first, its `cid` filter only) and
//   `GET /v3/files/{network}/{id}` answer `{"data": …}` as Pinata does;
// - the creation and those two need the key pair given on the command line.
//
// Everything else — the upload URLs (`http://HOST/v3/files/{upload_id}`, not Pinata's
// `/v3/files/{file_id}/{token}`), HEAD (offset and length, never a CID), PATCH, DELETE, OPTIONS,
// locking — is the stock server's.
//
// For tests, `POST /__test/arm` with a JSON body sets what the server does next:
// - `{"cut_after": N}`: the next PATCH's connection is cut after N bytes of its body (the store
//   keeps what it wrote, as the stock server does with any broken request);
// - `{"lose_answer": true}`: the next PATCH that completes an upload is carried out in full, then
//   its connection is closed without an answer;
// - `{"upload_cid": false}` (or `true`): whether final answers name the CID.
// `GET /__test/uploads/{id}` answers `{"offset": N, "length": L}` as the store holds it;
// `GET /__test/stats` answers `{"misses": N}`, the file gets answered 404 (a client asking for a
// record under an id it guessed).
//
// Usage: node server.mjs --dir DIR --key KEY --secret SECRET [--max-seconds N]
// Listens on 127.0.0.1 on a free port and prints one line, `{"url":"http://127.0.0.1:PORT"}`.
// Exits by itself after --max-seconds (default 300).

import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { Readable } from 'node:stream'

import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

function arg (name, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  if (at < 0 || at + 1 >= process.argv.length) {
    if (fallback !== undefined) return fallback
    console.error(`usage: node server.mjs --dir DIR --key KEY --secret SECRET [--max-seconds N] (missing --${name})`)
    process.exit(2)
  }
  return process.argv[at + 1]
}

const dir = arg('dir')
const key = arg('key')
const secret = arg('secret')
const maxSeconds = Number(arg('max-seconds', '300'))
fs.mkdirSync(dir, { recursive: true })

/** File records, oldest first. */
const files = []
/** File gets answered 404. */
let misses = 0
/** What the next requests are to suffer (see the header). */
const armed = { cutAfter: null, loseAnswer: false, uploadCid: true }
/** The web requests whose PATCH completed an upload (to lose their answer when armed). */
const completing = new WeakSet()

// Blocks are not kept: only the CID matters.
const sink = {
  put: async (cid) => cid,
  has: async () => false,
  get: async () => { throw new Error('not stored') }
}

async function cidOf (file, version) {
  let entry
  const options = {
    cidVersion: version,
    rawLeaves: version === 1,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 })
  }
  for await (const e of importer([{ content: fs.createReadStream(file) }], sink, options)) entry = e
  return entry.cid.toString()
}

const datastore = new FileStore({ directory: dir })

const tus = new Server({
  path: '/v3/files',
  datastore,
  // Pinata's addition: a complete upload becomes a file with a CID.
  async onUploadFinish (req, upload) {
    const meta = upload.metadata ?? {}
    const version = meta.cid_version === 'v0' ? 0 : 1
    const cid = await cidOf(path.join(dir, upload.id), version)
    let keyvalues = {}
    try { keyvalues = meta.keyvalues ? JSON.parse(meta.keyvalues) : {} } catch {}
    files.push({
      id: upload.id,
      name: meta.name ?? meta.filename ?? null,
      cid,
      size: upload.size,
      number_of_files: 1,
      mime_type: meta.filetype ?? null,
      group_id: meta.group_id ?? null,
      keyvalues,
      network: meta.network ?? 'public',
      created_at: new Date().toISOString()
    })
    completing.add(req)
    return armed.uploadCid ? { headers: { 'Upload-Cid': cid } } : {}
  }
})

function json (res, status, value) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function authorised (req) {
  return req.headers.pinata_api_key === key && req.headers.pinata_secret_api_key === secret
}

function record (f) {
  const { network, ...rest } = f
  return rest
}

async function readJson (req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
}

/** The node request as a web Request whose body is `body`. */
function webRequest (req, body) {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x))
    else if (v !== undefined) headers.set(k, v)
  }
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body, duplex: 'half' })
}

async function sendWeb (res, response) {
  const body = Buffer.from(await response.arrayBuffer())
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()))
  res.end(body)
}

/**
 * Cuts `req`'s connection after `limit` bytes of its body, as a network would: the bytes before
 * reach the server, nothing after (not even the body's end), then the socket is closed, which the
 * stock server sees as any broken request (it keeps what it wrote).
 */
function cutAfter (req, limit) {
  let seen = 0
  let cut = false
  const push = req.push.bind(req)
  req.push = (chunk, encoding) => {
    if (cut) return true
    if (chunk === null) return push(chunk, encoding)
    const left = limit - seen
    if (chunk.length < left) {
      seen += chunk.length
      return push(chunk, encoding)
    }
    cut = true
    const kept = push(chunk.subarray(0, left), encoding)
    // Let the server write what it was given, then go away.
    setTimeout(() => req.socket.destroy(), 200)
    return kept
  }
}

async function handle (req, res) {
  const url = new URL(req.url, 'http://localhost')
  if (url.pathname === '/__test/arm' && req.method === 'POST') {
    const body = await readJson(req)
    if (typeof body.cut_after === 'number') armed.cutAfter = body.cut_after
    if (body.lose_answer === true) armed.loseAnswer = true
    if (typeof body.upload_cid === 'boolean') armed.uploadCid = body.upload_cid
    return json(res, 200, { armed })
  }
  if (url.pathname === '/__test/stats' && req.method === 'GET') return json(res, 200, { misses })
  const held = url.pathname.match(/^\/__test\/uploads\/([^/]+)$/)
  if (held && req.method === 'GET') {
    try {
      const upload = await datastore.getUpload(decodeURIComponent(held[1]))
      return json(res, 200, { offset: upload.offset, length: upload.size })
    } catch {
      return json(res, 404, { error: 'no such upload' })
    }
  }
  const api = url.pathname.match(/^\/v3\/files\/(public|private)(?:\/([^/]+))?\/?$/)
  if (api && req.method === 'GET') {
    if (!authorised(req)) return json(res, 401, { error: { reason: 'INVALID_CREDENTIALS', details: 'the test key pair' } })
    const [, network, id] = api
    if (id !== undefined) {
      const f = files.find((f) => f.network === network && f.id === decodeURIComponent(id))
      if (f) return json(res, 200, { data: record(f) })
      misses += 1
      return json(res, 404, { error: { code: 404, message: 'Not Found' } })
    }
    const cid = url.searchParams.get('cid')
    const found = files.filter((f) => f.network === network && (cid === null || f.cid === cid)).reverse()
    return json(res, 200, { data: { files: found.map(record), next_page_token: '' } })
  }
  if (req.method === 'POST' && url.pathname.replace(/\/$/, '') === '/v3/files' && !authorised(req)) {
    return json(res, 401, { error: { reason: 'INVALID_CREDENTIALS', details: 'the test key pair' } })
  }
  if (req.method === 'PATCH' && armed.cutAfter !== null) {
    cutAfter(req, armed.cutAfter)
    armed.cutAfter = null
  }
  if (req.method === 'PATCH' && armed.loseAnswer) {
    const request = webRequest(req, Readable.toWeb(req))
    const response = await tus.handleWeb(request)
    if (completing.has(request)) {
      armed.loseAnswer = false
      req.socket.destroy()
      return
    }
    return sendWeb(res, response)
  }
  return tus.handle(req, res)
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(e)
    if (!res.headersSent) json(res, 500, { error: String(e) })
    else res.destroy()
  })
})
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }))
})
setTimeout(() => {
  console.error(`stopping after ${maxSeconds} s`)
  process.exit(3)
}, maxSeconds * 1000).unref()
