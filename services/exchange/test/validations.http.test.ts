import { createHash } from 'node:crypto';
import { createLogger, createPool } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import { testMessageStore } from './hub-test-context';
import { agencyA, clerkOf, createIdentityKit } from '../../../test/support/identities';

const kit = createIdentityKit();
let app: ServiceApp;
const pool = createPool('postgres://unused@127.0.0.1:1/unused');

beforeAll(async () => {
  app = await buildApp({
    logger: createLogger('test', 'silent'),
    pool,
    identityPublicKey: kit.publicKeyPem,
    messages: testMessageStore(),
    maxMessageBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const pdf = Buffer.from('%PDF-1.7\n%%EOF\n');
const message = (): Buffer =>
  buildEdxml({
    header: {
      from: { organId: agencyA, organName: 'UBND' },
      to: [{ organId: '000.00.31.H99', organName: 'Sở' }],
      documentId: `${agencyA},2026/12/01,12/UBND-VP`,
      code: { codeNumber: '12', codeNotation: 'UBND-VP' },
      promulgationInfo: { promulgationDate: '2026-12-01' },
      documentType: { type: '1', typeName: 'Công văn' },
      subject: 'V/v thử nghiệm',
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [],
    attachments: [{ contentId: '1', name: 'cv.pdf', contentType: 'application/pdf', content: pdf }],
  });

const validate = (body: Buffer | string, contentType = 'application/xml') =>
  app.inject({
    method: 'POST',
    url: '/v1/exchanges/validations',
    headers: { 'content-type': contentType, 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyA)) },
    payload: body,
  });

describe('POST /v1/exchanges/validations', () => {
  it('answers the parsed fields, the attachments with their SHA-256 and no problem for a conformant message', async () => {
    const body = message();
    const response = await validate(body);
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ conformant: true, kind: 'edoc', problems: [] });
    expect(result.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(result.header.documentId).toBe(`${agencyA},2026/12/01,12/UBND-VP`);
    expect(result.attachments).toEqual([
      {
        contentId: '1',
        name: 'cv.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        zipped: false,
      },
    ]);
  });

  it('lists every conformance problem with its rule', async () => {
    const broken = message()
      .toString('utf8')
      .replace(/edXML:Subject>/g, 'Subject>')
      .replace('2026/12/01,12', '2026/12/02,12');
    const result = (await validate(broken)).json();
    expect(result.conformant).toBe(false);
    expect(result.problems.map((p: { rule: string }) => p.rule)).toEqual(
      expect.arrayContaining(['edxml.prefix', 'edxml.document-id.mismatch']),
    );
  });

  it('answers an unreadable message with the rule that stopped the parser, and refuses oversize bodies with 413', async () => {
    const result = (await validate('<edXML><unclosed></edXML>', 'text/xml')).json();
    expect(result).toMatchObject({ conformant: false, kind: 'unreadable' });
    expect(result.problems[0].rule).toBe('edxml.well-formed');
    expect((await validate(Buffer.alloc(70 * 1024, 0x41))).statusCode).toBe(413);
    expect((await validate('{}', 'application/json')).statusCode).toBe(400);
  });
});
