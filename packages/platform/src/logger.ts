import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';

// Secrets and personal identifiers that must never reach a log line, wherever they appear.
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vanthu-identity"]',
  'headers.authorization',
  'headers["x-vanthu-identity"]',
  '*.pin',
  '*.userPin',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.privateKey',
  '*.secret',
  '*.personalId',
  '*.citizenId',
];

export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  options: LoggerOptions = {},
  destination?: pino.DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    name: service,
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...options,
  };
  return destination ? pino(settings, destination) : pino(settings);
}

export type { Logger };
