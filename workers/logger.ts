import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from '../entrypoints/http/request-id';
import { currentIncident } from './log-context';

/**
 * Paths pino blanks out wherever they appear: tokens, secrets, passwords, authorization headers
 * and the leaked value fields of every intake. Belt and braces: no code logs a secret on purpose.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'value',
  '*.value',
  'leakedValue',
  '*.leakedValue',
  'Raw',
  '*.Raw',
  'RawV2',
  '*.RawV2',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  '*.apiKey',
  '*.signingSecret',
  '*.botToken',
  'newValue',
  '*.newValue',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'tourniquet' },
      // Every line written while an HTTP request is served names that request, and every line
      // written by an activity names its incident and workflow.
      mixin: () => {
        const requestId = currentRequestId();
        return { ...(requestId ? { requestId } : {}), ...currentIncident() };
      },
    },
    destination,
  );
}
