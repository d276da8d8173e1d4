import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { TimestampUnavailableError, TsaClient } from '../src/clients/tsa-client';
import { anchorExchangeLog } from '../src/domain/exchanges/anchor-exchange-log';
import { appendToExchangeLog } from '../src/domain/exchanges/exchange-log';
import { verifyExchangeLog } from '../src/domain/exchanges/verify-exchange-log';
import { insertLogAnchor } from '../src/repositories/exchange-log-repository';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { messagesOf } from './hub-test-context';

// The exchange log head time-stamped by the stack's RFC 3161 TSA (openssl ts), checked by our verifier and
// independently by `openssl ts -verify` against the test PKI.

const infra = loadInfrastructure();
let fixture: ServiceFixture;
const tsa = new TsaClient([infra.tsaUrl], 10_000);
const clock = () => new Date();

beforeAll(async () => {
  fixture = await serviceFixture('exanchor', migrationsDir);
});
afterAll(async () => fixture.close());

const append = (n: number) =>
  withTransaction(fixture.pool, (tx) =>
    appendToExchangeLog(tx, {
      exchangeId: randomUUID(),
      agencyCode: '000.00.31.H56',
      direction: 'received',
      messageKind: 'status-03',
      hub: 'vxp',
      transportId: `doc-${n}`,
      edxmlDocumentId: `000.00.31.H56,2026/12/02,${n}/UBND-VP`,
      messageSha256: createHash('sha256').update(String(n)).digest('hex'),
      outcome: 'recorded',
      at: new Date(),
    }),
  );

describe('the exchange log head time-stamped by the TSA', () => {
  it('anchors the head once per change, verifies it, and openssl agrees', async () => {
    expect(await anchorExchangeLog({}, { pool: fixture.pool, tsa, clock })).toBeUndefined(); // empty log
    await append(1);
    const head = await append(2);
    const anchor = await anchorExchangeLog({}, { pool: fixture.pool, tsa, clock });
    expect(anchor).toMatchObject({ position: 2, headHash: head.entryHash, tsa: infra.tsaUrl });
    expect(Math.abs(anchor!.genTime.getTime() - Date.now())).toBeLessThan(120_000);
    expect(await anchorExchangeLog({}, { pool: fixture.pool, tsa, clock })).toBeUndefined(); // unchanged head
    await append(3);
    expect(await anchorExchangeLog({}, { pool: fixture.pool, tsa, clock })).toMatchObject({ position: 3 });
    const verification = await verifyExchangeLog({}, { pool: fixture.pool, messages: messagesOf(fixture) });
    expect(verification).toMatchObject({ valid: true, entries: 3, anchors: 2, lastAnchor: { position: 3 } });

    // Independent check: openssl verifies the stored token over the head hash against the test PKI.
    const file = path.join(fixture.tempDir, 'head.tst');
    fs.writeFileSync(file, anchor!.token);
    const out = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-digest',
        head.entryHash,
        '-sha256',
        '-token_in',
        '-in',
        file,
        '-CAfile',
        infra.pki.chainPem,
        '-untrusted',
        infra.pki.tsa.certPath,
      ],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/Verification: OK/);
    // The anchors are append-only too.
    await expect(fixture.pool.query('DELETE FROM exchange_log_anchors')).rejects.toThrow(/append-only/);
  });

  it('detects a token that stamps something else, and says so when no TSA answers', async () => {
    const head = await append(4);
    const other = await tsa.timestamp(createHash('sha256').update('another log').digest());
    await withTransaction(fixture.pool, (tx) =>
      insertLogAnchor(tx, { position: head.position, headHash: head.entryHash, ...other, at: new Date() }),
    );
    expect(await verifyExchangeLog({}, { pool: fixture.pool, messages: messagesOf(fixture) })).toMatchObject({
      valid: false,
      firstBroken: { position: head.position, reason: expect.stringMatching(/does not stamp this head/) },
    });
    const down = new TsaClient(['http://127.0.0.1:1/tsa'], 2_000);
    await expect(anchorExchangeLog({}, { pool: fixture.pool, tsa: down, clock })).rejects.toBeInstanceOf(
      TimestampUnavailableError,
    );
  });
});
