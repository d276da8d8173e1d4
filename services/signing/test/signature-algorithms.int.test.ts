import { validatePdf } from '../src/validation/validate-pdf';
import type { ValidationReport } from '../src/validation/report';
import fs from 'node:fs';
import {
  PLAIN_ECDSA_OID,
  derToPlain,
  rewriteSignerInfo,
  signedWithEc,
  unsortedSignedAttributes,
} from './fixtures/algorithms';
import { infra } from './support';
import { validationOptions, testTrustStore } from './fixtures/validation-support';
import { signedOnce } from './fixtures/attacks/generators';
import type { Cert } from '../src/x509/certificate';

const offline = { mode: 'offline' as const, timeoutMs: 1_000, cacheSeconds: 0 };
const validateWith = (bytes: Buffer, anchor?: Cert): Promise<ValidationReport> => {
  const trust = testTrustStore();
  return validatePdf(
    bytes,
    validationOptions({
      trust: anchor ? { anchors: [...trust.anchors, anchor], intermediates: trust.intermediates } : trust,
      ...(anchor ? { revocation: offline } : {}),
    }),
  );
};
const outcome = (r: ValidationReport): { indication: string; subIndication: string | null } => ({
  indication: r.signatures[0]?.indication ?? r.verdict,
  subIndication: r.signatures[0]?.subIndication ?? r.verdictSubIndication,
});

describe('class 6: plain ECDSA (BSI TR-03111 r‖s) is verified, never "does not verify"', () => {
  it.each([
    ['prime256v1', 'sha256', 32],
    ['prime256v1', 'sha512', 32],
    ['secp384r1', 'sha384', 48],
  ] as const)('%s with %s: the DER original and its plain re-encoding both pass', async (curve, hash, size) => {
    const { bytes, anchor } = await signedWithEc(curve, hash);
    expect(outcome(await validateWith(bytes, anchor))).toEqual({ indication: 'TOTAL_PASSED', subIndication: null });
    const plain = rewriteSignerInfo(bytes, PLAIN_ECDSA_OID[hash], (der) => derToPlain(der, size));
    const report = await validateWith(plain, anchor);
    expect(outcome(report)).toEqual({ indication: 'TOTAL_PASSED', subIndication: null });
    // A flipped bit in the plain value is a real crypto failure.
    const broken = rewriteSignerInfo(bytes, PLAIN_ECDSA_OID[hash], (der) => {
      const v = derToPlain(der, size);
      v[size - 1] = (v[size - 1] as number) ^ 1;
      return v;
    });
    expect(outcome(await validateWith(broken, anchor))).toEqual({
      indication: 'TOTAL_FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
    });
  });

  it('a plain r‖s value under an OID that requires DER says so (FORMAT_FAILURE, not a crypto failure)', async () => {
    const { bytes, anchor } = await signedWithEc('prime256v1', 'sha256');
    const mislabelled = rewriteSignerInfo(bytes, '1.2.840.10045.4.3.2', (der) => derToPlain(der, 32));
    const report = await validateWith(mislabelled, anchor);
    expect(outcome(report)).toEqual({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(report.signatures[0]?.reasons.join(' ')).toMatch(/plain r‖s/);
  });
});

describe('class 8: the declared signature algorithm is enforced exactly', () => {
  it.each([
    [
      'RSA-SHA3-256 declared over an RSA-SHA256 value',
      '2.16.840.1.101.3.4.3.14',
      'INDETERMINATE',
      'CRYPTO_CONSTRAINTS_FAILURE',
      /SHA3-256/,
    ],
    [
      'a curve OID (P-256) where the algorithm belongs',
      '1.2.840.10045.3.1.7',
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      /curve/,
    ],
    ['ECDSA-SHA256 declared over an RSA key', '1.2.840.10045.4.3.2', 'TOTAL_FAILED', 'FORMAT_FAILURE', /key is rsa/],
    [
      'RSA-SHA512 declared while the digest algorithm is SHA-256',
      '1.2.840.113549.1.1.13',
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      /digest algorithm is sha256/,
    ],
    ['an unknown OID', '1.2.3.4.5', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', /unsupported/],
  ] as const)('%s', async (_name, oid, indication, subIndication, reason) => {
    const original = await signedOnce();
    expect((await validateWith(original)).verdict).toBe('TOTAL_PASSED');
    const report = await validateWith(rewriteSignerInfo(original, oid));
    expect(outcome(report)).toEqual({ indication, subIndication });
    expect(report.signatures[0]?.reasons.join(' ')).toMatch(reason);
  });
});

describe('item 10: signed attributes that are not DER-sorted', () => {
  it('are verified over the bytes as encoded (our documented policy) and the report says so', async () => {
    const original = await signedOnce();
    const sorted = await validateWith(original);
    expect(sorted.signatures[0]?.checks.some((c) => c.name === 'signed-attributes-der-order')).toBe(false);
    const keyPem = fs.readFileSync(infra.pki.persons['nguyen-van-an']?.keyPath as string, 'utf8');
    const report = await validateWith(unsortedSignedAttributes(original, keyPem));
    expect(outcome(report)).toEqual({ indication: 'TOTAL_PASSED', subIndication: null });
    expect(report.signatures[0]?.checks).toContainEqual(
      expect.objectContaining({
        name: 'signed-attributes-der-order',
        passed: false,
        detail: expect.stringMatching(/EU DSS/),
      }),
    );
  });
});
