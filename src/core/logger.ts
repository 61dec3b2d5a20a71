import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger, type DestinationStream } from 'pino';
import { redact } from './secrets.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON (the default on a TTY). */
  pretty?: boolean;
  /** Where lines go; stdout by default. */
  destination?: { write(line: string): unknown };
  /**
   * Applied to every string a line carries (message and fields), after pino and before redaction:
   * the daemon names its config in the commands it logs (`withConfigFlag`).
   */
  rewrite?: (text: string) => string;
}

/** Field names whose values are secrets wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const usePretty = options.pretty ?? (process.stdout.isTTY === true && options.destination === undefined);
  const redacted = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      // Pretty lines are text already; JSON lines were rewritten field by field in onceEach.
      const text = String(chunk);
      out.write(redact(usePretty && options.rewrite ? options.rewrite(text) : text));
      done();
    },
  });
  const sink: DestinationStream = usePretty
    ? loadPretty()({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname',
        destination: redacted,
        sync: true,
      })
    : { write: (line: string) => redacted.write(onceEach(line, options.rewrite)) };
  return pino(
    {
      level: options.level ?? process.env.VIDEO_INBOX_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    sink,
  );
}

/**
 * pino-pretty (and its streams library) only when lines are for a person at a terminal: a daemon
 * under a service manager, piped output and the commands that log nothing never pay for loading it.
 */
function loadPretty(): typeof import('pino-pretty') {
  return createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
}

/**
 * pino appends a child's bindings to its parent's, so a child that names a field its parent already
 * set (`module: 'local'`, then `module: 'local-engine'`) writes the key twice, which JSON readers
 * resolve differently. Each line is written with each field once, the innermost value winning.
 */
export function onceEach(line: string, rewrite?: (text: string) => string): string {
  try {
    const entry: unknown = JSON.parse(line);
    return `${JSON.stringify(rewrite ? rewriteStrings(entry, rewrite) : entry)}\n`;
  } catch {
    return line;
  }
}

/** Every string in a parsed log entry, rewritten (keys and other values kept). */
function rewriteStrings(value: unknown, rewrite: (text: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, rewrite));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rewrite)]));
  return value;
}

/** A logger that drops everything, for tests that don't look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
