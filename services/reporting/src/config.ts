import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const reportingConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3104 }),
  CONSUMER_GROUP: Type.String({ default: 'reporting', pattern: '^[A-Za-z0-9._-]+$' }),
  // Times-compatible and with every Vietnamese letter (Liberation 1.07 lacks ơ and ư), as the other services use.
  REPORT_FONT_REGULAR_PATH: Type.String({
    default: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
  }),
  REPORT_FONT_BOLD_PATH: Type.String({ default: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf' }),
  SUBMISSION_CHECK_INTERVAL_MS: Type.Integer({
    minimum: 1000,
    default: 60_000,
    description: 'How often each replica checks whether the month-start submission run is due',
  }),
  SIGNING_URL: Type.Optional(
    Type.String({
      description:
        "The signing service, which seals each submitted monthly report with the agency's organisation signature (with SERVICE_IDENTITY_PRIVATE_KEY_FILE); without it reports are stored unsealed",
    }),
  ),
  FRESHNESS_POLL_INTERVAL_MS: Type.Integer({
    minimum: 200,
    default: 5_000,
    description:
      'How often the broker is asked for its high-water marks (reports older than three polls say Kafka is unreachable)',
  }),
});
export type ReportingConfig = Static<typeof reportingConfigSchema>;

export const defaultReportFonts = {
  regular: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
  bold: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf',
};

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
