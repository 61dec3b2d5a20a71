/**
 * Every failure the daemon can explain carries a stable `code` (for logs, journals and tests), the
 * `message` saying what happened, and a `hint` saying what a person can do about it. Expected outcomes
 * (skipped, held, failed with a reason) are return values; these are for the exceptional path.
 */
export const ERROR_CODES = [
  // NemoVideo API, one per row of the error table in shared/API.md
  'TOKEN_INVALID', // 1001 / HTTP 401
  'SESSION_NOT_FOUND', // 1002
  'OUT_OF_CREDITS', // 2001
  'UNSUPPORTED_FILE', // 4001
  'FILE_TOO_LARGE', // 4002
  'MISSING_CLIENT_ID', // HTTP 400
  'EXPORT_BLOCKED', // HTTP 402
  'RATE_LIMITED', // HTTP 429
  'SERVER_ERROR', // HTTP 5xx
  'NETWORK', // resets, refused connections, timeouts
  'PROTOCOL', // an answer of a shape no source documents
  'API_ERROR', // any other envelope code
  'SSE_FAILED', // the agent reported an error in the stream
  'SSE_TIMEOUT', // the stream went idle or exceeded its cap
  'DRAFT_NOT_EXPORTABLE', // the instruction left no exportable draft
  'RENDER_FAILED',
  'RENDER_TIMEOUT',
  'DOWNLOAD_INVALID', // the downloaded file is not an MP4
  // local engine
  'FFMPEG_MISSING',
  'FFMPEG_FAILED',
  'PROBE_FAILED',
  // files and folders
  'NOT_A_VIDEO',
  'NO_MATCHING_RULE', // a video no rule of its folder takes
  'SOURCE_GONE', // removed from the inbox before it was converted
  'SOURCE_CHANGED', // other content under the name before it was converted: a new job takes it
  'INBOX_MISSING', // the whole inbox is gone: an unmounted share, not deletions
  'EMPTY_FILE',
  'LINK_REFUSED', // a symbolic link out of its inbox, looping or dangling: set aside, never followed
  'NAME_INVALID', // a name the file system refuses (too long, bad bytes): final, never retried
  'FOLDER_BLOCKED', // a file named _done or _failed stands where the daemon's folder goes
  'DISK_FULL',
  'OUTBOX_UNWRITABLE', // the output folder cannot be created or written to
  'OUTPUT_INVALID',
  'CONFIG_INVALID',
  'LOCKED',
  'DAEMON_NOT_RUNNING', // a command that needs the running daemon's API found none
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorOptions {
  cause?: unknown;
  /** What a person can do about it, in one or two sentences. */
  hint?: string;
  /** Structured facts for logs (never secrets). */
  context?: Record<string, unknown>;
  /** Whether trying the same step again later may succeed. */
  retryable?: boolean;
}

export class VideoInboxError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly context: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** A failure reported by the NemoVideo API: an envelope code, an HTTP status, or both. */
export class ApiError extends VideoInboxError {
  readonly status: number | undefined;
  readonly apiCode: number | undefined;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorOptions & { status?: number; apiCode?: number; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.status = options.status;
    this.apiCode = options.apiCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** ffmpeg or ffprobe exited badly; `stderrTail` holds its last lines, which usually say why. */
export class FfmpegError extends VideoInboxError {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorOptions & { exitCode?: number | null; stderrTail?: string } = {},
  ) {
    super(code, message, options);
    this.exitCode = options.exitCode ?? null;
    this.stderrTail = options.stderrTail ?? '';
  }
}

/** Config or rule YAML that does not validate; `issues` point at file:line:column. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

export class ConfigError extends VideoInboxError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options: ErrorOptions = {}) {
    super('CONFIG_INVALID', issues.map(formatConfigIssue).join('\n'), {
      hint: 'Fix the file at the position shown, then save it again (the daemon reloads it) or run `video-inbox validate`.',
      ...options,
    });
    this.issues = issues;
  }
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export function isVideoInboxError(err: unknown): err is VideoInboxError {
  return err instanceof VideoInboxError;
}

/** Wraps anything thrown into a VideoInboxError without losing the original as `cause`. */
export function toVideoInboxError(err: unknown): VideoInboxError {
  if (err instanceof VideoInboxError) return err;
  if (isAbortError(err)) return new VideoInboxError('CANCELLED', 'Stopped before finishing', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') {
    const path = (err as NodeJS.ErrnoException).path;
    return new VideoInboxError('DISK_FULL', path ? `The disk that holds ${path} is full` : 'A disk is full', {
      cause: err,
      hint: 'Free some space on that disk, then run `video-inbox retry --failed`.',
    });
  }
  if (code === 'ENAMETOOLONG' || code === 'EILSEQ') {
    const path = (err as NodeJS.ErrnoException).path;
    return new VideoInboxError(
      'NAME_INVALID',
      path ? `The file system refuses the name ${path} (${code})` : `A name was refused (${code})`,
      {
        cause: err,
        retryable: false,
        hint: 'Give the file a shorter name, then drop it in the inbox again.',
      },
    );
  }
  return new VideoInboxError('INTERNAL', message, { cause: err });
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')
  );
}
