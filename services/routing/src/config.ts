import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const routingConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3103 }),
  DOCUMENTS_URL: Type.String({
    minLength: 1,
    default: 'http://127.0.0.1:3101',
    description: 'The documents service (not the gateway)',
  }),
  SIGNING_URL: Type.String({
    minLength: 1,
    default: 'http://127.0.0.1:3102',
    description: "The signing service (not the gateway): seals consultations' summaries with the agency's seal",
  }),
  LOCAL_AGENCIES: Type.String({
    default: '',
    pattern: '^([0-9A-Z.]+(,[0-9A-Z.]+)*)?$',
    description:
      'Comma-separated mã định danh of the agencies on this instance: documents issued to them are delivered directly',
  }),
});
export type RoutingConfig = Static<typeof routingConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.2.0';
