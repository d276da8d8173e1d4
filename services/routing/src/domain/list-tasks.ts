import { AppError } from '@vanthu/platform';
import { listInboxWithCounts } from '../repositories/tasks-repository';
import type { TaskState } from '../repositories/tasks-repository';
import type { TaskListQuery, TaskView } from '../schemas/routing';
import type { RoutingContext, StatementReader } from './routing-context';
import { taskView } from './views';

export type ListTasksInput = { query: TaskListQuery };
export type TaskPage = { items: TaskView[]; nextCursor: string | null; counts: Record<string, number> };

type Cursor = { u: boolean; c: string; i: string };

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed.u !== 'boolean' || typeof parsed.c !== 'string' || typeof parsed.i !== 'string')
      throw new Error('shape');
    return parsed;
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor is not one this API returned', {
      errors: [{ field: 'querystring.cursor', message: 'invalid cursor' }],
    });
  }
}

/**
 * The caller's inbox: their own tasks and the unclaimed tasks of their roles in their unit, urgent
 * ones first, with counts per state. Open and claimed tasks unless a state is asked for.
 */
export async function listTasks(input: ListTasksInput, ctx: RoutingContext): Promise<TaskPage> {
  const { query } = input;
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const filter = {
    agencyCode: ctx.identity.agencyCode,
    userId: ctx.identity.userId,
    roles: ctx.identity.roles as string[],
    unitCode: ctx.identity.unitCode ?? null,
    dueBefore: query.dueBefore ? new Date(query.dueBefore) : null,
  };
  // One statement (page and counts together) needs no transaction around it.
  const read: StatementReader = ctx.readStatement ?? (async (work) => (await ctx.runInTransaction(work)).result);
  const result = await read((db) =>
    listInboxWithCounts(db, {
      ...filter,
      states: query.state ? [query.state as TaskState] : ['open', 'claimed'],
      after: after ? { urgent: after.u, createdAt: new Date(after.c), id: after.i } : null,
      limit: limit + 1,
    }),
  );
  const page = result.tasks.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    result.tasks.length > limit && last
      ? Buffer.from(JSON.stringify({ u: last.urgent, c: last.createdAt.toISOString(), i: last.id })).toString(
          'base64url',
        )
      : null;
  const now = ctx.clock();
  return { items: page.map((task) => taskView(task, now)), nextCursor, counts: result.counts };
}
