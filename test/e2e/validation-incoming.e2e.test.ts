import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { multipartBody } from '../support/multipart';
import { agencyA } from '../support/identities';
import { queryOnce } from '../support/sql';
import { eventually } from '../support/wait';
import { congVan, signAs } from '../../services/signing/test/fixtures/validation-support';
import { incrementalSaving } from '../../services/signing/test/fixtures/attacks/generators';

// Issue 5 items 1, 5 and 7 through the gateway: incoming documents are validated on receipt
// (NĐ 30/2020 Điều 21.2), the report is kept with the document and document.validated carries
// the verdict; the stored version's report and the upload validation answer integrators.
let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack('validation');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-e2e-'));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Event = {
  data: {
    documentId: string;
    verdict: string;
    version: number;
    sha256: string;
    reportId: string;
    signatures: { indication: string; subIndication: string | null; signerName: string | null }[];
  };
  published_at: Date | null;
};

async function validatedEvent(documentId: string): Promise<Event> {
  const rows = await eventually(
    () =>
      queryOnce<Event>(
        stack.envs.signing.DATABASE_URL as string,
        `SELECT data, published_at FROM outbox WHERE event_type = 'vn.vanthu.document.validated.v1' AND message_key = $1`,
        [documentId],
      ),
    (r) => r.length > 0 && r[0]?.published_at !== null,
    60_000,
    `document.validated for ${documentId}`,
  );
  return rows[0] as Event;
}

describe('incoming documents are validated on receipt', () => {
  it('a genuine signed document: TOTAL_PASSED in the event, the stored report and the Vietnamese PDF report', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-1', agency: agencyA, roles: ['clerk'] }),
    );
    const pdf = await signAs(await congVan(), 'tran-thi-binh', 'B-LT');
    const created = await clerk.uploadDocument(pdf, { direction: 'incoming', subject: 'Công văn đến đã ký số' });
    expect(created.status).toBe(201);
    const documentId = (created.body as { id: string }).id;

    const event = await validatedEvent(documentId);
    expect(event.data).toMatchObject({
      documentId,
      version: 1,
      verdict: 'TOTAL_PASSED',
      signatures: [{ indication: 'TOTAL_PASSED', subIndication: null, signerName: 'Trần Thị Bình' }],
    });
    const stored = await queryOnce<{ report_id: string; trigger: string }>(
      stack.envs.signing.DATABASE_URL as string,
      'SELECT report_id, trigger FROM document_validations WHERE document_id = $1',
      [documentId],
    );
    expect(stored).toEqual([{ report_id: event.data.reportId, trigger: 'incoming' }]);

    const report = await clerk.get(`/v1/documents/${documentId}/validation`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      verdict: 'TOTAL_PASSED',
      sha256: event.data.sha256,
      signatures: [{ level: 'B-LT', signer: { name: 'Trần Thị Bình' } }],
    });

    const pdfReport = await clerk.get(`/v1/documents/${documentId}/validation?format=pdf`);
    expect(pdfReport.headers.get('content-type')).toBe('application/pdf');
    const file = path.join(dir, 'report.pdf');
    fs.writeFileSync(file, pdfReport.raw);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).normalize('NFC')).toContain('Kết luận: HỢP LỆ');
  });

  it('a document changed after signing arrives: the event says it is not TOTAL_PASSED and names the sub-indication', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-1', agency: agencyA, roles: ['clerk'] }),
    );
    const { attacked } = await incrementalSaving();
    const created = await clerk.uploadDocument(attacked, {
      direction: 'incoming',
      subject: 'Công văn đến bị sửa sau khi ký',
    });
    expect(created.status).toBe(201);
    const event = await validatedEvent((created.body as { id: string }).id);
    expect(event.data.verdict).toBe('INDETERMINATE');
    expect(event.data.signatures[0]?.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
  });

  it('POST /v1/validations answers through the gateway', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-1', agency: agencyA, roles: ['clerk'] }),
    );
    const { body, contentType } = multipartBody([
      {
        name: 'file',
        value: await signAs(await congVan(), 'nguyen-van-an', 'B-T'),
        filename: 'x.pdf',
        contentType: 'application/pdf',
      },
    ]);
    const res = await clerk.call('POST', '/v1/validations', { body, contentType });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'TOTAL_PASSED', signatures: [{ level: 'B-T' }] });
  });
});
