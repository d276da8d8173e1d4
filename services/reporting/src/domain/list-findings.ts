import { AppError } from '@vanthu/platform';
import { listFindings as findFindings } from '../repositories/compliance-repository';
import type { FindingKind } from '../repositories/compliance-repository';
import type { FindingsPage } from '../schemas/findings';
import type { ReportingContext } from './get-compliance-report';
import { agencyInScope, reportableMonth, seesProvince } from './scope';

export type ListFindingsInput = { month: string; kind: FindingKind; agency?: string; cursor?: string; limit?: number };

type Cursor = { at: string; id: string };

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (
      typeof parsed.at === 'string' &&
      !Number.isNaN(Date.parse(parsed.at)) &&
      typeof parsed.id === 'string' &&
      /^[0-9a-f-]{36}$/.test(parsed.id)
    )
      return { at: parsed.at, id: parsed.id };
  } catch {
    // falls through to the 400 below
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not one this endpoint returned', {
    errors: [{ field: 'querystring.cursor', message: 'invalid cursor' }],
  });
}

/**
 * The documents to correct (NĐ 30/2020 Điều 5: signed by the person with authority and by the
 * organisation; Điều 25.1.c: a digitised paper original is only a copy) and the tasks past their
 * deadline (Điều 24), due in the month and still open: the Department reads the whole province, an
 * agency its own.
 */
export async function listFindings(input: ListFindingsInput, ctx: ReportingContext): Promise<FindingsPage> {
  const agencyCode =
    input.agency === undefined && seesProvince(ctx.identity) ? null : agencyInScope(ctx.identity, input.agency);
  const range = reportableMonth(input.month, ctx.clock);
  const limit = input.limit ?? 50;
  const { result: rows } = await ctx.runInTransaction((tx) =>
    findFindings(tx, {
      kind: input.kind,
      from: range.from,
      to: range.to,
      agencyCode,
      after: input.cursor ? decodeCursor(input.cursor) : null,
      limit: limit + 1,
      asOf: ctx.clock().toISOString(),
    }),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      documentId: row.documentId,
      agencyCode: row.agencyCode,
      notation: row.notation,
      at: row.at,
      form: row.form,
      personalSignature: row.personal,
      organisationSignature: row.organisation,
      href: `/v1/documents/${row.documentId}`,
      ...(row.task ? { task: row.task } : {}),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  };
}
