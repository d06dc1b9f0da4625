import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear (two levels deep). */
const SECRET_KEYS = [
  'authorization',
  'apiKey',
  'api_key',
  'token',
  'data_access_token',
  'password',
  'bigquery_service_key',
  'secret_key',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Logs go to stderr: stdout belongs to the stdio protocol. */
export function createLogger(level: LogLevel): Logger {
  return pino(
    { name: 'cluvio-mcp', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ fd: 2, sync: false }),
  );
}
