import fs from 'node:fs';
import { PdfReader, signatureDictionaries } from '@vanthu/pdf';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import { extendSignedPdf, signPdf } from '../src/pades/pades-engine';
import { hsmSigner } from '../src/pades/signer';
import { validatePdf } from '../src/validation/validate-pdf';
import type { PadesLevel } from '../src/pades/pades-engine';
import { certPool, infra, padesSettings, personCertificate } from './support';
import { congVan, signAs, testTrustStore, validationOptions } from './fixtures/validation-support';
import { pyhankoCorpus } from '../../../test/support/corpus';
import { pemToDers, toCert } from '../src/x509/certificate';

describe('validatePdf on what the signing engine produces (test PKI as trust anchors)', () => {
  it.each(['B-B', 'B-T', 'B-LT', 'B-LTA'] as PadesLevel[])(
    '%s: TOTAL_PASSED at its level, with signer, chain and revocation sources',
    async (level) => {
      const signed = await signAs(await congVan(), 'nguyen-van-an', level);
      const report = await validatePdf(signed, validationOptions());
      const sig = report.signatures.find((s) => s.kind === 'signature');
      expect(report.verdict).toBe('TOTAL_PASSED');
      expect(sig?.indication).toBe('TOTAL_PASSED');
      expect(sig?.level).toBe(level);
      expect(sig?.signer?.name).toBe('Nguyễn Văn An');
      expect(sig?.chain.length).toBeGreaterThanOrEqual(2);
      expect(sig?.chain.at(-1)?.trustAnchor).toBe(true);
      expect(sig?.chain[0]?.status).toBe('good');
      if (level === 'B-LT' || level === 'B-LTA') expect(sig?.chain[0]?.revocationSource).toMatch(/^embedded-/);
      if (level !== 'B-B') expect(sig?.timestampTime).not.toBeNull();
      expect(sig?.changesAfter.every((c) => c.allowed)).toBe(true);
    },
  );

  it('two signatures in a row: both pass, the first reports the second as an allowed change and does not cover the file', async () => {
    const once = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
    const twice = await signAs(once, 'tran-thi-binh', 'B-B', {}, true);
    const report = await validatePdf(twice, validationOptions());
    expect(report.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(report.signatures[0]?.coversWholeFile).toBe(false);
    expect(report.signatures[1]?.coversWholeFile).toBe(true);
    expect(report.signatures[0]?.changesAfter.length).toBeGreaterThan(0);
    expect(report.signatures[0]?.changesAfter.every((c) => c.allowed && c.classification === 'signature')).toBe(true);
  });

  it('offline: B-LT validates from embedded data alone; B-B has no revocation data and is TRY_LATER', async () => {
    const lt = await validatePdf(
      await signAs(await congVan(), 'nguyen-van-an', 'B-LT'),
      validationOptions({ revocation: { mode: 'offline', timeoutMs: 1000, cacheSeconds: 0 } }),
    );
    expect(lt.verdict).toBe('TOTAL_PASSED');
    const bb = await validatePdf(
      await signAs(await congVan(), 'nguyen-van-an', 'B-B'),
      validationOptions({ revocation: { mode: 'offline', timeoutMs: 1000, cacheSeconds: 0 } }),
    );
    expect(bb.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
  });

  it('a revoked signer gives REVOKED_NO_POE (no time-stamp) and never passes', async () => {
    const report = await validatePdf(await signAs(await congVan(), 'pham-van-duc', 'B-B'), validationOptions());
    expect(report.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE' });
    expect(report.signatures[0]?.chain[0]?.status).toBe('revoked');
  });

  it('a revoked signer time-stamped after the revocation gives TOTAL_FAILED/REVOKED', async () => {
    const report = await validatePdf(await signAs(await congVan(), 'pham-van-duc', 'B-T'), validationOptions());
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
  });

  it('an expired signer certificate without proof of existence is OUT_OF_BOUNDS_NO_POE', async () => {
    const report = await validatePdf(await signAs(await congVan(), 'vo-thi-em', 'B-B'), validationOptions());
    expect(report.verdict).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });

  it('an unknown root gives NO_CERTIFICATE_CHAIN_FOUND; the same root supplied as a per-request anchor passes', async () => {
    const signed = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
    const none = await validatePdf(signed, validationOptions({ trust: { anchors: [], intermediates: [] } }));
    expect(none.signatures[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
    const store = testTrustStore();
    const withAnchor = await validatePdf(
      signed,
      validationOptions({ trust: { anchors: store.anchors, intermediates: [] } }),
    );
    expect(withAnchor.verdict).toBe('TOTAL_PASSED');
  });

  it.each([
    'minimal-hybrid-xref.pdf',
    'minimal-xref.pdf',
    'uncompressed-objstream-sample.pdf',
    'minimal-two-fields.pdf',
  ])(
    'pyHanko %s signed by us twice: TOTAL_PASSED (hybrid/stream xref and object streams are not false alarms)',
    async (name) => {
      const input = fs.readFileSync(`${pyhankoCorpus}/${name}`);
      const signed = await signAs(await signAs(input, 'nguyen-van-an', 'B-B'), 'tran-thi-binh', 'B-LT');
      const report = await validatePdf(signed, validationOptions());
      expect(report.signatures.map((s) => [s.indication, s.subIndication])).toEqual(
        report.signatures.map(() => ['TOTAL_PASSED', null]),
      );
    },
  );

  it('a flipped byte inside the signed range gives HASH_FAILURE', async () => {
    const signed = Buffer.from(await signAs(await congVan(), 'nguyen-van-an', 'B-B'));
    const at = signed.indexOf('/Producer');
    signed[at + 3] = (signed[at + 3] ?? 0) ^ 0x20;
    const report = await validatePdf(signed, validationOptions());
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  it('validation at a past time before the signer certificate existed is NOT_YET_VALID or not passed', async () => {
    const signed = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
    const report = await validatePdf(signed, validationOptions({ validationTime: new Date('2000-01-01T00:00:00Z') }));
    expect(report.verdict).not.toBe('TOTAL_PASSED');
  });
});

describe('validatePdf on the organisation seal (SoftHSM) and on extended signatures', () => {
  let hsm: HsmConnection;
  beforeAll(() => {
    hsm = new HsmConnection({
      modulePath: infra.hsm.modulePath,
      tokenLabel: infra.hsm.tokenLabel,
      pin: readPin(infra.hsm.pinFile),
      poolSize: 1,
    });
    hsm.open();
  });
  afterAll(() => hsm.close());

  it('the seal of 000.00.00.H99 at B-LTA after a personal B-B signature: both TOTAL_PASSED and both B-LTA', async () => {
    const seal = infra.hsm.seals[0] as { keyIdHex: string; certPath: string };
    const signer = hsmSigner(
      hsm,
      seal.keyIdHex,
      toCert(pemToDers(fs.readFileSync(seal.certPath, 'utf8'))[0] as Buffer),
      certPool().slice(0, 1),
      'rsa-pkcs1',
      'sha256',
    );
    const personal = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
    const sealed = Buffer.concat([
      personal,
      await signPdf(PdfReader.fromBuffer(personal), signer, { reason: 'Phát hành' }, 'B-LTA', padesSettings()),
    ]);
    const report = await validatePdf(sealed, validationOptions());
    expect(report.verdict).toBe('TOTAL_PASSED');
    const signatures = report.signatures.filter((s) => s.kind === 'signature');
    // The CA's CRL the seal's DSS embeds covers the personal certificate too, and the document
    // time-stamp covers both: the first signature reaches B-LTA by the document's own material.
    expect(signatures.map((s) => s.level)).toEqual(['B-LTA', 'B-LTA']);
    expect(signatures[0]?.chain[0]?.revocationSource).toBe('embedded-crl');
    expect(signatures[1]?.signer?.organisation).toBeTruthy();
  });

  it('a B-B signature extended to B-LTA by extendSignedPdf validates at B-LTA, offline', async () => {
    const signed = await signAs(await congVan(), 'le-hoang-cuong', 'B-B');
    const reader = PdfReader.fromBuffer(signed);
    const field = signatureDictionaries(reader)[0];
    if (!field) throw new Error('no signature');
    const chain = [personCertificate('le-hoang-cuong'), ...certPool()];
    const extended = Buffer.concat([
      signed,
      await extendSignedPdf(reader, [{ contents: field.contents, chain }], 'B-LTA', padesSettings(), 'sha256'),
    ]);
    const report = await validatePdf(
      extended,
      validationOptions({ revocation: { mode: 'offline', timeoutMs: 1000, cacheSeconds: 0 } }),
    );
    expect(report.verdict).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.level).toBe('B-LTA');
  });
});
