import {
  AppError,
  claimIdempotencyKeys,
  completeIdempotencyKeys,
  createEvent,
  requireRole,
  withConnection,
  withTransaction,
} from '@vanthu/platform';
import type { Identity, Mutation, Pool, RunnerRequest, Tx } from '@vanthu/platform';
import { documentRegisteredV1 } from '@vanthu/contracts';
import type { DocumentRegisteredV1 } from '@vanthu/contracts';
import {
  insertRegistrationsWithNextNumbers,
  lockDocument,
  readDocumentStates,
} from '../repositories/documents-repository';
import type { LockedDocument, NewRegistration, RegistrationSeries } from '../repositories/documents-repository';
import { findIncomingDuplicates, findNumberingTarget } from '../repositories/registers-repository';
import type { NumberingTarget } from '../repositories/registers-repository';
import type { Document } from '../schemas/document';
import type { RegistrationRequest, RegistrationWarning } from '../schemas/register';
import type { DocumentsContext } from '../context';
import { findDocumentType } from '../rules/document-types';
import {
  buildDocumentIdentifier,
  fillNumber,
  followedByNumber,
  notationTemplate,
  prefixed,
  vietnamDate,
  vietnamIsoDate,
  withoutNumber,
} from '../rules/numbering';
import type { NumberedText } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';
import { GroupCommit } from './group-commit';

export type RegisterDocumentInput = { documentId: string; request: RegistrationRequest };
export type RegistrationOutcome = { document: Document; warnings: RegistrationWarning[] };

/**
 * Everything about a registration that can be checked and written before its number is taken: the texts that contain
 * the số travel unfilled (the statement that takes the number fills them), and the metadata fields that hold it.
 */
type Prepared = {
  notation: NumberedText;
  documentIdentifier: NumberedText;
  metadata: Record<string, unknown>;
  numberFields: { formatted?: string; integer?: string };
  warnings: RegistrationWarning[];
  typeCode?: string;
};

/** A registration checked and ready to take its number: its series, what it writes, and its warnings. */
type ReadyRegistration = { series: RegistrationSeries; registration: NewRegistration; warnings: RegistrationWarning[] };

/** One registration waiting for its group: what was asked, by whom, and its request (for its Idempotency-Key). */
export type GroupMember = { input: RegisterDocumentInput; ctx: DocumentsContext; request: RunnerRequest };

/** The registrations of each register gathered into groups that commit together (see `commitRegistrations`). */
export type RegistrationGroups = GroupCommit<GroupMember, RegistrationOutcome | undefined>;

/**
 * Enters a document in a register and gives it its number (NĐ 30/2020 Điều 15.3: numbers and issue time are
 * assigned by the system; Điều 15.1: one series per register and year, without gap or repeat).
 *
 * A request's registration joins the group of its register, which reads, checks and commits all its members together
 * with one step of the counter (`commitRegistrations`). Whatever the group could not take (a check failed, the
 * document changed since the group read it, a key was used before, the group failed) is registered alone, as before:
 * under the document's lock, in the request's own runner, which also answers a replay of its Idempotency-Key.
 */
export async function registerDocument(
  input: RegisterDocumentInput,
  ctx: DocumentsContext,
): Promise<Mutation<RegistrationOutcome>> {
  requireRole(ctx.identity, 'clerk');
  const request = ctx.runInTransaction.request;
  if (request) {
    // A burst waits in the groups' bounded queue, holding no connection (503 + Retry-After beyond it).
    const key = `${ctx.identity.agencyCode}:${input.request.registerId}`;
    const grouped = await ctx.registrations.submit(key, { input, ctx, request });
    if (grouped) return { result: grouped, replayed: false };
  }
  return registerAlone(input, ctx);
}

async function registerAlone(
  input: RegisterDocumentInput,
  ctx: DocumentsContext,
): Promise<Mutation<RegistrationOutcome>> {
  const { agencyCode, unitCode } = ctx.identity;
  const { documentId, request } = input;
  return ctx.numbering.run(() =>
    ctx.runInTransaction(async (tx) => {
      const locked = await lockDocument(tx, agencyCode, documentId);
      const target = await findNumberingTarget(tx, agencyCode, request.registerId, request.unitCode ?? unitCode);
      const { series, registration, warnings } = await prepareRegistration(tx, input, ctx, locked, target);
      // From this statement to the commit the register-year's counter row stays locked: nothing else runs between.
      const [written] = await insertRegistrationsWithNextNumbers(tx, series, [registration]);
      if (!written || 'changed' in written) throw new Error(`document ${documentId} changed under its lock`);
      if ('duplicateNotation' in written) throw duplicateNotation(written.duplicateNotation);
      return { document: written.document, warnings };
    }),
  );
}

// NĐ 30/2020 Điều 15.1: số + ký hiệu is unique within a year.
const duplicateNotation = (notation: string): AppError =>
  new AppError(
    'CONFLICT',
    `the number ${notation} already exists this year in another register; use one register per series`,
  );

/**
 * A group's members as read and checked with one statement for all their documents and one for each drafting unit
 * named: ready to be numbered, or nothing for a member that must be registered alone (a check refused it; the
 * registration alone refuses it again, after its Idempotency-Key, under the document's lock).
 */
async function readGroup(tx: Tx, members: readonly GroupMember[]): Promise<(ReadyRegistration | undefined)[]> {
  const agencyCode = members[0]?.ctx.identity.agencyCode ?? '';
  const states = await readDocumentStates(
    tx,
    agencyCode,
    members.map((member) => member.input.documentId),
  );
  const targets = new Map<string | null, NumberingTarget | undefined>();
  const ready: (ReadyRegistration | undefined)[] = [];
  for (const { input, ctx } of members) {
    const unitCode = input.request.unitCode ?? ctx.identity.unitCode ?? null;
    if (!targets.has(unitCode))
      targets.set(unitCode, await findNumberingTarget(tx, agencyCode, input.request.registerId, unitCode ?? undefined));
    ready.push(
      await prepareRegistration(tx, input, ctx, states.get(input.documentId), targets.get(unitCode)).catch(
        () => undefined,
      ),
    );
  }
  return ready;
}

/** Thrown inside a group's transaction so that it rolls back whole and its members run alone. */
class GroupRolledBack extends Error {}

/**
 * Commits one group of a register-year's registrations in one transaction: the members' Idempotency-Keys are claimed
 * (one statement), the documents still as read take consecutive numbers with one step of the series' counter, each
 * with its registration row, document update and outbox event (one statement), the keys are completed with each
 * result (one statement), one COMMIT. A crash or a failure at any point rolls the whole group back, numbers
 * included, so the series stays without gap (NĐ 30/2020 Điều 15.1). Returns each member's outcome, or nothing for a
 * member that must be registered alone: its document changed, its key was used before, or the group failed (then
 * each member is retried alone, so one failing member costs the others nothing).
 */
export async function commitRegistrations(
  pool: Pool,
  members: readonly GroupMember[],
): Promise<(RegistrationOutcome | undefined)[]> {
  const outcomes: (RegistrationOutcome | undefined)[] = members.map(() => undefined);
  try {
    const read = await withConnection(pool, (tx) => readGroup(tx, members));
    // One series: a member checked on another side of new year's midnight than the first is registered alone.
    const series = read.find((ready) => ready !== undefined)?.series;
    if (!series) return outcomes;
    const ready = read.map((r) => (r?.series.year === series.year ? r : undefined));
    await withTransaction(pool, async (tx) => {
      const keyed = members.flatMap((member, index) => {
        const { idempotencyKey } = member.request;
        return idempotencyKey === undefined || !ready[index]
          ? []
          : [{ index, request: { ...member.request, idempotencyKey } }];
      });
      const claimed =
        keyed.length > 0
          ? await claimIdempotencyKeys(
              tx,
              keyed.map(({ request }) => request),
            )
          : [];
      const unclaimed = new Set(keyed.filter((_, i) => !claimed[i]).map(({ index }) => index));
      const going = ready.flatMap((r, index) => (r && !unclaimed.has(index) ? [{ ready: r, index }] : []));
      const written =
        going.length > 0
          ? await insertRegistrationsWithNextNumbers(
              tx,
              series,
              going.map((member) => member.ready.registration),
            )
          : [];
      // A số/ký hiệu taken this year: its number was counted, so nothing of the group may commit.
      if (written.some((w) => 'duplicateNotation' in w)) throw new GroupRolledBack('a duplicate số/ký hiệu');
      going.forEach((member, i) => {
        const w = written[i];
        if (w && 'document' in w) outcomes[member.index] = { document: w.document, warnings: member.ready.warnings };
      });
      if (keyed.length > 0) {
        const ran = keyed.filter((_, i) => claimed[i]);
        await completeIdempotencyKeys(
          tx,
          ran.flatMap(({ index, request }) => {
            const result = outcomes[index];
            return result ? [{ request, result }] : [];
          }),
          ran.filter(({ index }) => !outcomes[index]).map(({ request }) => request),
        );
      }
    });
    return outcomes;
  } catch (error) {
    if (!(error instanceof GroupRolledBack))
      members[0]?.ctx.logger.warn({ err: error, members: members.length }, 'registration group failed; retried alone');
    return members.map(() => undefined);
  }
}

/** The groups of registrations of the service, each register-year's committed one at a time. */
export function registrationGroups(pool: Pool, options: { maxGroup: number; maxQueued: number }): RegistrationGroups {
  return new GroupCommit<GroupMember, RegistrationOutcome | undefined>({
    commit: (_key, members) => commitRegistrations(pool, members),
    maxGroup: options.maxGroup,
    maxQueued: options.maxQueued,
    retryAfterSeconds: 5,
    identity: (member) => member.input.documentId,
    what: 'registrations',
  });
}

/**
 * Checks that the registration of the document as read (`locked`: under its lock, or as it stood) into the register
 * as read (`target`) may happen, and prepares what it writes; the number is left to the statement that takes it.
 */
async function prepareRegistration(
  tx: Tx,
  input: RegisterDocumentInput,
  ctx: DocumentsContext,
  locked: LockedDocument | undefined,
  target: NumberingTarget | undefined,
): Promise<ReadyRegistration> {
  const { identity } = ctx;
  const { documentId, request } = input;
  if (!locked) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
  if (locked.status !== 'draft')
    throw new AppError('CONFLICT', `document ${documentId} is ${locked.status}; only a draft can be registered`);
  if (!target) throw new AppError('NOT_FOUND', `register ${request.registerId} not found`);
  const { register } = target;
  if (locked.direction !== register.direction) {
    throw new AppError(
      'UNPROCESSABLE',
      `a ${locked.direction} document cannot go into the ${register.direction} register ${register.name}`,
      {
        errors: [{ field: 'body.registerId', message: `register is for ${register.direction} documents` }],
      },
    );
  }
  const typeCode = (request.typeCode ?? locked.typeCode)?.normalize('NFC');
  if (register.typeCodes && (!typeCode || !register.typeCodes.includes(typeCode))) {
    throw new AppError('UNPROCESSABLE', `register ${register.name} numbers only ${register.typeCodes.join(', ')}`, {
      errors: [{ field: 'body.registerId', message: 'register is for other document types' }],
    });
  }
  const now = ctx.clock();
  const today = vietnamDate(now);
  const prepared =
    register.direction === 'outgoing'
      ? prepareOutgoing(identity, locked, request, target, now)
      : await prepareIncoming(tx, identity, documentId, locked, now);
  const registeredType = prepared.typeCode ?? locked.typeCode;
  // The event as it will be published; the statement that takes the number fills its number, notation and
  // identifier (validated here with the first number of the series, the same shape).
  const data: DocumentRegisteredV1 = {
    documentId,
    agencyCode: identity.agencyCode,
    direction: locked.direction,
    registerId: register.id,
    year: today.year,
    number: 1,
    notation: fillNumber(prepared.notation, 1),
    documentIdentifier: fillNumber(prepared.documentIdentifier, 1),
    typeCode: registeredType,
    urgency: locked.document.urgency,
    registeredBy: identity.userId,
    registeredAt: now.toISOString(),
  };
  const event = createEvent(documentRegisteredV1, documentId, data, {
    source: ctx.source,
    requestId: ctx.requestId,
    agencyCode: identity.agencyCode,
  });
  return {
    series: {
      // One gap-free series per register and year (NĐ 30/2020 Điều 15.1).
      seriesKey: `register:${register.id}`,
      agencyCode: identity.agencyCode,
      registerId: register.id,
      registerName: register.name,
      direction: register.direction,
      year: today.year,
    },
    registration: {
      before: locked,
      notation: prepared.notation,
      documentIdentifier: prepared.documentIdentifier,
      registeredAt: now,
      registeredBy: identity.userId,
      metadata: prepared.metadata,
      numberFields: prepared.numberFields,
      typeCode: registeredType,
      searchText: followedByNumber(prepared.notation, foldForSearch),
      event: { definition: documentRegisteredV1, value: event, topicPrefix: ctx.topicPrefix },
    },
    warnings: prepared.warnings,
  };
}

/** Outgoing: ký hiệu `{số}/{type}-{agency}`, or `{số}/{agency}-{unit}` for công văn (Phụ lục I.II.3). */
function prepareOutgoing(
  identity: Identity,
  locked: LockedDocument,
  request: RegistrationRequest,
  target: NumberingTarget,
  now: Date,
): Prepared {
  const typeCode = request.typeCode ?? locked.typeCode ?? undefined;
  if (typeCode === undefined) {
    throw new AppError('VALIDATION_FAILED', 'an outgoing document needs a document type to be numbered', {
      errors: [{ field: 'body.typeCode', message: 'required for this document' }],
    });
  }
  const type = findDocumentType(typeCode);
  if (!type || type.kind !== 'administrative') {
    throw new AppError('INVALID_METADATA', `unknown document type ${typeCode}; see GET /v1/document-types`, {
      errors: [{ field: 'body.typeCode', message: 'unknown document type' }],
    });
  }
  const { organisation } = target;
  if (!organisation) {
    throw new AppError(
      'UNPROCESSABLE',
      `agency ${identity.agencyCode} is not in the organisation directory; import it (POST /v1/organisations/imports) so its abbreviation is known`,
    );
  }
  let unitAbbreviation: string | null = null;
  if (type.abbreviation === null) {
    const unitCode = request.unitCode ?? identity.unitCode;
    if (!unitCode) {
      throw new AppError(
        'VALIDATION_FAILED',
        `a ${type.name} is numbered {số}/{agency}-{unit}; name the drafting unit`,
        { errors: [{ field: 'body.unitCode', message: 'required for this type' }] },
      );
    }
    const { unit } = target;
    if (!unit)
      throw new AppError('UNPROCESSABLE', `unit ${unitCode} is not in the directory of ${identity.agencyCode}`, {
        errors: [{ field: 'body.unitCode', message: 'unknown unit' }],
      });
    unitAbbreviation = unit.abbreviation;
  }
  const notation = notationTemplate({
    typeAbbreviation: type.abbreviation,
    agencyAbbreviation: organisation.abbreviation,
    unitAbbreviation,
  });
  return {
    typeCode: type.code,
    notation,
    documentIdentifier: prefixed(buildDocumentIdentifier(identity.agencyCode, vietnamDate(now), ''), notation),
    // Phụ lục VI mục I: fields 4 (CodeNumber), 5 (CodeNotation), 6 (IssuedDate), 7 (OrganName) are filled by the system.
    metadata: {
      codeNotation: (notation[1] ?? '').slice(1),
      issuedDate: vietnamIsoDate(now),
      organName: organisation.name,
      typeName: type.name,
    },
    numberFields: { formatted: 'codeNumber' },
    warnings: [],
  };
}

/** Incoming: số đến from the register; the issuer's số/ký hiệu and identifier are checked for duplicates (Phụ lục VI mục III.1). */
async function prepareIncoming(
  tx: Tx,
  identity: Identity,
  documentId: string,
  locked: LockedDocument,
  now: Date,
): Promise<Prepared> {
  const metadata = locked.metadata as {
    codeNumber?: string;
    codeNotation?: string;
    issuedDate?: string;
    sender?: { organId: string };
  };
  const missing = (['codeNumber', 'codeNotation', 'issuedDate', 'sender'] as const).filter(
    (field) => metadata[field] === undefined,
  );
  if (missing.length > 0) {
    throw new AppError(
      'UNPROCESSABLE',
      `an incoming document needs the issuer’s ${missing.join(', ')} to be registered`,
      {
        errors: missing.map((field) => ({
          field: `metadata.${field}`,
          message: 'required to register an incoming document',
        })),
      },
    );
  }
  const notation = `${metadata.codeNumber}/${metadata.codeNotation}`.replace(/\s+/g, '');
  const [year = 0, month = 0, day = 0] = (metadata.issuedDate ?? '').split('-').map(Number);
  const issuer = metadata.sender?.organId ?? '';
  const documentIdentifier = buildDocumentIdentifier(issuer, { year, month, day }, notation);
  const duplicates = await findIncomingDuplicates(tx, identity.agencyCode, {
    documentId,
    documentIdentifier,
    notation,
    issuerCode: issuer,
  });
  const warnings: RegistrationWarning[] = duplicates.map((duplicate) => ({
    code: duplicate.sameIdentifier ? 'duplicate-identifier' : 'duplicate-number-notation-issuer',
    message: duplicate.sameIdentifier
      ? `document ${duplicate.documentId} was already registered with the identifier ${documentIdentifier}`
      : `document ${duplicate.documentId} was already registered with số/ký hiệu ${notation} from ${issuer}`,
    documentId: duplicate.documentId,
  }));
  return {
    notation: withoutNumber(notation),
    documentIdentifier: withoutNumber(documentIdentifier),
    // Phụ lục VI mục II: fields 12 (ArrivalDate) and 13 (ArrivalNumber) are filled by the system.
    metadata: { arrivalDate: vietnamIsoDate(now) },
    numberFields: { integer: 'arrivalNumber' },
    warnings,
  };
}
