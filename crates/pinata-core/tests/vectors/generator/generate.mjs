// Generates ../unixfs.json: CIDs computed by the JS UnixFS importer (ipfs-unixfs-importer) for inputs
// that the Rust tests regenerate byte for byte. Run with `npm install && npm run generate`.
//
// Content is either {"text": "..."} (UTF-8) or {"seed": s, "len": n}: n bytes of xorshift32 output
// (x ^= x << 13; x ^= x >>> 17; x ^= x << 5, on 32 bits), each state written little-endian.
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const CHUNK = 262144
const LINKS = 174

function* bytes (content) {
  if (content.text !== undefined) {
    yield new TextEncoder().encode(content.text)
    return
  }
  let x = content.seed >>> 0
  let left = content.len
  while (left > 0) {
    const n = Math.min(left, 1 << 16)
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      x ^= x << 13; x >>>= 0
      x ^= x >>> 17
      x ^= x << 5; x >>>= 0
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (x >>> (8 * k)) & 0xff
    }
    left -= n
    yield out
  }
}

// Blocks are not kept: only the CIDs matter.
const sink = {
  put: async (cid) => cid,
  has: async () => false,
  get: async () => { throw new Error('not stored') }
}

function options (version, chunk, links, extra = {}) {
  return {
    cidVersion: version,
    rawLeaves: version === 1, // `ipfs add` defaults: raw leaves only with --cid-version=1
    chunker: fixedSize({ chunkSize: chunk }),
    layout: balanced({ maxChildrenPerNode: links }),
    shardSplitStrategy: 'links-bytes',
    shardSplitThresholdBytes: 262144,
    ...extra
  }
}

async function last (iterable) {
  let entry
  for await (const e of iterable) entry = e
  return entry
}

async function fileCids (content, chunk = CHUNK, links = LINKS) {
  const out = {}
  for (const v of [0, 1]) {
    const entry = await last(importer([{ content: bytes(content) }], sink, options(v, chunk, links)))
    out[`v${v}`] = entry.cid.toString()
    out[`v${v}_size`] = Number(entry.size)
  }
  return out
}

async function dirCids (dir) {
  const out = {}
  for (const v of [0, 1]) {
    const input = [
      ...dir.files.map(f => ({ path: f.path, content: bytes(f.content) })),
      ...(dir.empty_dirs ?? []).map(path => ({ path }))
    ]
    const entry = await last(importer(input, sink, options(v, CHUNK, LINKS, { wrapWithDirectory: dir.wrap ?? false })))
    out[`v${v}`] = entry.cid.toString()
  }
  return out
}

const files = [
  ['empty', { text: '' }],
  ['one byte', { text: 'a' }],
  ['hello world', { text: 'hello world\n' }],
  ['random 100', { seed: 1, len: 100 }],
  ['chunk - 1', { seed: 2, len: CHUNK - 1 }],
  ['chunk', { seed: 3, len: CHUNK }],
  ['chunk + 1', { seed: 4, len: CHUNK + 1 }],
  ['two chunks', { seed: 5, len: 2 * CHUNK }],
  ['random 3 MB', { seed: 6, len: 3_000_000 }],
  ['174 chunks - 1', { seed: 7, len: LINKS * CHUNK - 1 }],
  ['174 chunks', { seed: 8, len: LINKS * CHUNK }],
  ['174 chunks + 1 (two levels)', { seed: 9, len: LINKS * CHUNK + 1 }],
  ['175 chunks + 12345 (two levels)', { seed: 10, len: (LINKS + 1) * CHUNK + 12345 }]
].map(([name, content]) => ({ name, content, chunk_size: CHUNK, max_links: LINKS }))

// Deeper trees, cheaply: small chunks and few links per node exercise the same layout code.
const small = [
  ['1 KiB chunks, 4 links: 16 chunks (two full levels)', { seed: 11, len: 16 * 1024 }],
  ['1 KiB chunks, 4 links: 16 chunks + 1 (three levels)', { seed: 12, len: 16 * 1024 + 1 }],
  ['1 KiB chunks, 4 links: 64 chunks + 1 (four levels)', { seed: 13, len: 64 * 1024 + 1 }],
  ['1 KiB chunks, 4 links: 100000 bytes', { seed: 14, len: 100000 }],
  ['1 KiB chunks, 2 links: 9 chunks', { seed: 15, len: 9 * 1024, links: 2 }],
  ['1 KiB chunks, 3 links: 1 chunk + 1', { seed: 16, len: 1025, links: 3 }]
].map(([name, content]) => ({ name, content: { seed: content.seed, len: content.len }, chunk_size: 1024, max_links: content.links ?? 4 }))

const directories = [
  {
    name: 'flat',
    files: [
      { path: 'site/index.html', content: { text: '<h1>hi</h1>\n' } },
      { path: 'site/b.txt', content: { seed: 20, len: 5000 } },
      { path: 'site/a.txt', content: { seed: 21, len: 300000 } }
    ]
  },
  {
    name: 'nested',
    files: [
      { path: 'root/README.md', content: { text: '# readme\n' } },
      { path: 'root/css/a.css', content: { text: 'body{}' } },
      { path: 'root/css/deeper/b.css', content: { seed: 22, len: 10 } },
      { path: 'root/img/big.bin', content: { seed: 23, len: 600000 } },
      { path: 'root/img/empty.bin', content: { text: '' } }
    ]
  },
  {
    name: 'empty directories',
    files: [{ path: 'root/keep.txt', content: { text: 'x' } }],
    empty_dirs: ['root/empty', 'root/nested/also-empty']
  },
  { name: 'only an empty directory', files: [], empty_dirs: ['root'] },
  {
    name: 'unicode and byte-order names',
    files: [
      { path: 'ü/héllo wörld.txt', content: { text: 'é' } },
      { path: 'ü/日本語.md', content: { text: 'にほんご' } },
      { path: 'ü/emoji 🎉', content: { seed: 24, len: 3 } },
      { path: 'ü/B', content: { text: 'upper' } },
      { path: 'ü/a', content: { text: 'lower' } },
      { path: 'ü/a-b', content: { text: 'dash' } },
      { path: 'ü/a.b', content: { text: 'dot' } },
      { path: 'ü/aa', content: { text: 'double' } }
    ]
  },
  { name: 'wrapped file', wrap: true, files: [{ path: 'hello.txt', content: { text: 'hello world\n' } }] },
  {
    name: 'wrapped folder',
    wrap: true,
    files: [
      { path: 'dir/one.txt', content: { text: '1' } },
      { path: 'dir/two.txt', content: { text: '2' } }
    ]
  }
]

const out = { generator: 'ipfs-unixfs-importer@17.1.1', files: [], directories: [] }
for (const f of [...files, ...small]) {
  out.files.push({ ...f, ...(await fileCids(f.content, f.chunk_size, f.max_links)) })
}
for (const d of directories) {
  out.directories.push({ ...d, ...(await dirCids(d)) })
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n')
