import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@vanthu/platform';
import type {
  CertificateActivatedV1,
  CertificateRegisteredV1,
  CertificateUnregisteredV1,
  CopyMadeV1,
  DocumentCreatedV1,
  DocumentIssuedV1,
  DocumentRegisteredV1,
  DocumentValidatedV1,
  SignatureAppliedV1,
} from '@vanthu/contracts';
import { expectedIncomingOnTime } from './routing-activity';
import type { TaskRecord } from './routing-activity';

// A month of a few agencies' activity as the events the documents and signing services publish,
// and, beside it, the plain record of what happened, from which the test computes every figure
// on its own (no SQL, no code of the service).

export type Topic = 'vanthu.documents' | 'vanthu.signing' | 'vanthu.routing' | 'vanthu.exchange';
export type Published = { topic: Topic; key: string; event: CloudEvent };

export type IssuedRecord = {
  documentId: string;
  agencyCode: string;
  issuedAt: string;
  kindsAtIssue: Set<string>;
  validatedPassed: boolean;
  /** Sent through the hub (exchange.sent), set by the routing and exchange activity. */
  viaHub?: boolean;
};
export type Activity = {
  events: Published[];
  issued: IssuedRecord[];
  incoming: { documentId: string; agencyCode: string; createdAt: string; validatedPassed: boolean }[];
  created: { documentId: string; agencyCode: string; direction: string; createdAt: string }[];
  digitised: { documentId: string; agencyCode: string; createdAt: string }[];
  certificates: {
    agencyCode: string;
    userId: string;
    registeredAt: string;
    activatedAt: string | null;
    endedAt: string | null;
    signsApprovals: boolean;
    signsInitials: boolean;
  }[];
  signerSignedAt: Map<string, { approval: string[]; initial: string[] }>;
};

/** Small deterministic generator (mulberry32) so a failure can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (c: string): string => c.repeat(64);

export const cloudEvent = <T>(type: string, subject: string, data: T, at: string, source: string): CloudEvent => ({
  specversion: '1.0',
  id: randomUUID(),
  source,
  type,
  time: at,
  subject,
  datacontenttype: 'application/json',
  extensions: {},
  data,
});

/** Instants inside November 2026 in Hà Nội, plus the two just outside it. */
const novemberStart = Date.parse('2026-11-01T00:00:00+07:00');
const decemberStart = Date.parse('2026-12-01T00:00:00+07:00');

export function monthOfActivity(seed: number, agencies: string[], perAgency = 10): Activity {
  const rnd = random(seed);
  const pick = (p: number): boolean => rnd() < p;
  const inMonth = (): number => novemberStart + Math.floor(rnd() * (decemberStart - novemberStart - 3600_000));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const activity: Activity = {
    events: [],
    issued: [],
    incoming: [],
    created: [],
    digitised: [],
    certificates: [],
    signerSignedAt: new Map(),
  };
  const push = (topic: Topic, key: string, event: CloudEvent): void => {
    activity.events.push({ topic, key, event });
  };
  const signerLog = (userId: string) => {
    let log = activity.signerSignedAt.get(userId);
    if (!log) activity.signerSignedAt.set(userId, (log = { approval: [], initial: [] }));
    return log;
  };

  for (const agencyCode of agencies) {
    const leaders = [`lanh-dao-${agencyCode}-1`, `lanh-dao-${agencyCode}-2`];
    const unitLeaders = [`truong-phong-${agencyCode}-1`];
    for (let i = 0; i < perAgency; i += 1) {
      // Outgoing: drafted, signed by some of initial / approval / organisation, registered, issued.
      const documentId = randomUUID();
      // A few drafts are from October or issued on 1 December at 00:00 in Hà Nội: outside November.
      const createdMs = i === 0 ? novemberStart - 1 : inMonth();
      const createdAt = iso(createdMs);
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<DocumentCreatedV1>(
          'vn.vanthu.document.created.v1',
          documentId,
          {
            documentId,
            agencyCode,
            direction: 'outgoing',
            subject: `Công văn số ${i} về việc tăng cường ký số`,
            version: 1,
            sha256: hex('a'),
            mediaType: 'application/pdf',
            sizeBytes: 100,
            createdBy: 'chuyen-vien',
            createdAt,
          },
          createdAt,
          '/vanthu/documents',
        ),
      );
      activity.created.push({ documentId, agencyCode, direction: 'outgoing', createdAt });
      let version = 1;
      let at = createdMs;
      const kinds: string[] = [];
      const sign = (kind: SignatureAppliedV1['kind'], signerUserId: string | null): void => {
        at += 60_000;
        version += 1;
        const signedAt = iso(at);
        kinds.push(kind);
        if (signerUserId && (kind === 'approval' || kind === 'initial')) signerLog(signerUserId)[kind].push(signedAt);
        const signatureId = randomUUID();
        push(
          'vanthu.signing',
          documentId,
          cloudEvent<SignatureAppliedV1>(
            'vn.vanthu.signature.applied.v1',
            documentId,
            {
              signatureId,
              documentId,
              agencyCode,
              kind,
              level: 'B-LT',
              signedVersion: version - 1,
              version,
              sha256: hex('b'),
              signerUserId,
              certificateSha256: hex('c'),
              certificateSubject: 'CN=Nguyễn Văn Ánh',
              authorityPrefix: kind === 'approval' ? 'KT.' : null,
              signedAt,
            },
            signedAt,
            '/vanthu/signing',
          ),
        );
      };
      if (pick(0.5)) sign('initial', unitLeaders[0] as string);
      if (pick(0.6)) sign('approval', leaders[Math.floor(rnd() * leaders.length)] as string);
      if (pick(0.65)) sign('issue', null);
      if (!pick(0.75)) continue;
      at += 60_000;
      const registeredAt = iso(at);
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<DocumentRegisteredV1>(
          'vn.vanthu.document.registered.v1',
          documentId,
          {
            documentId,
            agencyCode,
            direction: 'outgoing',
            registerId: randomUUID(),
            year: 2026,
            number: i + 1,
            notation: `${i + 1}/UBND-VP`,
            documentIdentifier: `${agencyCode}.2026.${i + 1}`,
            typeCode: 'CV',
            urgency: 'normal',
            registeredBy: 'van-thu',
            registeredAt,
          },
          registeredAt,
          '/vanthu/documents',
        ),
      );
      at += 60_000;
      const issuedMs = i === 1 ? decemberStart : at;
      const issuedAt = iso(issuedMs);
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<DocumentIssuedV1>(
          'vn.vanthu.document.issued.v1',
          documentId,
          {
            documentId,
            agencyCode,
            notation: `${i + 1}/UBND-VP`,
            documentIdentifier: `${agencyCode}.2026.${i + 1}`,
            version,
            sha256: hex('d'),
            issuedBy: 'van-thu',
            issuedAt,
          },
          issuedAt,
          '/vanthu/signing',
        ),
      );
      const issuedVersion = version;
      const kindsAtIssue = new Set(kinds);
      // The validation of the issued version: passed, failed, or never run.
      const verdict = pick(0.5) ? 'TOTAL_PASSED' : pick(0.4) ? 'TOTAL_FAILED' : null;
      if (verdict) {
        const validatedAt = iso(at + 30_000);
        push(
          'vanthu.signing',
          documentId,
          cloudEvent<DocumentValidatedV1>(
            'vn.vanthu.document.validated.v1',
            documentId,
            {
              documentId,
              agencyCode,
              version: issuedVersion,
              sha256: hex('d'),
              verdict,
              verdictReason: verdict === 'TOTAL_PASSED' ? 'hợp lệ' : 'chữ ký không hợp lệ',
              signatures: kinds.map((_, k) => ({
                fieldName: `Signature${k + 1}`,
                kind: 'signature' as const,
                indication: verdict,
                subIndication: null,
                signerName: null,
              })),
              reportId: randomUUID(),
              validatedAt,
            },
            validatedAt,
            '/vanthu/signing',
          ),
        );
      }
      // A signature added after issue is not one the issued document carries.
      if (pick(0.2)) sign(kindsAtIssue.has('approval') ? 'attachment' : 'approval', leaders[0] as string);
      if (issuedMs < decemberStart && issuedMs >= novemberStart)
        activity.issued.push({
          documentId,
          agencyCode,
          issuedAt,
          kindsAtIssue,
          validatedPassed: verdict === 'TOTAL_PASSED',
        });
    }

    for (let i = 0; i < Math.ceil(perAgency / 2); i += 1) {
      // Incoming: received electronic, validated on receipt or not.
      const documentId = randomUUID();
      const createdAt = iso(inMonth());
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<DocumentCreatedV1>(
          'vn.vanthu.document.created.v1',
          documentId,
          {
            documentId,
            agencyCode,
            direction: 'incoming',
            subject: `Văn bản đến số ${i}`,
            version: 1,
            sha256: hex('e'),
            mediaType: 'application/pdf',
            sizeBytes: 100,
            createdBy: 'van-thu',
            createdAt,
          },
          createdAt,
          '/vanthu/documents',
        ),
      );
      activity.created.push({ documentId, agencyCode, direction: 'incoming', createdAt });
      const verdict = pick(0.6) ? 'TOTAL_PASSED' : pick(0.5) ? 'INDETERMINATE' : null;
      if (verdict)
        push(
          'vanthu.signing',
          documentId,
          cloudEvent<DocumentValidatedV1>(
            'vn.vanthu.document.validated.v1',
            documentId,
            {
              documentId,
              agencyCode,
              version: 1,
              sha256: hex('e'),
              verdict,
              verdictReason: 'kiểm tra khi tiếp nhận',
              signatures: [],
              reportId: randomUUID(),
              validatedAt: createdAt,
            },
            createdAt,
            '/vanthu/signing',
          ),
        );
      activity.incoming.push({ documentId, agencyCode, createdAt, validatedPassed: verdict === 'TOTAL_PASSED' });
    }

    // Copies: digitised paper originals (Điều 25.1.c) and one electronic copy that is not one.
    const copies = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i <= copies; i += 1) {
      const documentId = randomUUID();
      const createdAt = iso(inMonth());
      const form = i === 0 ? 'electronic' : 'digitised';
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<DocumentCreatedV1>(
          'vn.vanthu.document.created.v1',
          documentId,
          {
            documentId,
            agencyCode,
            direction: 'internal',
            subject: `Bản sao ${i}`,
            version: 1,
            sha256: hex('f'),
            mediaType: 'application/pdf',
            sizeBytes: 100,
            createdBy: 'van-thu',
            createdAt,
          },
          createdAt,
          '/vanthu/documents',
        ),
      );
      push(
        'vanthu.documents',
        documentId,
        cloudEvent<CopyMadeV1>(
          'vn.vanthu.copy.made.v1',
          documentId,
          {
            copyDocumentId: documentId,
            agencyCode,
            sourceDocumentId: form === 'digitised' ? null : randomUUID(),
            sourceVersion: form === 'digitised' ? null : 1,
            sourceDescription: form === 'digitised' ? 'Bản gốc giấy' : null,
            kind: `SY:${form}`,
            year: 2026,
            number: i + 1,
            notation: `${i + 1}/SY-VP`,
            sha256: hex('f'),
            createdBy: 'van-thu',
            createdAt,
          },
          createdAt,
          '/vanthu/documents',
        ),
      );
      activity.created.push({ documentId, agencyCode, direction: 'internal', createdAt });
      if (form === 'digitised') activity.digitised.push({ documentId, agencyCode, createdAt });
    }

    // Certificates: registered by everyone who signs and two more staff; some activated only in December.
    for (const userId of [...leaders, ...unitLeaders, `chuyen-vien-${agencyCode}-1`, `chuyen-vien-${agencyCode}-2`]) {
      const certificateId = randomUUID();
      const registeredAt = iso(novemberStart - 86_400_000 * 3);
      const activatedMs = pick(0.7) ? novemberStart - 86_400_000 : pick(0.5) ? decemberStart + 3600_000 : null;
      push(
        'vanthu.signing',
        certificateId,
        cloudEvent<CertificateRegisteredV1>(
          'vn.vanthu.certificate.registered.v1',
          certificateId,
          {
            certificateId,
            agencyCode,
            userId,
            sha256: hex('1'),
            subject: `CN=${userId}`,
            notAfter: '2029-01-01T00:00:00.000Z',
            registeredAt,
          },
          registeredAt,
          '/vanthu/signing',
        ),
      );
      if (activatedMs !== null)
        push(
          'vanthu.signing',
          certificateId,
          cloudEvent<CertificateActivatedV1>(
            'vn.vanthu.certificate.activated.v1',
            certificateId,
            {
              certificateId,
              agencyCode,
              userId,
              sha256: hex('1'),
              activatedBy: 'quan-tri',
              activatedAt: iso(activatedMs),
            },
            iso(activatedMs),
            '/vanthu/signing',
          ),
        );
      // One member of staff releases the certificate in November: no longer a holder at the end of it.
      const endedAt = userId === `chuyen-vien-${agencyCode}-2` ? iso(novemberStart + 86_400_000 * 5) : null;
      if (endedAt)
        push(
          'vanthu.signing',
          certificateId,
          cloudEvent<CertificateUnregisteredV1>(
            'vn.vanthu.certificate.unregistered.v1',
            certificateId,
            {
              certificateId,
              agencyCode,
              userId,
              sha256: hex('1'),
              unregisteredBy: userId,
              reason: 'chuyển công tác',
              unregisteredAt: endedAt,
            },
            endedAt,
            '/vanthu/signing',
          ),
        );
      activity.certificates.push({
        agencyCode,
        userId,
        registeredAt,
        endedAt,
        activatedAt: activatedMs === null ? null : iso(activatedMs),
        signsApprovals: leaders.includes(userId),
        signsInitials: unitLeaders.includes(userId),
      });
    }
  }
  return activity;
}

export type ExpectedFigures = Record<string, { numerator: number; denominator: number }>;

/**
 * Every figure of one agency (or of all, agencyCode null) recomputed from the record of what happened;
 * the on-time figure from the tasks of the routing activity, as of `asOf`.
 */
export function expectedFigures(
  activity: Activity,
  agencyCode: string | null,
  tasks: TaskRecord[] = [],
  asOf = Date.now(),
): ExpectedFigures {
  const mine = <T extends { agencyCode: string }>(rows: T[]): T[] =>
    rows.filter((row) => agencyCode === null || row.agencyCode === agencyCode);
  const inNovember = (at: string): boolean => Date.parse(at) >= novemberStart && Date.parse(at) < decemberStart;
  const issued = mine(activity.issued);
  const has = (kind: string) => issued.filter((d) => d.kindsAtIssue.has(kind)).length;
  const both = issued.filter((d) => d.kindsAtIssue.has('approval') && d.kindsAtIssue.has('issue')).length;
  const incoming = mine(activity.incoming).filter((d) => inNovember(d.createdAt));
  const incomingElectronic = incoming.filter((d) => d.validatedPassed).length;
  const digitised = mine(activity.digitised).filter((d) => inNovember(d.createdAt)).length;
  return {
    fullyElectronic: { numerator: both + incomingElectronic, denominator: issued.length + incoming.length },
    signed: { numerator: issued.filter((d) => d.kindsAtIssue.size > 0).length, denominator: issued.length },
    personallySigned: { numerator: has('approval'), denominator: issued.length },
    organisationSigned: { numerator: has('issue'), denominator: issued.length },
    bothSignatures: { numerator: both, denominator: issued.length },
    initialled: { numerator: has('initial'), denominator: issued.length },
    validated: { numerator: issued.filter((d) => d.validatedPassed).length, denominator: issued.length },
    digitisedOnly: { numerator: digitised, denominator: issued.length + digitised },
    exchangedThroughHub: { numerator: issued.filter((d) => d.viaHub).length, denominator: issued.length },
    incomingOnTime: expectedIncomingOnTime(tasks, agencyCode, novemberStart, decemberStart, asOf),
    cooperationOnTime: expectedIncomingOnTime(tasks, agencyCode, novemberStart, decemberStart, asOf, 'cooperate'),
    consultationsOnTime: { numerator: 0, denominator: 0 },
  };
}

/** Certificate adoption at `end` (the end of a month; November's by default), from the certificates the activity made. */
export function expectedCertificates(activity: Activity, agencyCode: string, end = decemberStart) {
  const mine = activity.certificates.filter(
    (c) => c.agencyCode === agencyCode && !(c.endedAt !== null && Date.parse(c.endedAt) < end),
  );
  const activated = mine.filter((c) => c.activatedAt !== null && Date.parse(c.activatedAt) < end);
  const signedBefore = (userId: string, kind: 'approval' | 'initial'): boolean =>
    (activity.signerSignedAt.get(userId)?.[kind] ?? []).some((at) => Date.parse(at) < end);
  return {
    holders: new Set(mine.filter((c) => Date.parse(c.registeredAt) < end).map((c) => c.userId)).size,
    activated: new Set(activated.map((c) => c.userId)).size,
    approvalSignersActivated: new Set(activated.filter((c) => signedBefore(c.userId, 'approval')).map((c) => c.userId))
      .size,
    initialSignersActivated: new Set(activated.filter((c) => signedBefore(c.userId, 'initial')).map((c) => c.userId))
      .size,
  };
}

export function expectedDocuments(activity: Activity, agencyCode: string) {
  const inNovember = (at: string): boolean => Date.parse(at) >= novemberStart && Date.parse(at) < decemberStart;
  const mine = activity.created.filter((d) => d.agencyCode === agencyCode && inNovember(d.createdAt));
  const count = (direction: string) => mine.filter((d) => d.direction === direction).length;
  return {
    total: mine.length,
    outgoing: count('outgoing'),
    incoming: count('incoming'),
    internal: count('internal'),
    issued: activity.issued.filter((d) => d.agencyCode === agencyCode).length,
    digitised: activity.digitised.filter((d) => d.agencyCode === agencyCode && inNovember(d.createdAt)).length,
  };
}
