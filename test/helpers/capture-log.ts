import { pino, type Logger } from 'pino';
import { redact } from '../../src/core/secrets.js';
import { REDACT_PATHS } from '../../src/core/logger.js';

/** A real pino logger whose lines (after the same redaction as production) are kept for assertions. */
export function captureLog(level = 'debug'): {
  log: Logger;
  lines: string[];
  entries: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const log = pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined },
    { write: (line: string) => void lines.push(redact(line)) },
  );
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
