import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildEdxml, buildStatusMessage } from '../src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import type { HubCredentials } from '../src/hub/hub-adapter';
import { LgspAdapter } from '../src/hub/lgsp-adapter';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { fetchWhole } from './hub-test-context';

// The hub sandbox with a data directory: what it accepted, and what its recipients acknowledged, survives
// a restart. Each restart closes the sandbox and builds a new one from the directory alone (no message
// array is shared between the two), on the same port, so the adapters see one hub going away and coming back.

const agencyA = '000.00.61.H56';
const agencyB = '000.00.62.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'Sở Tư pháp', systemId: 'persist-a', secret: 'persist-secret-a' },
  { code: agencyB, name: 'Sở Xây dựng', systemId: 'persist-b', secret: 'persist-secret-b' },
];
const account = (code: string): HubCredentials => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};
let dataDir = '';
let sandbox: HubSandbox | undefined;
let port = 0;
const url = () => `http://127.0.0.1:${port}`;

async function startHub(): Promise<void> {
  sandbox = await buildHubSandbox({ agencies, dataDir });
  await sandbox.app.listen({ host: '127.0.0.1', port });
  port = (sandbox.app.server.address() as AddressInfo).port;
}
async function stopHub(): Promise<void> {
  await sandbox?.app.close();
  sandbox = undefined;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-sandbox-'));
  await startHub();
});
afterAll(async () => {
  await stopHub();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function message(number: string, pdf: Buffer): Buffer {
  const document: EdxmlDocument = {
    header: {
      from: { organId: agencyA },
      to: [{ organId: agencyB }],
      documentId: `${agencyA},2026/12/03,${number}/STP-VP`,
      code: { codeNumber: number, codeNotation: 'STP-VP' },
      promulgationInfo: { promulgationDate: '2026-12-03' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v thử hub lưu bền ${number}`,
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-03T10:00:00+07:00' }],
    attachments: [{ contentId: '1', name: 'cv.pdf', contentType: 'application/pdf', content: pdf }],
  };
  return buildEdxml(document);
}

describe('the hub sandbox keeps its messages across a restart', () => {
  it('a message sent before a restart is delivered after it, byte for byte; an acknowledgement stays', async () => {
    // Binary-safe: every byte value in the attachment.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    const first = message('11', pdf);
    const second = message('12', pdf);
    const vxp = new VxpAdapter(url(), { timeoutMs: 5000 });
    const sentFirst = await vxp.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml: first });
    const sentSecond = await vxp.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml: second });

    await stopHub();
    await expect(vxp.listReceived(account(agencyB), 'edoc')).rejects.toMatchObject({ retriable: true });
    await startHub();

    const listed = await vxp.listReceived(account(agencyB), 'edoc');
    expect(listed.map((m) => m.docId).sort()).toEqual([sentFirst.docId, sentSecond.docId].sort());
    expect((await fetchWhole(vxp, account(agencyB), sentFirst.docId)).equals(first)).toBe(true);
    // The same file sent again after the restart is still recognised: the same DocId, nothing new to deliver.
    expect(await vxp.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml: first })).toEqual(
      sentFirst,
    );
    await vxp.acknowledge(account(agencyB), sentFirst.docId, 'done');

    await stopHub();
    const lgsp = new LgspAdapter(url(), { timeoutMs: 5000 });
    await expect(lgsp.listReceived(account(agencyB), 'edoc')).rejects.toMatchObject({ retriable: true });
    await startHub();
    // Through the other protocol too: the same store behind both.
    expect((await lgsp.listReceived(account(agencyB), 'edoc')).map((m) => m.docId)).toEqual([sentSecond.docId]);
    expect((await fetchWhole(lgsp, account(agencyB), sentSecond.docId)).equals(second)).toBe(true);
    expect(sandbox!.messages().find((m) => m.docId === sentFirst.docId)).toMatchObject({ status: 'done' });
  });

  it('a status message survives too, and a damaged store refuses to start instead of serving other bytes', async () => {
    const vxp = new VxpAdapter(url(), { timeoutMs: 5000 });
    const status = buildStatusMessage({
      from: { organId: agencyB },
      responseFor: {
        organId: agencyA,
        code: '11/STP-VP',
        promulgationDate: '2026-12-03',
        documentId: `${agencyA},2026/12/03,11/STP-VP`,
      },
      statusCode: '03',
      description: 'Đã vào sổ',
      timestamp: '2026-12-03T11:00:00+07:00',
    });
    const sent = await vxp.sendEdoc(account(agencyB), { messageType: 'status', to: [agencyA], edxml: status });
    await stopHub();
    await expect(vxp.listReceived(account(agencyA), 'status')).rejects.toMatchObject({ retriable: true });
    await startHub();
    expect((await vxp.listReceived(account(agencyA), 'status')).map((m) => m.docId)).toEqual([sent.docId]);
    expect((await fetchWhole(vxp, account(agencyA), sent.docId)).equals(status)).toBe(true);

    await stopHub();
    const file = path.join(dataDir, `${sent.docId}.${agencyA}.edxml`);
    fs.writeFileSync(file, Buffer.from(status.toString('utf8').replace('Đã vào sổ', 'Đã xử lý'), 'utf8'));
    await expect(buildHubSandbox({ agencies, dataDir })).rejects.toThrow(/does not match its SHA-256/);
    fs.rmSync(file);
    await expect(buildHubSandbox({ agencies, dataDir })).rejects.toThrow(/names no message file/);
  });
});
