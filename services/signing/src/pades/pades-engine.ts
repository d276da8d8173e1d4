import {
  IncrementalUpdate,
  PdfReader,
  addDss,
  concatSource,
  embedSignatureContents,
  hashSignedRanges,
  prepareSignature,
  vriKey,
} from '@vanthu/pdf';
import type { ByteSource, PreparedSignature, SignatureAppearance, SignatureFieldOptions } from '@vanthu/pdf';
import type { Cert } from '../x509/certificate';
import { findIssuer, isSelfIssued } from '../x509/certificate';
import type { HashName } from './algorithms';
import { OID_SIGNATURE_TIME_STAMP_TOKEN, assembleCms, buildSignedAttributes, unsignedAttribute } from './cms';
import type { CmsParts } from './cms';
import { collectRevocation } from './revocation';
import type { CmsSigner } from './signer';
import { requestTimestamp, timestampCertificates } from './timestamp-client';
import type { TsaSettings } from './timestamp-client';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const padesLevels: PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

export type PadesSettings = {
  tsa: TsaSettings;
  /** Intermediate and root certificates used to complete chains for B-LT (the VGCA leaf-only CMS problem). */
  certificatePool: Cert[];
  revocationTimeoutMs: number;
};

export type FieldOptions = Omit<SignatureFieldOptions, 'kind' | 'contentsSize' | 'appearance'>;
/** Adds appearance objects to the update and says where the widget goes. */
export type AppearanceBuilder = (
  reader: PdfReader,
  update: IncrementalUpdate,
) => Promise<SignatureAppearance | undefined> | SignatureAppearance | undefined;

export type PreparedRevision = { prepared: PreparedSignature; documentDigest: Buffer; hash: HashName };

const levelRank = (level: PadesLevel): number => padesLevels.indexOf(level);

/** Room for the CMS: certificates, signature, and a time-stamp token when the level needs one. */
export function contentsSizeFor(level: PadesLevel, certificates: Cert[] | undefined): number {
  const certBytes = certificates ? certificates.reduce((n, c) => n + c.der.length, 0) : 12_000;
  return certBytes + 4096 + (levelRank(level) >= 1 ? 16_384 : 0);
}

/** Step one of any signature: the revision with the field and a placeholder, and the digest of its byte ranges. */
export async function prepareRevision(
  reader: PdfReader,
  field: FieldOptions,
  level: PadesLevel,
  hash: HashName,
  certificates: Cert[] | undefined,
  appearance?: AppearanceBuilder,
): Promise<PreparedRevision> {
  const update = new IncrementalUpdate(reader);
  const widget = appearance ? await appearance(reader, update) : undefined;
  const prepared = prepareSignature(reader, update, {
    ...field,
    kind: 'signature',
    contentsSize: contentsSizeFor(level, certificates),
    ...(widget ? { appearance: widget } : {}),
  });
  return { prepared, documentDigest: hashSignedRanges(reader, prepared, hash), hash };
}

/** What a signer hands back: the CMS parts that do not depend on the level being built. */
export type SignatureValue = Omit<CmsParts, 'hash' | 'unsignedAttributes'>;

const nonClosing = (source: ByteSource): ByteSource => ({
  size: source.size,
  read: (o, l) => source.read(o, l),
  close: () => undefined,
});

/**
 * Step two: the CMS around a signature value, its time-stamp (B-T), the DSS (B-LT) and a
 * document time-stamp (B-LTA). Returns every byte to append to the original file.
 */
export async function finishRevision(
  reader: PdfReader,
  revision: PreparedRevision,
  value: SignatureValue,
  level: PadesLevel,
  settings: PadesSettings,
): Promise<Buffer> {
  const unsigned: Buffer[] = [];
  let tsaCertificates: Cert[] = [];
  if (levelRank(level) >= 1) {
    const token = await requestTimestamp(value.signatureValue, revision.hash, settings.tsa);
    tsaCertificates = timestampCertificates(token);
    unsigned.push(unsignedAttribute(OID_SIGNATURE_TIME_STAMP_TOKEN, token));
  }
  const cms = assembleCms({ ...value, hash: revision.hash, unsignedAttributes: unsigned });
  const signatureUpdate = embedSignatureContents(revision.prepared, cms);
  if (levelRank(level) < 2) return signatureUpdate;
  return extendAppended(
    reader,
    signatureUpdate,
    {
      chains: [[value.certificate, ...value.chain], tsaCertificates],
      vriFor: cmsPadded(cms, revision.prepared.contentsSize),
    },
    level,
    settings,
    revision.hash,
  );
}

const cmsPadded = (cms: Buffer, size: number): Buffer => Buffer.concat([cms, Buffer.alloc(size - cms.length)]);

/** Adds B-LT material (and an LTA document time-stamp) after `appended` bytes of `reader`'s file. */
export async function extendAppended(
  reader: PdfReader,
  appended: Buffer,
  what: { chains: Cert[][]; vriFor?: Buffer },
  level: PadesLevel,
  settings: PadesSettings,
  hash: HashName,
): Promise<Buffer> {
  const pool = settings.certificatePool;
  const all = { certificates: [] as Buffer[], ocsps: [] as Buffer[], crls: [] as Buffer[] };
  for (const chain of what.chains) {
    if (chain.length === 0) continue;
    const full = completeChain(chain, pool);
    const material = await collectRevocation(full, pool, settings.revocationTimeoutMs);
    all.certificates.push(...material.certificates);
    all.ocsps.push(...material.ocsps);
    all.crls.push(...material.crls);
  }
  const withSignature = PdfReader.fromSource(concatSource(nonClosing(reader.source), appended));
  const vri = new Map<string, typeof all>();
  if (what.vriFor) vri.set(vriKey(what.vriFor), all);
  const dssUpdate = addDss(withSignature, all, vri);
  let out = Buffer.concat([appended, dssUpdate]);
  if (levelRank(level) >= 3) out = Buffer.concat([out, await documentTimestamp(reader, out, hash, settings)]);
  return out;
}

/** A document time-stamp revision (PAdES B-LTA, ETSI.RFC3161) over everything before it. */
export async function documentTimestamp(
  reader: PdfReader,
  appended: Buffer,
  hash: HashName,
  settings: PadesSettings,
): Promise<Buffer> {
  const current = PdfReader.fromSource(concatSource(nonClosing(reader.source), appended));
  const update = new IncrementalUpdate(current);
  const prepared = prepareSignature(current, update, { kind: 'document-timestamp', contentsSize: 12_288 });
  const digest = hashSignedRanges(current, prepared, hash);
  const token = await requestTimestamp({ digest }, hash, settings.tsa);
  return Buffer.concat([appended, embedSignatureContents(prepared, token)]).subarray(appended.length);
}

/**
 * Extends an already signed document to B-LT (a DSS with the validation data of every
 * signature and its time-stamps, with a VRI entry each) or to B-LTA (plus a document
 * time-stamp). Returns the bytes to append.
 */
export async function extendSignedPdf(
  reader: PdfReader,
  signatures: { contents: Buffer; chain: Cert[] }[],
  level: 'B-LT' | 'B-LTA',
  settings: PadesSettings,
  hash: HashName,
): Promise<Buffer> {
  const pool = settings.certificatePool;
  const all = { certificates: [] as Buffer[], ocsps: [] as Buffer[], crls: [] as Buffer[] };
  const vri = new Map<string, typeof all>();
  for (const signature of signatures) {
    const material = await collectRevocation(completeChain(signature.chain, pool), pool, settings.revocationTimeoutMs);
    vri.set(vriKey(signature.contents), material);
    all.certificates.push(...material.certificates);
    all.ocsps.push(...material.ocsps);
    all.crls.push(...material.crls);
  }
  let out = addDss(reader, all, vri);
  if (level === 'B-LTA') out = Buffer.concat([out, await documentTimestamp(reader, out, hash, settings)]);
  return out;
}

/** Leaf first, then issuers found in the chain given or the pool, up to a self-signed root. */
export function completeChain(chain: Cert[], pool: Cert[]): Cert[] {
  const out = [...chain.slice(0, 1)];
  const candidates = [...chain.slice(1), ...pool];
  for (let i = 0; i < 10; i += 1) {
    const last = out[out.length - 1] as Cert;
    if (isSelfIssued(last)) break;
    const next = findIssuer(last, candidates);
    if (!next || out.includes(next)) break;
    out.push(next);
  }
  return out;
}

/** Server-side signing in one go: prepare, sign the attributes with `signer`, finish. */
export async function signPdf(
  reader: PdfReader,
  signer: CmsSigner,
  field: FieldOptions,
  level: PadesLevel,
  settings: PadesSettings,
  appearance?: AppearanceBuilder,
): Promise<Buffer> {
  const revision = await prepareRevision(
    reader,
    field,
    level,
    signer.hash,
    [signer.certificate, ...signer.chain],
    appearance,
  );
  const attributes = buildSignedAttributes(revision.documentDigest, signer.certificate, signer.hash);
  const signatureValue = await signer.sign(attributes.der);
  return finishRevision(
    reader,
    revision,
    {
      signedAttributesDer: attributes.der,
      signatureValue,
      certificate: signer.certificate,
      chain: signer.chain,
      scheme: signer.scheme,
    },
    level,
    settings,
  );
}
