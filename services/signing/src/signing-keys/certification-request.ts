import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { signatureAlgorithmIdentifier } from '../pades/algorithms';
import type { HashName } from '../pades/algorithms';
import { toArrayBuffer } from '../x509/der-reader';

/** The subject of an organisation seal certificate: the agency's name and its mã định danh. */
export type SealSubject = { agencyName: string; agencyCode: string };

const OID_COUNTRY = '2.5.4.6';
const OID_ORGANIZATION = '2.5.4.10';
const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_COMMON_NAME = '2.5.4.3';

/**
 * The distinguished name an organisation seal asks for, shaped like the test PKI's and the government CA's seal
 * certificates (infra/src/pki.ts): C=VN, O and CN the agency's name as UTF8String (Vietnamese letters), and the
 * mã định danh alone in serialNumber (X.520 2.5.4.5, a PrintableString), where a validator reads the agency from.
 */
export function sealSubjectName(subject: SealSubject): asn1js.Sequence {
  const name = subject.agencyName.normalize('NFC');
  const rdn = (type: string, value: asn1js.PrintableString | asn1js.Utf8String): asn1js.Set =>
    // One attribute per RDN (SET): a single SET of all four would be one multi-valued RDN (C=VN+O=…+…).
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] });
  return new asn1js.Sequence({
    value: [
      rdn(OID_COUNTRY, new asn1js.PrintableString({ value: 'VN' })),
      rdn(OID_ORGANIZATION, new asn1js.Utf8String({ value: name })),
      rdn(OID_SERIAL_NUMBER, new asn1js.PrintableString({ value: subject.agencyCode })),
      rdn(OID_COMMON_NAME, new asn1js.Utf8String({ value: name })),
    ],
  });
}

/** The subject as one line (C=VN, O=…, serialNumber=…, CN=…), as the key record shows it. */
export const sealSubjectText = (subject: SealSubject): string => {
  const name = subject.agencyName.normalize('NFC');
  return `C=VN, O=${name}, serialNumber=${subject.agencyCode}, CN=${name}`;
};

/**
 * A PKCS#10 certification request (RFC 2986) for a key that only the HSM can use: the request info is encoded here
 * and its signature (sha256WithRSAEncryption, proof of possession) is made by `sign` with the HSM's private key.
 */
export async function buildCertificationRequest(
  subject: SealSubject,
  publicKeyDer: Buffer,
  hash: HashName,
  sign: (data: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const spki = asn1js.fromBER(toArrayBuffer(publicKeyDer));
  if (spki.offset === -1) throw new Error('the HSM returned a public key that is not DER');
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      sealSubjectName(subject),
      spki.result,
      // attributes [0] IMPLICIT SET OF Attribute: none (the CA chooses the extensions of a seal certificate).
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] }),
    ],
  });
  const infoDer = Buffer.from(info.toBER(false));
  const signature = await sign(infoDer);
  const request = new asn1js.Sequence({
    value: [
      info,
      signatureAlgorithmIdentifier('rsa-pkcs1', hash).toSchema(),
      new asn1js.BitString({ valueHex: toArrayBuffer(signature) }),
    ],
  });
  return Buffer.from(request.toBER(false));
}

export const csrPem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
