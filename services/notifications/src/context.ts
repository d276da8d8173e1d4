import type { UseCaseContext } from '@vanthu/platform';
import type { WebhookSender } from './adapters/webhook-sender';
import type { Db } from './repositories/deliveries-repository';
import type { WebhookMode } from './rules/endpoint-address';

/** The settings of webhook delivery (from the configuration; tests pass their own). */
export type WebhookSettings = {
  mode: WebhookMode;
  timeoutMs: number;
  /** Deliveries in flight at once in this process, and per endpoint. */
  concurrency: number;
  perEndpoint: number;
  /** Due deliveries of one endpoint leased ahead by a worker (a queue in memory, sent `perEndpoint` at a time). */
  prefetch: number;
  /** A failing endpoint is paused this long after each failure and sent one request at a time until a success. */
  failingProbeMs: number;
  disableAfterDays: number;
  secretOverlapHours: number;
  topicPrefix: string;
};

/**
 * Runs work that issues exactly one statement outside an explicit transaction (a statement is atomic on its own):
 * one round trip instead of three, for the dispatcher's claims and records.
 */
export type StatementRunner = <T>(work: (db: Db) => Promise<T>) => Promise<T>;

/** What the notifications use cases take besides the platform context. */
export type NotificationsContext = UseCaseContext & {
  settings: WebhookSettings;
  send?: WebhookSender;
  runStatement?: StatementRunner;
};

/** The context's statement runner, or its transaction when it has none. */
export const statementRunner =
  (ctx: NotificationsContext): StatementRunner =>
  async (work) =>
    ctx.runStatement ? ctx.runStatement(work) : (await ctx.runInTransaction(work)).result;

export const defaultWebhookSettings: WebhookSettings = {
  mode: 'production',
  timeoutMs: 10_000,
  concurrency: 64,
  perEndpoint: 4,
  prefetch: 128,
  failingProbeMs: 1000,
  disableAfterDays: 5,
  secretOverlapHours: 24,
  topicPrefix: '',
};
