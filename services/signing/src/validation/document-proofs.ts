import { PdfStream, isArray } from '@vanthu/pdf';
import type { PdfObject, PdfReader } from '@vanthu/pdf';
import type { Cert } from '../x509/certificate';
import { tryCert } from '../x509/certificate';
import type { EmbeddedRevocation } from './revocation-check';

/**
 * Reads the page tree and decodes every page's content (capped): page-tree loops, reference
 * loops and decompression bombs on the document's own path surface here as FORMAT_FAILURE
 * instead of later in a viewer.
 */
export function walkStructure(reader: PdfReader): void {
  // Encrypted content streams cannot be decoded without the key; the page tree is still walked.
  const decode = !reader.encrypted;
  for (const page of reader.pages()) {
    const contents = reader.resolve(page.dict.get('Contents'));
    const list = isArray(contents) ? contents : [page.dict.get('Contents')];
    for (const item of list.slice(0, 10_000)) {
      const stream = reader.resolve(item ?? null);
      if (decode && stream instanceof PdfStream) reader.streamData(stream);
    }
    reader.resolveDict(page.dict.get('Resources'));
  }
}

function streamsOf(reader: PdfReader, entry: PdfObject | undefined): Buffer[] {
  const list = reader.resolve(entry);
  if (!isArray(list)) return [];
  const out: Buffer[] = [];
  for (const item of list.slice(0, 5_000)) {
    try {
      const s = reader.resolve(item);
      if (s instanceof PdfStream) out.push(reader.streamData(s));
    } catch {
      // an unreadable DSS entry proves nothing; it is simply not used
    }
  }
  return out;
}

/** The validation data of the document security store (ETSI EN 319 142-1 §5.4): revocation answers and certificates. */
export function documentSecurityStore(reader: PdfReader): { embedded: EmbeddedRevocation; dssCerts: Cert[] } {
  const dss = reader.resolveDict(reader.catalog().get('DSS'));
  return {
    embedded: { ocsps: streamsOf(reader, dss?.get('OCSPs')), crls: streamsOf(reader, dss?.get('CRLs')) },
    dssCerts: streamsOf(reader, dss?.get('Certs'))
      .map(tryCert)
      .filter((c): c is Cert => !!c),
  };
}
