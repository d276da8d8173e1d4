import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { ServiceApp } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { BlobStore } from '@vanthu/platform';
import { TextIndexer } from '../src/adapters/text-indexer';
import { DocxConverter } from '../src/adapters/docx-converter';
import type { DocxConverterOptions } from '../src/adapters/docx-converter';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { documentUpload } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';

export type Harness = {
  fixture: ServiceFixture;
  app: ServiceApp;
  blobDir: string;
  textIndexer: TextIndexer;
  headersFor: (identity: Identity) => Record<string, string>;
  asA: Record<string, string>;
  asB: Record<string, string>;
  adminA: Record<string, string>;
  /** The province's directory-admin (a person of agency A), who imports any agency's entry. */
  directoryAdmin: Record<string, string>;
  upload: (
    metadata: unknown,
    headers?: Record<string, string>,
    pdf?: Buffer,
  ) => Promise<{ id: string } & Record<string, unknown>>;
  post: (url: string, body: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
};

/** The documents app over a fresh database, with identities of two agencies, for HTTP tests. */
export async function startHarness(
  label: string,
  options: { maxUploadBytes?: number; converter?: Partial<DocxConverterOptions> } = {},
): Promise<Harness> {
  const kit = createIdentityKit();
  const fixture = await serviceFixture(label, migrationsDir);
  const blobDir = path.join(fixture.tempDir, 'blobs');
  const blobs = new BlobStore(blobDir);
  await blobs.init();
  const textIndexer = new TextIndexer({ pool: fixture.pool, blobs, logger: fixture.logger });
  const converter = new DocxConverter({
    sofficePath: 'soffice',
    concurrency: 2,
    maxQueued: 4,
    timeoutMs: 90_000,
    ...options.converter,
  });
  const app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    topicPrefix: 'test.',
    maxUploadBytes: options.maxUploadBytes ?? 512 * 1024,
    textIndexer,
    converter,
  });
  const headersFor = (identity: Identity) => ({ 'x-vanthu-identity': kit.assertionFor(identity) });
  const asA = headersFor({ ...clerkOf(agencyA), unitCode: 'kgvx' });
  const post = (url: string, body: unknown, headers: Record<string, string> = asA) =>
    app.inject({ method: 'POST', url, headers, payload: body as object });
  let seed = 0;
  return {
    fixture,
    app,
    blobDir,
    textIndexer,
    headersFor,
    asA,
    asB: headersFor(clerkOf(agencyB)),
    adminA: headersFor({ userId: 'quan-tri', agencyCode: agencyA, roles: ['admin'] }),
    directoryAdmin: headersFor({ userId: 'quan-tri-danh-ba', agencyCode: agencyA, roles: ['directory-admin'] }),
    post,
    upload: async (metadata, headers = asA, pdf) => {
      seed += 1;
      const { body, contentType } = documentUpload(pdf ?? (await makePdf(`${label}-${seed}`, 1)), metadata);
      const response = await app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { ...headers, 'content-type': contentType },
        payload: body,
      });
      if (response.statusCode !== 201) throw new Error(`upload failed: ${response.statusCode} ${response.body}`);
      return response.json();
    },
    close: async () => {
      await app.close();
      await fixture.close();
    },
  };
}

/** The directory entries the tests number with: agency A is "UBND" with unit KGVX (two agencies: a directory-admin imports them). */
export const directory = {
  organisations: [
    {
      code: agencyA,
      name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
      abbreviation: 'UBND',
      units: [
        { code: 'kgvx', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' },
        { code: 'vp', name: 'Văn phòng', abbreviation: 'VP' },
      ],
      people: [{ userId: 'lanh-dao-1', fullName: 'Nguyễn Văn An', position: 'Chủ tịch', unitCode: 'vp' }],
    },
    { code: agencyB, name: 'Sở Khoa học và Công nghệ', abbreviation: 'SKHCN' },
  ],
};
