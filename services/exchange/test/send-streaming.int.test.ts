import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { verifyEnvelopedSignatureFile } from '@vanthu/xmldsig';
import { edxmlNamespace } from '../src/domain/edxml/model';
import { parseEdxmlFile } from '../src/domain/edxml/parse-edxml';
import { loadInfrastructure } from '../../../test/support/infrastructure';

// Sending a large message end to end, in a child process whose JavaScript heap is capped below the message's
// size: the edXML is written from the issued PDF as it streams (base64 encoded chunk by chunk), sent to signing
// as a multipart part streamed from its file, read there by signing's own streaming reader (the claims it checks,
// the attachments' SHA-256 and the reference digest, computed as the file passes), the returned signature spliced
// in as the file is copied into the message store, the result verified from its file, and sent to a VXP hub as a
// multipart stream. The signing peer in the child runs signing's upload spooling and claim reading with a test
// person's software key in place of the HSM (the HSM path, and the checks against documents, are
// xmldsig-exchange.int.test.ts's). A control child that builds and signs the message whole, as exchange did
// before, dies of heap exhaustion under the same cap. The cap is V8's own limit, not a timing, so the machine's
// load does not move it.

jest.setTimeout(600_000);

const infra = loadInfrastructure();
const person = infra.pki.persons['nguyen-van-an']!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-streaming-'));
const pdfBytes = 64 * 1024 * 1024;
const pdfFile = path.join(dir, 'cong-van.pdf');
const store = path.join(dir, 'messages');
const heapMb = 80;
let pdfSha256 = '';
let hub: FastifyInstance;
let hubUrl = '';
const received: { sha256: string; size: number; hashHeader: string }[] = [];

/** The issued PDF: a PDF head, then random bytes, written in pieces. */
function writePdf(): void {
  const hash = createHash('sha256');
  const fd = fs.openSync(pdfFile, 'w');
  const head = Buffer.from('%PDF-1.7\n');
  hash.update(head);
  fs.writeSync(fd, head);
  for (let written = head.length; written < pdfBytes; written += 4 * 1024 * 1024) {
    const piece = randomBytes(Math.min(4 * 1024 * 1024, pdfBytes - written));
    hash.update(piece);
    fs.writeSync(fd, piece);
  }
  fs.closeSync(fd);
  pdfSha256 = hash.digest('hex');
}

/** A VXP peer's sendEdoc as far as the file goes: the file_doc part streamed into a hash. */
async function startHub(): Promise<void> {
  hub = Fastify();
  await hub.register(multipart, { limits: { fileSize: 200 * 1024 * 1024 } });
  hub.post('/sendEdoc', async (request) => {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of part.file) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      received.push({
        sha256: hash.digest('hex'),
        size,
        hashHeader: String(request.headers['xroadvnpt-hash-file'] ?? ''),
      });
    }
    return { status: 'OK', ErrorCode: '0', ErrorDesc: '', DocId: `doc-${received.length}` };
  });
  hubUrl = await hub.listen({ host: '127.0.0.1', port: 0 });
}

beforeAll(async () => {
  writePdf();
  await startHub();
});

afterAll(async () => {
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type ChildResult = { status: number | null; stderr: string; out?: Record<string, unknown> };

function runChild(body: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', '-e', body], {
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

const exchangeSource = (file: string) => JSON.stringify(path.resolve(__dirname, '../src', file));
const signingSource = (file: string) => JSON.stringify(path.resolve(__dirname, '../../signing/src', file));

const documentInfo = {
  id: '8f0c5e36-4c1b-4f43-9d55-3f1f0c4d2a10',
  agencyCode: '000.00.31.H56',
  status: 'issued',
  subject: 'V/v gửi văn bản lớn theo dòng',
  typeCode: 'CV',
  urgency: 'normal',
  description: null,
  metadata: {},
  currentVersion: 2,
  versions: [],
  registration: {
    notation: 'UBND-VP',
    numberText: '9',
    number: 9,
    documentIdentifier: '000.00.31.H56,2026/12/07,9/UBND-VP',
    registeredAt: '2026-12-07T09:00:00+07:00',
  },
};

/** The part of the child that both runs share: the document, the key, the signing peer's pieces. */
const prelude = `
  const fs = require('node:fs');
  const crypto = require('node:crypto');
  const { pemToDers, computeEnvelopedSignature, spliceSignature } = require('@vanthu/xmldsig');
  const document = ${JSON.stringify(documentInfo)};
  const key = crypto.createPrivateKey(fs.readFileSync(${JSON.stringify(person.keyPath)}, 'utf8'));
  const signer = {
    certificates: [
      ...pemToDers(fs.readFileSync(${JSON.stringify(person.certPath)}, 'utf8')),
      ...pemToDers(fs.readFileSync(${JSON.stringify(infra.pki.chainPem)}, 'utf8')),
    ],
    sign: async (data) => crypto.sign('sha256', data, key),
  };
`;

it('sends an 85 MB message (64 MiB PDF): written, signed and sent as streams under an 80 MB heap', async () => {
  const streamed = await runChild(`${prelude}
    const path = require('node:path');
    const os = require('node:os');
    const Fastify = require('fastify');
    const multipart = require('@fastify/multipart');
    const { readUpload } = require('@vanthu/platform');
    const { spoolEdxmlUpload } = require(${signingSource('routes/edxml-signature-routes')});
    const { readEdxmlToSign } = require(${signingSource('signatures/edxml-claims')});
    const { EdxmlSignatureMetadata } = require(${signingSource('schemas/signing')});
    const { BlobStore } = require('@vanthu/platform');
    const { SigningClient } = require(${exchangeSource('clients/signing-client')});
    const { VxpAdapter } = require(${exchangeSource('hub/vxp-adapter')});
    const { outgoingEdxml } = require(${exchangeSource('hub/hub-adapter')});
    const { nationalHubProfile } = require(${exchangeSource('domain/edxml/model')});
    const { writeEdxml } = require(${exchangeSource('domain/edxml/write-edxml')});
    const { outgoingStreamedMessage } = require(${exchangeSource('domain/exchanges/outgoing-message')});
    const { signOutgoing } = require(${exchangeSource('domain/exchanges/sign-outgoing')});
    (async () => {
      // Signing's side: the upload spooled to a file as the route does, read by signing's streaming reader.
      const signing = Fastify();
      await signing.register(multipart);
      let claims;
      signing.post('/v1/edxml-signatures', async (request) => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-'));
        try {
          const { file } = await readUpload(request, EdxmlSignatureMetadata, spoolEdxmlUpload(work), {
            maxFileBytes: 512 * 1024 * 1024,
          });
          const read = readEdxmlToSign(file.file, work);
          claims = read.claims;
          const signatureXml = await computeEnvelopedSignature(read.skeleton, signer, {
            afterLocalName: 'TraceHeaderList',
            referenceDigest: read.referenceDigest,
          });
          return { signatureXml, kind: read.claims.kind };
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      });
      const signingUrl = await signing.listen({ host: '127.0.0.1', port: 0 });
      // Exchange's side, as the send-edoc job runs it.
      const ctx = { messages: new BlobStore(${JSON.stringify(store)}), signing: new SigningClient(signingUrl, 300000) };
      const message = outgoingStreamedMessage(document, fs.createReadStream(${JSON.stringify(pdfFile)}), {
        recipients: [{ organId: '000.00.32.H56' }],
        createdAt: new Date('2026-12-07T02:00:00Z'),
      });
      const signed = await signOutgoing(
        (write) => writeEdxml(message, nationalHubProfile, write),
        { documentId: document.id, caller: { identity: 'service', requestId: 'big-send' } },
        ctx,
      );
      const hub = new VxpAdapter(${JSON.stringify(hubUrl)}, { timeoutMs: 300000 });
      const account = { agencyCode: document.agencyCode, systemId: 'a', secret: 's' };
      const sent = await hub.sendEdoc(account, { messageType: 'edoc', to: ['000.00.32.H56'], edxml: await outgoingEdxml(signed.stored) });
      await signing.close();
      process.stdout.write(JSON.stringify({
        stored: signed.stored,
        signature: signed.signature,
        claims,
        docId: sent.docId,
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
      }));
    })().catch((error) => { console.error(error); process.exit(1); });`);
  expect(streamed.stderr).not.toMatch(/heap/i);
  expect(streamed.status).toBe(0);
  const out = streamed.out as {
    stored: { sha256: string; sizeBytes: number; file: string };
    claims: { kind: string; documentId: string; attachmentSha256: string[]; fromOrganId: string };
    signature: { valid: boolean };
  };
  // Signing read the claims it checks from the streamed file: the document and the PDF's own SHA-256.
  expect(out.claims).toEqual({
    kind: 'document',
    fromOrganId: documentInfo.agencyCode,
    documentId: documentInfo.registration.documentIdentifier,
    attachmentSha256: [pdfSha256],
  });
  expect(out.signature).toMatchObject({ present: true, valid: true });
  expect(out.stored.sizeBytes).toBeGreaterThan(85 * 1000 * 1000);
  // The hub got exactly the stored bytes, with their SHA-256 in hash-file.
  expect(received.at(-1)).toEqual({
    sha256: out.stored.sha256,
    size: out.stored.sizeBytes,
    hashHeader: out.stored.sha256,
  });
  const file = out.stored.file;
  expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(out.stored.sha256);
  expect(fs.readdirSync(path.join(store, 'tmp'))).toEqual([]);

  // The existing verifier, from the file; the receiver's parser; and xmlsec1, independently.
  const work = fs.mkdtempSync(path.join(dir, 'verify-'));
  expect(verifyEnvelopedSignatureFile(file, work, { carrierNamespace: edxmlNamespace })).toMatchObject({
    present: true,
    valid: true,
  });
  const parsed = await parseEdxmlFile(file, { attachmentDir: work, maxAttachmentBytes: 128 * 1024 * 1024 });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(parsed.signature).toMatchObject({ present: true, valid: true });
  expect(parsed.kind === 'edoc' && parsed.attachments[0]).toMatchObject({ sha256: pdfSha256, size: pdfBytes });
  // xmlsec1 comes with the stack's Debian packages (infra/src/system-packages.ts).
  execFileSync(
    'xmlsec1',
    ['--verify', '--trusted-pem', infra.pki.rootCert, '--untrusted-pem', infra.pki.intermediateCert, file],
    { stdio: 'pipe' },
  );
  // A changed byte in the PDF's base64 is caught by both.
  const tampered = path.join(dir, 'tampered.edxml');
  fs.copyFileSync(file, tampered);
  const fd = fs.openSync(tampered, 'r+');
  const at = Math.floor(out.stored.sizeBytes / 2);
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, at);
  fs.writeSync(fd, Buffer.from(byte[0] === 0x41 ? 'B' : 'A'), 0, 1, at);
  fs.closeSync(fd);
  expect(verifyEnvelopedSignatureFile(tampered, work, { carrierNamespace: edxmlNamespace })).toMatchObject({
    valid: false,
  });
  expect(() =>
    execFileSync(
      'xmlsec1',
      ['--verify', '--trusted-pem', infra.pki.rootCert, '--untrusted-pem', infra.pki.intermediateCert, tampered],
      { stdio: 'pipe' },
    ),
  ).toThrow();

  // The same cap kills a child that builds and signs the message whole, as exchange did before.
  const whole = await runChild(`${prelude}
    const { buildEdxml } = require(${exchangeSource('domain/edxml/build-edxml')});
    const { nationalHubProfile } = require(${exchangeSource('domain/edxml/model')});
    const { outgoingMessage } = require(${exchangeSource('domain/exchanges/outgoing-message')});
    (async () => {
      const message = outgoingMessage(document, fs.readFileSync(${JSON.stringify(pdfFile)}), {
        recipients: [{ organId: '000.00.32.H56' }],
        createdAt: new Date('2026-12-07T02:00:00Z'),
        profile: nationalHubProfile,
      });
      const xml = buildEdxml(message, nationalHubProfile).toString('utf8');
      const signatureXml = await computeEnvelopedSignature(xml, signer, { afterLocalName: 'TraceHeaderList' });
      process.stdout.write(JSON.stringify({ size: spliceSignature(xml, signatureXml, 'TraceHeaderList').length }));
    })();`);
  expect(whole.status).not.toBe(0);
  expect(whole.stderr).toMatch(/heap/i);
});
