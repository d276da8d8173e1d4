import { withTransaction } from '@vanthu/platform';
import type { Clock, Pool } from '@vanthu/platform';
import type { TsaClient } from '../../clients/tsa-client';
import { insertLogAnchor, readLogHead } from '../../repositories/exchange-log-repository';
import type { LogAnchor } from '../../repositories/exchange-log-repository';

export type AnchorExchangeLogContext = { pool: Pool; tsa: TsaClient; clock: Clock };

/**
 * Time-stamps the exchange log's current head with the TSA (the X-Road practice of a time-stamped
 * message log): the worker calls it at least hourly, and an unchanged head is not stamped twice. The
 * TSA is asked outside any transaction; a head that moved meanwhile is still a head that existed.
 */
export async function anchorExchangeLog(
  _input: Record<string, never>,
  ctx: AnchorExchangeLogContext,
): Promise<LogAnchor | undefined> {
  const head = await withTransaction(ctx.pool, (tx) => readLogHead(tx));
  if (!head) return undefined;
  const stamp = await ctx.tsa.timestamp(Buffer.from(head.entryHash, 'hex'));
  return withTransaction(ctx.pool, (tx) =>
    insertLogAnchor(tx, {
      position: head.position,
      headHash: head.entryHash,
      token: stamp.token,
      genTime: stamp.genTime,
      tsa: stamp.tsa,
      at: ctx.clock(),
    }),
  );
}
