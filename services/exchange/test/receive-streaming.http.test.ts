import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../src/domain/edxml/model';

// Receiving a large message end to end, in a child process whose JavaScript heap is capped below the message's
// size: the VXP getEdoc answer (the edXML base64 inside JSON, ~85 MB for a 48 MiB attachment) is read as a stream
// into the message store, the message is parsed from its file, and the carried PDF is uploaded to documents as
// a multipart stream from its attachment file — the same functions receiveFromHub and the create-document job
// use. A control child that reads the answer whole, as the adapters did before, dies of heap exhaustion under
// the same cap, so the check fails for a receiver that holds the message. The cap is V8's own limit, not a timing
// or an RSS reading, so the machine's load does not move it (bench/exchange measures peak RSS).

jest.setTimeout(300_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receive-streaming-'));
const attachmentBytes = 48 * 1024 * 1024;
let hub: http.Server;
let documents: FastifyInstance;
let hubUrl = '';
let documentsUrl = '';
let pdfSha256 = '';
const uploads: { sha256: string; size: number; fileName: string; metadata: unknown }[] = [];
const edxmlFile = path.join(dir, 'message.edxml');

function header(): EdxmlDocument['header'] {
  return {
    from: { organId: '000.00.31.H56', organName: 'UBND tỉnh Thanh Hóa' },
    to: [{ organId: '000.00.32.H56' }],
    documentId: '000.00.31.H56,2026/12/06,9/UBND-VP',
    code: { codeNumber: '9', codeNotation: 'UBND-VP' },
    promulgationInfo: { promulgationDate: '2026-12-06' },
    documentType: { type: '1', typeName: 'Công văn' },
    subject: 'V/v nhận văn bản lớn theo dòng',
    toPlaces: [],
    responseFor: [],
  };
}

/** The edXML with a 48 MiB PDF, written in pieces (its base64 never one string here either). */
function writeMessage(): void {
  const head = Buffer.from('%PDF-1.7\n');
  const [before, after] = buildEdxml({
    header: header(),
    traceHeaders: [{ organId: '000.00.31.H56', timestamp: '2026-12-06T09:00:00+07:00' }],
    attachments: [{ contentId: '1', name: 'cong-van.pdf', contentType: 'application/pdf', content: head }],
  })
    .toString('utf8')
    .split(head.toString('base64')) as [string, string];
  const hash = createHash('sha256');
  const fd = fs.openSync(edxmlFile, 'w');
  fs.writeSync(fd, before);
  // The PDF: its head, then random bytes, in 3-byte-aligned pieces so the base64 joins up.
  const first = Buffer.concat([head, randomBytes(3 * 1024 * 1024 - head.length)]);
  hash.update(first);
  fs.writeSync(fd, first.toString('base64'));
  for (let written = first.length; written < attachmentBytes; written += 3 * 1024 * 1024) {
    const piece = randomBytes(Math.min(3 * 1024 * 1024, attachmentBytes - written));
    hash.update(piece);
    fs.writeSync(fd, piece.toString('base64'));
  }
  fs.writeSync(fd, after);
  fs.closeSync(fd);
  pdfSha256 = hash.digest('hex');
}

/** A VXP peer answering getEdoc with `{status, ErrorCode, data: base64 of the message}`, streamed from the file. */
function startHub(): Promise<void> {
  hub = http.createServer((request, response) => {
    request.resume();
    if (!request.url?.endsWith('/getEdoc')) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"');
    const source = fs.createReadStream(edxmlFile, { highWaterMark: 3 * 256 * 1024 });
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
  return new Promise((resolve) => hub.listen(0, '127.0.0.1', resolve));
}

/** documents' POST /v1/documents as far as the upload goes: the file part streamed into a hash. */
async function startDocuments(): Promise<void> {
  documents = Fastify();
  await documents.register(multipart, { limits: { fileSize: 200 * 1024 * 1024 } });
  documents.post('/v1/documents', async (request) => {
    let metadata: unknown;
    for await (const part of request.parts()) {
      if (part.type === 'field' && part.fieldname === 'metadata') metadata = JSON.parse(String(part.value));
      if (part.type === 'file') {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of part.file) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        uploads.push({ sha256: hash.digest('hex'), size, fileName: part.filename, metadata });
      }
    }
    const upload = uploads[uploads.length - 1]!;
    return { id: 'd-1', currentVersion: 1, versions: [{ version: 1, sha256: upload.sha256, sizeBytes: upload.size }] };
  });
  documentsUrl = await documents.listen({ host: '127.0.0.1', port: 0 });
}

beforeAll(async () => {
  writeMessage();
  await startHub();
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  await startDocuments();
});

afterAll(async () => {
  await new Promise((resolve) => hub.close(resolve));
  await documents.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type ChildResult = { status: number | null; stderr: string; out?: Record<string, unknown> };

function runChild(body: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=72', '--import', 'tsx', '-e', body], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('close', (status) =>
      resolve({ status, stderr, ...(status === 0 ? { out: JSON.parse(stdout) as Record<string, unknown> } : {}) }),
    );
  });
}

const source = (file: string) => JSON.stringify(path.resolve(__dirname, '../src', file));

it('receives an 85 MB getEdoc answer (48 MiB PDF) into a file, parses it and uploads the PDF, under a 72 MB heap', async () => {
  const messageSha256 = createHash('sha256').update(fs.readFileSync(edxmlFile)).digest('hex');
  const store = path.join(dir, 'messages');
  const streamed = await runChild(`
    const { VxpAdapter } = require(${source('hub/vxp-adapter')});
    const { BlobStore } = require('@vanthu/platform');
    const { fetchMessage, withParsedMessage } = require(${source('domain/exchanges/stored-message')});
    const { carriedPdfFile } = require(${source('domain/exchanges/carried-pdf')});
    const { DocumentsClient } = require(${source('clients/documents-client')});
    (async () => {
      const ctx = { messages: new BlobStore(${JSON.stringify(store)}), maxMessageBytes: 64 * 1024 * 1024 };
      const hub = new VxpAdapter(${JSON.stringify(hubUrl)}, { timeoutMs: 120000 });
      const account = { agencyCode: '000.00.32.H56', systemId: 'b', secret: 's' };
      const stored = await fetchMessage(hub, account, 'big-1', ctx);
      const result = await withParsedMessage(stored.file, ctx, async (parsed) => {
        const carried = carriedPdfFile(parsed.document);
        const created = await new DocumentsClient(${JSON.stringify(documentsUrl)}, 120000).createIncomingDocument(
          { identity: 'service', requestId: 'big-1' },
          { metadata: { subject: parsed.document.header.subject }, pdf: carried.pdf, fileName: carried.fileName, idempotencyKey: 'big-1' },
        );
        return { valid: parsed.problems.filter((p) => p.severity === 'error').map((p) => p.rule), size: parsed.attachments[0].size, inFile: !Buffer.isBuffer(carried.pdf), uploaded: created.versions[0].sha256 };
      });
      process.stdout.write(JSON.stringify({ sha256: stored.sha256, bytes: stored.sizeBytes, ...result }));
    })().catch((error) => { console.error(error); process.exit(1); });`);
  expect(streamed.stderr).not.toMatch(/heap/i);
  expect(streamed).toMatchObject({
    status: 0,
    out: {
      sha256: messageSha256,
      bytes: fs.statSync(edxmlFile).size,
      valid: [],
      size: attachmentBytes,
      inFile: true,
      uploaded: pdfSha256,
    },
  });
  expect(uploads.at(-1)).toMatchObject({
    sha256: pdfSha256,
    size: attachmentBytes,
    fileName: 'cong-van.pdf',
    metadata: { subject: header().subject },
  });
  // The message is in the store under its SHA-256; the scratch files of the parse are gone.
  expect(
    fs.existsSync(path.join(store, 'sha256', messageSha256.slice(0, 2), messageSha256.slice(2, 4), messageSha256)),
  ).toBe(true);
  expect(fs.readdirSync(path.join(store, 'tmp'))).toEqual([]);

  // The same cap kills a child that reads the answer whole, as the adapters did before.
  const whole = await runChild(`
    (async () => {
      const answer = await (await fetch(${JSON.stringify(`${hubUrl}/getEdoc`)}, { method: 'POST' })).json();
      process.stdout.write(JSON.stringify({ size: Buffer.from(answer.data, 'base64').length }));
    })();`);
  expect(whole.status).not.toBe(0);
  expect(whole.stderr).toMatch(/heap/i);
});
