import { ConfigError, formatConfigIssue, toVideoInboxError, type VideoInboxError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { EXIT } from './exit-codes.js';

/** The exit code a failure deserves (see exit-codes.ts and the README). */
export function exitCodeFor(err: VideoInboxError): number {
  switch (err.code) {
    case 'CONFIG_INVALID':
      return EXIT.USAGE;
    case 'LOCKED':
      return EXIT.LOCKED;
    case 'FFMPEG_MISSING':
      return EXIT.MISSING_TOOL;
    case 'OUT_OF_CREDITS':
    case 'EXPORT_BLOCKED':
      return EXIT.NEEDS_ACCOUNT;
    case 'CANCELLED':
      return EXIT.INTERRUPTED;
    default:
      return EXIT.FAILED;
  }
}

/**
 * A daemon's hint promises a retry ("the job is retried later"); a one-shot command (`convert`,
 * `credits`) retries nothing once it has given up, so there the person is told to run it again.
 */
export function oneShotHint(hint: string): string {
  return hint.replace(
    /[;,.]?\s*(?:the job|the file|it) is (?:re)?tried(?: again)? later\.?/gi,
    ', then run the same command again.',
  );
}

/** Whether the words are for the daemon (which retries) or a one-shot command (which does not). */
export type ErrorContext = 'daemon' | 'one-shot';

/** What happened and what to do, for a person at a terminal; never a stack trace or a token. */
export function describeError(thrown: unknown, context: ErrorContext = 'daemon'): string {
  const err = toVideoInboxError(thrown);
  const lines =
    err instanceof ConfigError
      ? ['The settings have errors:', ...err.issues.map((i) => `  ${formatConfigIssue(i)}`)]
      : [err.message];
  if (err.hint) lines.push(context === 'one-shot' ? oneShotHint(err.hint) : err.hint);
  if (err.code === 'INTERNAL' && process.env.VIDEO_INBOX_DEBUG && err.stack) lines.push(err.stack);
  return redact(lines.join('\n'));
}

/** Prints the error to stderr and sets the exit code; the only place errors become exit codes. */
export function reportError(
  thrown: unknown,
  err: (line: string) => void = (l) => console.error(l),
  context: ErrorContext = 'daemon',
): number {
  const e = toVideoInboxError(thrown);
  err(`video-inbox: ${describeError(e, context)}`);
  const code = exitCodeFor(e);
  process.exitCode = code;
  return code;
}
