import { oid, tlv } from '../pades/der';
import { OID_SIGNATURE_TIME_STAMP_TOKEN } from '../pades/cms';

type Tlv = { tag: number; start: number; end: number; contentStart: number };

/** One DER TLV at `at` (definite lengths only: DER has no other). */
function readTlv(buf: Buffer, at: number, limit = buf.length): Tlv {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated');
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported length');
    len = 0;
    for (let i = 0; i < n; i += 1) len = len * 256 + (buf[at + 2 + i] ?? 0);
    header += n;
  }
  const end = at + header + len;
  if (end > limit) throw new Error('overruns its parent');
  return { tag, start: at, end, contentStart: at + header };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

const bytes = (buf: Buffer, t: Tlv): Buffer => buf.subarray(t.start, t.end);
const TIMESTAMP_OID = oid(OID_SIGNATURE_TIME_STAMP_TOKEN);
const NULL = Buffer.from([0x05, 0x00]);

export type LightCms = { der: Buffer; certificates: Buffer[]; timestampTokens: Buffer[] };

/**
 * A CMS ContentInfo without its certificates and with signature time-stamp tokens set aside:
 * both are taken as raw bytes (certificates parse once each through the cache; tokens are
 * checked on their own), so the generic ASN.1 parser walks a few hundred bytes instead of
 * kilobytes of certificates. Undefined when the structure is not the expected SignedData;
 * callers then parse the original. Signed bytes (signed attributes, TSTInfo) are never touched.
 */
export function lightenCms(der: Buffer): LightCms | undefined {
  try {
    const contentInfo = readTlv(der, 0);
    const [type, explicit] = children(der, contentInfo);
    if (contentInfo.tag !== 0x30 || !type || type.tag !== 0x06 || !explicit || explicit.tag !== 0xa0) return undefined;
    const [signedData] = children(der, explicit);
    if (!signedData || signedData.tag !== 0x30) return undefined;
    const fields = children(der, signedData);
    const certificatesField = fields.find((f) => f.tag === 0xa0);
    const certificates = certificatesField ? children(der, certificatesField).map((c) => Buffer.from(bytes(der, c))) : [];
    const timestampTokens: Buffer[] = [];
    const rebuilt = fields
      .filter((f) => f !== certificatesField)
      .map((f) => {
        if (f.tag !== 0x31 || f !== fields[fields.length - 1]) return bytes(der, f);
        // signerInfos: set time-stamp tokens aside, leaving a NULL in their place.
        const infos = children(der, f).map((info) => {
          const parts = children(der, info);
          const last = parts[parts.length - 1];
          if (!last || last.tag !== 0xa1) return bytes(der, info);
          const attrs = children(der, last).map((attr) => {
            const [attrType, values] = children(der, attr);
            if (!attrType || !values || !bytes(der, attrType).equals(TIMESTAMP_OID)) return bytes(der, attr);
            const tokens = children(der, values);
            timestampTokens.push(...tokens.map((t) => Buffer.from(bytes(der, t))));
            return tlv(0x30, bytes(der, attrType), tlv(0x31, ...tokens.map(() => NULL)));
          });
          return tlv(0x30, ...parts.slice(0, -1).map((p) => bytes(der, p)), tlv(0xa1, ...attrs));
        });
        return tlv(0x31, ...infos);
      });
    return { der: tlv(0x30, bytes(der, type), tlv(0xa0, tlv(0x30, ...rebuilt))), certificates, timestampTokens };
  } catch {
    return undefined;
  }
}
