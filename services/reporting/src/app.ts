import { buildServiceApp } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { defaultReportFonts, serviceVersion } from './config';
import type { ReportFonts } from './rendering/report-pdf';
import { reportRoutes } from './routes/reports';
import type { WatermarkSource } from './adapters/kafka-watermarks';
import type { ReportSealer } from './adapters/report-sealer';
import { operationRoles } from './routes/operation-roles';

export type ReportingAppDeps = {
  logger: Logger;
  pool: Pool;
  identityPublicKey: string;
  /** The inbox consumer name the projections are built under (freshness reads its inbox rows). */
  consumer: string;
  clock?: Clock;
  /** KAFKA_TOPIC_PREFIX: report.submitted goes to the prefixed reporting topic. */
  topicPrefix?: string;
  /** The broker's high-water marks as last polled, for the reports' freshness. */
  watermarks?: WatermarkSource;
  /** Serif fonts with every Vietnamese letter for the PDF report. */
  fonts?: ReportFonts;
  healthChecks?: HealthCheck[];
  /** Seals submitted reports with the agency's organisation signature (signing). */
  sealer?: ReportSealer;
};

export async function buildApp(deps: ReportingAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'reporting',
    version: serviceVersion,
    description: 'Reports built only from events: monthly compliance per agency (báo cáo hằng tháng).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    healthChecks: deps.healthChecks ?? [],
  });
  await reportRoutes(app, {
    pool: deps.pool,
    consumer: deps.consumer,
    fonts: deps.fonts ?? defaultReportFonts,
    topicPrefix: deps.topicPrefix ?? '',
    ...(deps.watermarks ? { watermarks: deps.watermarks } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.sealer ? { sealer: deps.sealer } : {}),
  });
  return app;
}
