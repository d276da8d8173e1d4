import { randomUUID } from 'node:crypto';
import { systemClock, withTransaction } from '@vanthu/platform';
import type { Clock, Logger, Pool } from '@vanthu/platform';
import { runMonthlySubmissions } from './domain/run-monthly-submissions';
import type { ReportFonts } from './rendering/report-pdf';
import type { WatermarkSource } from './adapters/kafka-watermarks';
import type { ReportSealer } from './adapters/report-sealer';

export type SubmissionWorkerOptions = {
  pool: Pool;
  logger: Logger;
  consumer: string;
  fonts: ReportFonts;
  topicPrefix: string;
  intervalMs: number;
  clock?: Clock;
  watermarks?: WatermarkSource;
  sealer?: ReportSealer;
};

/**
 * Runs the month-start submission job on every replica at an interval; the job itself makes sure only one replica
 * submits an agency (run row FOR UPDATE SKIP LOCKED) and that a restart resumes where it stopped.
 */
export class SubmissionWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SubmissionWorkerOptions) {}

  start(): void {
    const tick = (): void => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'monthly submission run failed'))
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    const { pool, logger } = this.options;
    const outcome = await runMonthlySubmissions(
      {},
      {
        identity: { userId: 'service:reporting', agencyCode: '000.00.00.A00', roles: ['service'] },
        requestId: `submissions-${randomUUID()}`,
        runInTransaction: async (work) => ({ result: await withTransaction(pool, work), replayed: false }),
        clock: this.options.clock ?? systemClock,
        logger,
        consumer: this.options.consumer,
        fonts: this.options.fonts,
        topicPrefix: this.options.topicPrefix,
        watermarks: this.options.watermarks,
        sealer: this.options.sealer,
      },
    );
    if (outcome.due && outcome.submitted.length > 0)
      logger.info({ month: outcome.month, submitted: outcome.submitted.length }, 'monthly reports submitted');
    if (outcome.due)
      for (const failure of outcome.failed)
        logger.warn(
          { month: outcome.month, agencyCode: failure.agencyCode, reason: failure.reason },
          'monthly report not submitted; the next run tries again',
        );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
