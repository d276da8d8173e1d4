import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const signingConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3102 }),
  HSM_MODULE_PATH: Type.String({ minLength: 1, description: 'PKCS#11 module (SoftHSM2 here, any PKCS#11 module in production)' }),
  HSM_TOKEN_LABEL: Type.String({ minLength: 1 }),
  HSM_PIN_FILE: Type.String({ minLength: 1, description: 'File holding the user PIN; the PIN never goes into the environment' }),
});
export type SigningConfig = Static<typeof signingConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
