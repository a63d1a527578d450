// Preloaded into the compliance suite by `cargo xtask it` (`node --import ./offline-spec.mjs`).
//
// The suite reads the Pinning Service API spec when it starts, from a fixed URL (`specLocation`
// in its dist/src/utils/constants.js, fetched by json-schema-ref-parser through `https.get`); it
// has no option to read it from elsewhere. CI reaches the npm registry only, so that one URL is
// answered from the copy committed beside this file, by a loopback HTTP server started here
// before the suite runs (top-level await). Every other request through `https.get` or
// `https.request` is refused with an error naming it: the suite talks to nothing else (the
// emulator is plain http, on loopback), and a run must not depend on the network.
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'

const SPEC_HOST = 'raw.githubusercontent.com'
const SPEC_PATH = '/ipfs/pinning-services-api-spec/v1.0.0/ipfs-pinning-service.yaml'
const spec = readFileSync(new URL('./ipfs-pinning-service-v1.0.0.yaml', import.meta.url))

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === SPEC_PATH) {
    res.writeHead(200, { 'content-type': 'application/yaml', 'content-length': spec.length })
    res.end(spec)
  } else {
    res.writeHead(404)
    res.end()
  }
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
// The server must not keep the suite's process alive once the suite is done.
server.unref()
const { port } = server.address()

/** The URL an `https.get`/`https.request` call names: `(url | options, [options], [callback])`. */
function target (first, second) {
  if (typeof first === 'string' || first instanceof URL) {
    return new URL(first)
  }
  const options = first ?? second ?? {}
  return new URL(`https://${options.hostname ?? options.host ?? 'localhost'}${options.path ?? '/'}`)
}

/** Sends the spec's request to the local server with `send` (`http.get` or `http.request`). */
function redirect (send, args) {
  const url = target(args[0], args[1])
  if (url.hostname !== SPEC_HOST || url.pathname !== SPEC_PATH) {
    throw new Error(`the compliance run is offline: refused https://${url.host}${url.pathname}`)
  }
  const given = args.find((arg) => typeof arg === 'object' && arg !== null && !(arg instanceof URL))
  const callback = args.find((arg) => typeof arg === 'function')
  const options = { host: '127.0.0.1', port, path: SPEC_PATH, method: 'GET', headers: given?.headers ?? {} }
  return callback === undefined ? send(options) : send(options, callback)
}

https.get = (...args) => redirect(http.get, args)
https.request = (...args) => redirect(http.request, args)
