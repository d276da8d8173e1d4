// Receiving a large message from a hub, as receiveFromHub does it since messages stream end to end: a VXP peer in
// this process answers getEdoc with `{status, ErrorCode, data: <base64 of the edXML>}`, streamed from a file; a
// child process fetches it into the message store (fetchMessage: the JSON read as tokens, the base64 decoded into a
// spool file), then parses it from its file (withParsedMessage: attachments into files, signature checked). The
// child reports its peak RSS (process.resourceUsage().maxRSS) and the seconds of each step. In the same run, the
// baseline is how receipt worked before: the answer read whole (`response.json()`), decoded, and parsed in memory.
// Bounded: one message per target, --attachment-mb (default 100), a child killed after 600 s.
// Usage: npx tsx bench/exchange/receive.ts [--attachment-mb 100]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildEdxml } from '../../services/exchange/src/domain/edxml/build-edxml';

const args = process.argv.slice(2);
const at = args.indexOf('--attachment-mb');
const mb = at >= 0 ? Number(args[at + 1]) || 100 : 100;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-receive-'));
const edxmlFile = path.join(dir, 'message.edxml');

function writeMessage(): void {
  const head = Buffer.from('%PDF-1.7\n');
  const [before, after] = buildEdxml({
    header: {
      from: { organId: '000.00.81.H56' },
      to: [{ organId: '000.00.82.H56' }],
      documentId: '000.00.81.H56,2026/12/06,1/SKHĐT-VP',
      code: { codeNumber: '1', codeNotation: 'SKHĐT-VP' },
      promulgationInfo: { promulgationDate: '2026-12-06' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: 'V/v đo nhận văn bản lớn',
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: '000.00.81.H56', timestamp: '2026-12-06T10:00:00+07:00' }],
    attachments: [{ contentId: '1', name: 'lon.pdf', contentType: 'application/pdf', content: head }],
  })
    .toString('utf8')
    .split(head.toString('base64')) as [string, string];
  const fd = fs.openSync(edxmlFile, 'w');
  fs.writeSync(fd, before);
  const piece = randomBytes(3 * 1024 * 1024);
  fs.writeSync(fd, Buffer.concat([head, piece.subarray(head.length)]).toString('base64'));
  for (let left = mb * 1024 * 1024 - piece.length; left > 0; left -= piece.length) {
    fs.writeSync(fd, piece.subarray(0, Math.min(left, piece.length)).toString('base64'));
  }
  fs.writeSync(fd, after);
  fs.closeSync(fd);
}

function serve(): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"');
    const source = fs.createReadStream(edxmlFile, { highWaterMark: 768 * 1024 });
    let carry = Buffer.alloc(0);
    source.on('data', (chunk) => {
      const bytes = Buffer.concat([carry, chunk as Buffer]);
      const usable = bytes.length - (bytes.length % 3);
      carry = bytes.subarray(usable);
      if (!response.write(bytes.subarray(0, usable).toString('base64'))) {
        source.pause();
        response.once('drain', () => source.resume());
      }
    });
    source.on('end', () => response.end(`${carry.toString('base64')}"}`));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const src = (file: string) => JSON.stringify(path.resolve(__dirname, '../../services/exchange/src', file));

type Measured = { ok: boolean; fetchS?: number; parseS?: number; peakRssMb: number; error?: string };

/** Runs a child (asynchronously: the hub peer answers from this process's event loop meanwhile). */
function child(body: string): Promise<Measured> {
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', '-e', body], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => run.kill(), 600_000);
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (chunk) => (stdout += String(chunk)));
    run.stderr.on('data', (chunk) => (stderr += String(chunk)));
    run.on('close', (status) => {
      clearTimeout(timer);
      try {
        const out = JSON.parse(stdout) as Measured & { maxRssKb: number };
        resolve({ ...out, peakRssMb: Math.round(out.maxRssKb / 1024) });
      } catch {
        resolve({ ok: false, peakRssMb: 0, error: (stderr || String(status)).slice(-300) });
      }
    });
  });
}

async function main(): Promise<void> {
  writeMessage();
  const server = await serve();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const limit = (mb + 16) * 1024 * 1024;
  try {
    const streamed = await child(`
      const { VxpAdapter } = require(${src('hub/vxp-adapter')});
      const { BlobStore } = require('@vanthu/platform');
      const { fetchMessage, withParsedMessage } = require(${src('domain/exchanges/stored-message')});
      (async () => {
        const ctx = { messages: new BlobStore(${JSON.stringify(path.join(dir, 'store'))}), maxMessageBytes: ${limit} };
        const t0 = Date.now();
        const stored = await fetchMessage(new VxpAdapter(${JSON.stringify(url)}, { timeoutMs: 600000 }), { agencyCode: 'b', systemId: 'b', secret: 's' }, 'x', ctx);
        const t1 = Date.now();
        const ok = await withParsedMessage(stored.file, ctx, async (p) => p.attachments[0].size === ${mb} * 1024 * 1024);
        process.stdout.write(JSON.stringify({ ok, fetchS: (t1 - t0) / 1000, parseS: (Date.now() - t1) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
      })().catch((e) => { console.error(e); process.exit(1); });`);
    const whole = await child(`
      const { parseEdxml } = require(${src('domain/edxml/parse-edxml')});
      (async () => {
        const t0 = Date.now();
        const answer = await (await fetch(${JSON.stringify(`${url}/getEdoc`)}, { method: 'POST' })).json();
        const message = Buffer.from(answer.data, 'base64');
        const t1 = Date.now();
        const p = parseEdxml(message, { maxAttachmentBytes: ${limit} });
        process.stdout.write(JSON.stringify({ ok: p.attachments[0].size === ${mb} * 1024 * 1024, fetchS: (t1 - t0) / 1000, parseS: (Date.now() - t1) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
      })().catch((e) => { console.error(e); process.exit(1); });`);
    const messageMb = fs.statSync(edxmlFile).size / 1024 / 1024;
    const result = {
      at: new Date().toISOString(),
      load: os.loadavg().map((l) => Math.round(l * 10) / 10),
      attachmentMb: mb,
      messageMb: Math.round(messageMb),
      answerMb: Math.round((messageMb * 4) / 3),
      streamed: {
        ...streamed,
        ...(streamed.fetchS ? { fetchMbPerS: Math.round((messageMb / streamed.fetchS) * 10) / 10 } : {}),
      },
      whole: { ...whole, ...(whole.fetchS ? { fetchMbPerS: Math.round((messageMb / whole.fetchS) * 10) / 10 } : {}) },
    };
    fs.writeFileSync(path.join(__dirname, 'receive-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
