// Drives the official Pinata TypeScript SDK (`pinata`, version pinned in package.json) against a
// local Pinata emulator, for comparison with the Rust clients doing the same work.
//
//   node bench.mjs --url http://127.0.0.1:PORT --jwt JWT upload FILE
//   node bench.mjs --url http://127.0.0.1:PORT --jwt JWT list N LIMIT
//   node bench.mjs --url http://127.0.0.1:PORT --jwt JWT small COUNT SIZE
//
// Prints `key value` lines on stdout: `wall-ms` (the task itself, from just before the first SDK
// call to just after the last), `peak-rss-kb` (process.resourceUsage().maxRSS), and `cid` for
// upload or `count` for list. Any failure: the error on stderr and exit code 1 (2 for bad usage).

import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { PinataSDK } from "pinata";

const USAGE = `usage: node bench.mjs --url URL --jwt JWT <task> args...
tasks:
  upload FILE         upload one file from disk to the public network
  list N LIMIT        list the public network's files, LIMIT per page, expecting exactly N
  small COUNT SIZE    COUNT sequential public uploads of distinct in-memory files of SIZE bytes`;

class UsageError extends Error {}

function parseArgs(argv) {
  let url;
  let jwt;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--url" || arg === "--jwt") {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === "--url") url = value;
      else jwt = value;
    } else if (arg === "-h" || arg === "--help") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      rest.push(arg);
    }
  }
  if (!url) throw new UsageError("--url is required");
  // The JWT may come from the environment, off the command line that `ps` shows.
  if (!jwt) jwt = process.env.PINATA_JWT;
  if (!jwt) throw new UsageError("--jwt or PINATA_JWT is required");
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${url}: not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(`--url ${url}: not http(s)`);
  }
  const [task, ...args] = rest;
  if (!task) throw new UsageError("no task given");
  return { url: url.replace(/\/+$/, ""), host: parsed.host, jwt, task, args };
}

function positiveInt(name, text) {
  if (text === undefined || !/^[0-9]+$/.test(text)) {
    throw new UsageError(`${name} must be a positive integer, got ${text ?? "nothing"}`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${name} must be a positive integer, got ${text}`);
  }
  return n;
}

function arity(task, args, n) {
  if (args.length !== n) {
    throw new UsageError(`${task} takes ${n} argument(s), got ${args.length}`);
  }
}

// One public upload's answer must carry a CID (the SDK returns `undefined` or a half-empty
// object when a resumable upload's last answer is not what it expects).
function cidOf(result, what) {
  if (!result || typeof result.cid !== "string" || result.cid === "" || result.cid === "pending") {
    throw new Error(`${what}: the SDK returned no CID: ${JSON.stringify(result)}`);
  }
  return result.cid;
}

async function upload(pinata, args) {
  arity("upload", args, 1);
  const path = args[0];
  // Lazily read: a Blob backed by the file on disk, not a Buffer.
  const blob = await openAsBlob(path);
  const file = new File([blob], basename(path));
  const start = performance.now();
  const result = await pinata.upload.public.file(file);
  const end = performance.now();
  return { wallMs: end - start, extra: [["cid", cidOf(result, `upload ${path}`)]] };
}

async function list(pinata, args) {
  arity("list", args, 2);
  const expected = positiveInt("N", args[0]);
  const limit = positiveInt("LIMIT", args[1]);
  let count = 0;
  const start = performance.now();
  // The SDK's async iterator: pages by next_page_token until the server sends an empty one.
  for await (const item of pinata.files.public.list().limit(limit)) {
    if (!item || typeof item.id !== "string") {
      throw new Error(`list: item ${count} has no id: ${JSON.stringify(item)}`);
    }
    count++;
    if (count > expected) {
      // Guard against paging that never ends (a token on the last page).
      throw new Error(`list: more than the ${expected} files expected (paging does not end?)`);
    }
  }
  const end = performance.now();
  if (count !== expected) {
    throw new Error(`list: counted ${count} files, expected ${expected}`);
  }
  return { wallMs: end - start, extra: [["count", String(count)]] };
}

// SIZE bytes, distinct per index (xorshift32 seeded by the index), so every upload is new content.
function smallContent(index, size) {
  const bytes = new Uint8Array(size);
  let x = (Math.imul(index + 1, 0x9e3779b9) | 0) || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

async function small(pinata, args) {
  arity("small", args, 2);
  const count = positiveInt("COUNT", args[0]);
  const size = positiveInt("SIZE", args[1]);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const file = new File([smallContent(i, size)], `small-${i}.bin`);
    const result = await pinata.upload.public.file(file);
    cidOf(result, `small upload ${i}`);
  }
  const end = performance.now();
  return { wallMs: end - start, extra: [] };
}

const TASKS = { upload, list, small };

function describe(error) {
  let text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // The SDK's errors carry the status code and the server's raw answer in `details`.
  if (error && typeof error === "object") {
    if (error.statusCode !== undefined) text += `\nstatus: ${error.statusCode}`;
    if (error.details !== undefined) {
      try {
        text += `\ndetails: ${JSON.stringify(error.details)}`;
      } catch {
        text += `\ndetails: ${String(error.details)}`;
      }
    }
    if (error.cause !== undefined) text += `\ncause: ${String(error.cause?.stack ?? error.cause)}`;
  }
  return text;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (!Object.hasOwn(TASKS, opts.task)) throw new UsageError(`unknown task ${opts.task}`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench.mjs: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }
  const pinata = new PinataSDK({
    pinataJwt: opts.jwt,
    // Not used by these tasks; the SDK would prefix https:// to it anyway.
    pinataGateway: opts.host,
    endpointUrl: `${opts.url}/v3`,
    uploadUrl: `${opts.url}/v3`,
  });
  try {
    const { wallMs, extra } = await TASKS[opts.task](pinata, opts.args);
    const lines = [
      `wall-ms ${wallMs.toFixed(1)}`,
      `peak-rss-kb ${process.resourceUsage().maxRSS}`,
      ...extra.map(([k, v]) => `${k} ${v}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exit(0);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench.mjs: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench.mjs: ${opts.task} failed: ${describe(error)}\n`);
    process.exit(1);
  }
}

main();
