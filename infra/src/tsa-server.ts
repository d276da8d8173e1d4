// Standalone test TSA and PKI publication point, started by tsa.ts as a detached process:
//   node --import tsx infra/src/tsa-server.ts --port 18080 --config <tsa.cnf> --key <tsa key> --cert <tsa cert>
//        --chain <chain.pem> --publish-dir <pki/publish> --work-dir <dir with serial and tmp/>
// Every option can also come from the environment (TSA_PORT, TSA_CONFIG, TSA_KEY, TSA_CERT, TSA_CHAIN,
// PKI_PUBLISH_DIR, TSA_WORK_DIR); TSA_DELAY_MS adds an artificial delay to each time-stamp (slow-TSA tests).
//
//   POST /tsa          application/timestamp-query → application/timestamp-reply (RFC 3161, via `openssl ts -reply`)
//   GET  /crl/<n>.crl  CRLs (DER) named in the certificates' CRL distribution points
//   GET  /crt/<n>.crt  CA certificates (DER) named in the AIA caIssuers entries
//   GET  /health       200 {"status":"ok",...}
//
// node:http and no framework: it is a few routes, and this process must start in well under a second.
// It writes one line per request to stdout, which startDetached appends to <dataDir>/logs/<name>.log.

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: argv } = parseArgs({
  options: {
    port: { type: 'string' },
    config: { type: 'string' },
    key: { type: 'string' },
    cert: { type: 'string' },
    chain: { type: 'string' },
    'publish-dir': { type: 'string' },
    'work-dir': { type: 'string' },
  },
  strict: true,
});

function setting(value: string | undefined, envName: string): string {
  const v = value ?? process.env[envName];
  if (v === undefined || v === '') {
    process.stderr.write(`tsa-server: missing --${envName.toLowerCase()} (or env ${envName})\n`);
    process.exit(2);
  }
  return v;
}

const port = Number(setting(argv.port, 'TSA_PORT'));
const configPath = setting(argv.config, 'TSA_CONFIG');
const keyPath = setting(argv.key, 'TSA_KEY');
const certPath = setting(argv.cert, 'TSA_CERT');
const chainPath = setting(argv.chain, 'TSA_CHAIN');
const publishDir = setting(argv['publish-dir'], 'PKI_PUBLISH_DIR');
const workDir = setting(argv['work-dir'], 'TSA_WORK_DIR');
const delayMs = Number(process.env.TSA_DELAY_MS ?? '0');
const serialPath = path.join(workDir, 'serial');
const tmpDir = path.join(workDir, 'tmp');
const maxQueryBytes = 64 * 1024;

for (const f of [configPath, keyPath, certPath, chainPath]) {
  if (!fs.existsSync(f)) {
    process.stderr.write(`tsa-server: ${f} does not exist\n`);
    process.exit(2);
  }
}
fs.mkdirSync(tmpDir, { recursive: true });
// Leftovers of a previous process that was killed mid-request.
for (const f of fs.readdirSync(tmpDir)) fs.rmSync(path.join(tmpDir, f), { force: true });

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

/**
 * RFC 3161 serial numbers must be unique. `openssl ts` keeps the serial in a file it reads and rewrites
 * without locking, so concurrent requests could reuse one. Instead this process owns the counter (sync file
 * I/O on the single JS thread is atomic with respect to other requests) and hands each `openssl ts` a private
 * serial file holding the value before the one it will use (`openssl ts` increments before use).
 */
function nextSerialFile(tag: string): string {
  let current = 0n;
  try {
    current = BigInt(`0x${fs.readFileSync(serialPath, 'utf8').trim() || '0'}`);
  } catch {
    // no serial file yet: start at 1
  }
  const next = current + 1n;
  fs.writeFileSync(serialPath, `${next.toString(16).toUpperCase()}\n`);
  const file = path.join(tmpDir, `${tag}.serial`);
  const before = current.toString(16).toUpperCase();
  fs.writeFileSync(file, `${before.length % 2 === 0 ? before : `0${before}`}\n`);
  return file;
}

/** One DER TLV: tag byte, value start and end offsets (definite lengths only, as DER requires). */
function tlv(buf: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  const tag = buf[at];
  const first = buf[at + 1];
  if (tag === undefined || first === undefined) return undefined;
  let len = first;
  let start = at + 2;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = buf[at + 2 + i];
      if (b === undefined) return undefined;
      len = len * 256 + b;
    }
    start += n;
  }
  const end = start + len;
  return end <= buf.length ? { tag, start, end } : undefined;
}

/**
 * Skeleton check of TimeStampReq ::= SEQUENCE { version INTEGER (1), messageImprint SEQUENCE {
 * AlgorithmIdentifier, OCTET STRING }, ... }. `openssl ts -reply` answers garbage with a well-formed
 * "rejection" reply; the HTTP contract of this server is a 400 for input that is not a query at all.
 * (asn1js is not a dependency of infra, and this needs five TLV reads.)
 */
function looksLikeTimeStampReq(body: Buffer): boolean {
  const outer = tlv(body, 0);
  if (outer?.tag !== 0x30 || outer.end !== body.length) return false;
  const version = tlv(body, outer.start);
  if (version?.tag !== 0x02 || version.end - version.start !== 1 || body[version.start] !== 1) return false;
  const imprint = tlv(body, version.end);
  if (imprint?.tag !== 0x30) return false;
  const alg = tlv(body, imprint.start);
  if (alg?.tag !== 0x30) return false;
  const hash = tlv(body, alg.end);
  return hash?.tag === 0x04 && hash.end === imprint.end;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxQueryBytes) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function opensslTsReply(queryFile: string, replyFile: string, serialFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [
        'ts',
        '-reply',
        '-config',
        configPath,
        '-queryfile',
        queryFile,
        '-inkey',
        keyPath,
        '-signer',
        certPath,
        '-chain',
        chainPath,
        '-out',
        replyFile,
      ],
      { env: { ...process.env, TSA_SERIAL_FILE: serialFile }, timeout: 30_000 },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`openssl ts -reply failed: ${error.message}\n${stderr}`)) : resolve(),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function send(res: http.ServerResponse, status: number, contentType: string, body: Buffer | string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

async function timestamp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/timestamp-query') {
    send(res, 400, 'text/plain; charset=utf-8', 'Content-Type must be application/timestamp-query\n');
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    send(res, 400, 'text/plain; charset=utf-8', `time-stamp query larger than ${maxQueryBytes} bytes\n`);
    return;
  }
  if (!looksLikeTimeStampReq(body)) {
    send(res, 400, 'text/plain; charset=utf-8', 'body is not a DER-encoded RFC 3161 TimeStampReq\n');
    return;
  }
  if (delayMs > 0) await sleep(delayMs);
  // Unique names per request: concurrent requests each get their own query, reply and serial file.
  const tag = `${process.pid}-${crypto.randomUUID()}`;
  const queryFile = path.join(tmpDir, `${tag}.tsq`);
  const replyFile = path.join(tmpDir, `${tag}.tsr`);
  const serialFile = nextSerialFile(tag);
  try {
    fs.writeFileSync(queryFile, body);
    await opensslTsReply(queryFile, replyFile, serialFile);
    send(res, 200, 'application/timestamp-reply', fs.readFileSync(replyFile));
  } finally {
    for (const f of [queryFile, replyFile, serialFile]) fs.rmSync(f, { force: true });
  }
}

function publication(res: http.ServerResponse, kind: 'crl' | 'crt', name: string): void {
  // Names are a closed set of [a-z0-9-]; anything else (including ../) is simply not found.
  if (!/^[a-z0-9-]+$/.test(name)) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  const file = path.join(publishDir, kind, `${name}.${kind}`);
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  send(res, 200, kind === 'crl' ? 'application/pkix-crl' : 'application/pkix-cert', body);
}

const server = http.createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => log(`${req.method ?? '?'} ${req.url ?? '?'} ${res.statusCode} ${Date.now() - started}ms`));
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = /^\/(crl|crt)\/([^/]+)\.(crl|crt)$/.exec(url.pathname);
  const handle = async (): Promise<void> => {
    if (req.method === 'POST' && (url.pathname === '/tsa' || url.pathname === '/')) return timestamp(req, res);
    if (req.method === 'GET' && url.pathname === '/health') {
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ status: 'ok', service: 'vanthu-test-tsa', publishDir, tsaCert: certPath, delayMs }),
      );
    }
    if (req.method === 'GET' && route !== null && route[1] === route[3])
      return publication(res, route[1] as 'crl' | 'crt', route[2] ?? '');
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };
  handle().catch((error: unknown) => {
    log(`error: ${(error as Error).message}`);
    if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'time-stamping failed; see the TSA log\n');
    else res.destroy();
  });
});

server.listen(port, '127.0.0.1', () => log(`test TSA listening on http://127.0.0.1:${port} (delay ${delayMs} ms)`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
