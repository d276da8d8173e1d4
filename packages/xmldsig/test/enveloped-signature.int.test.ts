import fs from 'node:fs';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  checkCertificateChain,
  computeEnvelopedSignature,
  pemToDers,
  spliceSignature,
  verifyEnvelopedSignature,
} from '../src';
import type { XmlKeySigner } from '../src';
import { loadInfrastructure } from '../../../test/support/infrastructure';

// Signed with a test person's software key (the library never sees a key: the signer callback does),
// verified by this package and, independently, by xmlsec1 where it is installed.

const infra = loadInfrastructure();
const person = infra.pki.persons['nguyen-van-an']!;
const trust = pemToDers(fs.readFileSync(infra.pki.chainPem, 'utf8'));
const key = createPrivateKey(fs.readFileSync(person.keyPath, 'utf8'));
const signer: XmlKeySigner = {
  certificates: [...pemToDers(fs.readFileSync(person.certPath, 'utf8')), ...trust],
  sign: async (data) => nodeSign('sha256', data, key),
};

const xml = [
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">',
  '<edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>V/v thử &amp; nghiệm &#13;</edXML:Subject></edXML:MessageHeader>',
  '<edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.00.H99</edXML:OrganId></edXML:TraceHeader></edXML:TraceHeaderList>',
  '</edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>',
  '<edXML:AttachmentEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:Attachment><edXML:ContentTransferEncoded>JVBERi0=</edXML:ContentTransferEncoded></edXML:Attachment></edXML:AttachmentEncoded></edXML>',
].join('');

async function signed(canonicalization: 'exclusive' | 'inclusive' = 'exclusive'): Promise<string> {
  const signature = await computeEnvelopedSignature(xml, signer, {
    afterLocalName: 'TraceHeaderList',
    canonicalization,
  });
  return spliceSignature(xml, signature, 'TraceHeaderList');
}

describe('enveloped XML-DSig', () => {
  it.each(['exclusive', 'inclusive'] as const)(
    'signs with %s C14N; the rest of the bytes stay as they were',
    async (c14n) => {
      const out = await signed(c14n);
      const start = out.indexOf('<Signature');
      const end = out.indexOf('</Signature>') + '</Signature>'.length;
      expect(out.slice(0, start) + out.slice(end)).toBe(xml);
      expect(out.slice(start - '</edXML:TraceHeaderList>'.length, start)).toBe('</edXML:TraceHeaderList>');
      const check = verifyEnvelopedSignature(out);
      expect(check).toMatchObject({ present: true, valid: true });
      if (check.present) {
        expect(check.signatureAlgorithm).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
        expect(check.certificates).toHaveLength(signer.certificates.length);
      }
    },
  );

  it('detects a changed byte anywhere: the header, the attachment, the signature value', async () => {
    const out = await signed();
    for (const [from, to] of [
      ['thử', 'thu'],
      ['JVBERi0=', 'JVBERi1='],
      ['000.00.00.H99</edXML:OrganId>', '000.00.00.H98</edXML:OrganId>'],
    ] as const) {
      const check = verifyEnvelopedSignature(out.replace(from, to));
      expect(check).toMatchObject({ present: true, valid: false });
      if (check.present) expect(check.reason).toMatch(/changed after signing/);
    }
    const value = /<SignatureValue>([^<]+)</.exec(out)![1]!;
    const flipped = value.startsWith('A') ? `B${value.slice(1)}` : `A${value.slice(1)}`;
    const check = verifyEnvelopedSignature(out.replace(value, flipped));
    expect(check).toMatchObject({ present: true, valid: false });
  });

  it('refuses a signature that covers a part only, a second signature, a foreign algorithm', async () => {
    const out = await signed();
    expect(verifyEnvelopedSignature(out.replace('URI=""', 'URI="#x"'))).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/URI=""/),
    });
    const signature = out.slice(out.indexOf('<Signature'), out.indexOf('</Signature>') + 12);
    expect(verifyEnvelopedSignature(spliceSignature(out, signature, 'MessageHeader'))).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/2 XML-DSig signatures/),
    });
    expect(verifyEnvelopedSignature(out.replace('xmldsig-more#rsa-sha256', 'xmldsig-more#hmac-sha256'))).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/not RSA-SHA256/),
    });
    expect(verifyEnvelopedSignature(xml)).toEqual({ present: false });
  });

  it('checks the chain against the trust store', async () => {
    const check = verifyEnvelopedSignature(await signed());
    if (!check.present) throw new Error('unsigned');
    await expect(checkCertificateChain(check.certificates, trust, new Date())).resolves.toMatchObject({
      trusted: true,
    });
    await expect(checkCertificateChain(check.certificates.slice(0, 1), [], new Date())).resolves.toMatchObject({
      trusted: false,
    });
    const expired = infra.pki.persons['vo-thi-em']!;
    await expect(
      checkCertificateChain(pemToDers(fs.readFileSync(expired.certPath, 'utf8')), trust, new Date()),
    ).resolves.toMatchObject({ trusted: false });
  });

  // xmlsec1 comes with the stack's Debian packages (infra/src/system-packages.ts).
  it('xmlsec1 verifies what this package signs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xmldsig-'));
    const file = path.join(dir, 'signed.xml');
    fs.writeFileSync(file, await signed());
    execFileSync(
      'xmlsec1',
      ['--verify', '--trusted-pem', infra.pki.rootCert, '--untrusted-pem', infra.pki.intermediateCert, file],
      {
        stdio: 'pipe',
      },
    );
  });
});
