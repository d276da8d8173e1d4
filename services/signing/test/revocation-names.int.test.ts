import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { sameName } from '../src/validation/revocation-check';
import { testTrustStore } from './fixtures/validation-support';

// A CA that re-encodes its name in its CRLs (another string type, other case or spacing) is still
// the CRL's issuer (RFC 5280 §7.1); another name is not. The comparison reads the name alone.
const reencoded = (subject: pkijs.RelativeDistinguishedNames, change: (v: string) => string): Buffer =>
  Buffer.from(
    new asn1js.Sequence({
      value: subject.typesAndValues.map(
        (tv) =>
          new asn1js.Set({
            value: [
              new asn1js.Sequence({
                value: [
                  new asn1js.ObjectIdentifier({ value: tv.type }),
                  new asn1js.Utf8String({ value: change(String(tv.value.valueBlock.value)) }),
                ],
              }),
            ],
          }),
      ),
    }).toBER(),
  );

describe('CRL issuer names compared as RFC 5280 says', () => {
  const [root] = testTrustStore().anchors;
  if (!root) throw new Error('no test root');

  it('the same name with other case and spaces, as UTF8String, is the issuer', () => {
    const name = reencoded(root.pki.subject, (v) => `  ${v.toUpperCase().replace(/ /g, '   ')} `);
    expect(name.equals(Buffer.from(root.pki.subject.toSchema().toBER()))).toBe(false);
    expect(sameName(name, root)).toBe(true);
  });

  it('another name is not, and an unreadable one is not', () => {
    expect(
      sameName(
        reencoded(root.pki.subject, (v) => `${v} khác`),
        root,
      ),
    ).toBe(false);
    expect(sameName(Buffer.from([0x30, 0x05, 0x01]), root)).toBe(false);
  });
});
