import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient, json } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { currentVietnamMonth, eventually } from '../support/wait';
import { agencyA } from '../support/identities';
import { backupStack, restoreStack, stackDataOf, verifyBackup } from '../../infra/src/backup';

// A backup of a running stack (every service's database plus the blobs) restored into a stack whose databases and
// blob directory are new and empty: every document's bytes hash to their SHA-256, the report is the same, and the
// register goes on numbering where it stopped (no number burnt or repeated).
const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-backup-'));
const month = currentVietnamMonth();
type Report = { documents: unknown; figures: unknown; certificates: unknown; definitionsVersion: string };
const comparable = (report: Report) => ({
  documents: report.documents,
  figures: report.figures,
  certificates: report.certificates,
  definitionsVersion: report.definitionsVersion,
});

let source: TestStack | undefined;
let target: TestStack | undefined;
afterAll(async () => {
  await source?.stop();
  await target?.stop();
  fs.rmSync(backupDir, { recursive: true, force: true });
});

const clientsOf = async (stack: TestStack) => ({
  admin: gatewayClient(stack.gatewayUrl, await stack.token({ user: 'quan-tri', agency: agencyA, roles: ['admin'] })),
  clerk: gatewayClient(stack.gatewayUrl, await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] })),
});

test('a backup restores into empty databases and an empty blob store with every byte and figure intact', async () => {
  source = await startTestStack('backup-source');
  const { admin, clerk } = await clientsOf(source);
  const directory = {
    organisations: [{ code: agencyA, name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', abbreviation: 'UBND' }],
  };
  expect((await admin.call('POST', '/v1/organisations/imports', json(directory))).status).toBe(200);
  const register = await clerk.call('POST', '/v1/registers', json({ name: 'Sổ công văn đi', direction: 'outgoing' }));
  expect(register.status).toBe(201);
  const registerId = (register.body as { id: string }).id;

  const documents: { id: string; sha256: string; subject: string }[] = [];
  for (let i = 1; i <= 4; i += 1) {
    const pdf = await makePdf(`backup-${i}`, i);
    const subject = `Về việc sao lưu dữ liệu văn bản điện tử, lần ${i}`;
    const created = await clerk.uploadDocument(
      pdf,
      i === 4 ? { direction: 'incoming', subject } : { direction: 'outgoing', subject, typeCode: 'QĐ' },
    );
    expect(created.status).toBe(201);
    documents.push({
      id: (created.body as { id: string }).id,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      subject,
    });
  }
  for (const document of documents.slice(0, 2)) {
    const registered = await clerk.call('POST', `/v1/documents/${document.id}/registration`, json({ registerId }));
    expect([registered.status, registered.body]).toEqual([201, expect.anything()]);
  }
  const before = await eventually(
    async () =>
      (await clerk.get(`/v1/reports/compliance?month=${month}`)).body as Report & { documents: { total: number } },
    (report) => report.documents.total === 4,
    30_000,
    'the report to count the four documents',
  );

  const manifest = await backupStack(stackDataOf(source.envs), backupDir);
  expect(manifest.blobs.count).toBe(4);
  // What was backed up is lost with the source: its databases are dropped and its blob directory removed.
  await source.stop();
  source = undefined;

  target = await startTestStack('backup-target', {
    beforeStart: async (envs) => {
      await restoreStack(backupDir, stackDataOf(envs));
    },
  });
  const restored = await clientsOf(target);
  for (const document of documents) {
    const content = await restored.clerk.get(`/v1/documents/${document.id}/content`);
    expect(content.status).toBe(200);
    expect(createHash('sha256').update(content.raw).digest('hex')).toBe(document.sha256);
    expect(((await restored.clerk.get(`/v1/documents/${document.id}`)).body as { subject: string }).subject).toBe(
      document.subject,
    );
  }
  const after = (await restored.clerk.get(`/v1/reports/compliance?month=${month}`)).body as Report;
  expect(comparable(after)).toEqual(comparable(before));

  // The yearly series continues: the next registration is number 3.
  const next = await restored.clerk.call(
    'POST',
    `/v1/documents/${documents[2]!.id}/registration`,
    json({ registerId }),
  );
  expect(next.status).toBe(201);
  expect((next.body as { document: { registration: { number: number } } }).document.registration.number).toBe(3);
});

test('a damaged or interrupted backup is refused before anything is restored, and so is a non-empty target', async () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-backup-damaged-'));
  try {
    fs.cpSync(backupDir, copy, { recursive: true });
    const dump = path.join(copy, 'databases', 'documents.dump');
    const bytes = fs.readFileSync(dump);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    fs.writeFileSync(dump, bytes);
    await expect(verifyBackup(copy)).rejects.toThrow(/databases\/documents\.dump is damaged/);

    fs.rmSync(path.join(copy, 'manifest.json'));
    await expect(verifyBackup(copy)).rejects.toThrow(/holds no manifest\.json/);

    // The restored stack is live: restoring over it again is refused, and nothing in it changes.
    await expect(restoreStack(backupDir, stackDataOf(target!.envs))).rejects.toThrow(/already holds \d+ tables/);
    await expect(backupStack(stackDataOf(target!.envs), backupDir)).rejects.toThrow(/is not empty/);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
