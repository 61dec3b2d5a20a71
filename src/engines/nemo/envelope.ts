/**
 * The API answers in several documented shapes (shared/API.md); these functions turn each into one
 * internal shape, so the rest of the client never looks at raw JSON.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** What an answer says about itself, whichever envelope it uses. */
export interface EnvelopeFacts {
  /** The envelope code, when the body has one. */
  code?: number;
  /** `message`, `msg` or `error` text, when present. */
  message?: string;
  /** `success:false` was said. */
  failed: boolean;
  data: unknown;
}

export function readEnvelope(body: unknown): EnvelopeFacts {
  if (!isObject(body)) return { failed: false, data: body };
  const code = num(body.code);
  const message =
    str(body.message) ?? str(body.msg) ?? str(body.error) ?? str(body.errorMessage) ?? errorText(body.error);
  const failed = body.success === false;
  const data = 'data' in body ? body.data : body;
  return { code, message, failed, data };
}

function errorText(value: unknown): string | undefined {
  return isObject(value) ? (str(value.message) ?? str(value.msg)) : undefined;
}

export interface TokenGrant {
  token: string;
  userId?: string;
  /** Epoch ms, when the answer said. */
  expiresAt?: number;
  credits?: number;
}

export function parseTokenGrant(data: unknown): TokenGrant | undefined {
  if (!isObject(data)) return undefined;
  const token = str(data.token) ?? str(data.access_token);
  if (!token) return undefined;
  return {
    token,
    userId: str(data.user_id) ?? str(data.userId),
    expiresAt: parseInstant(data.expires_at ?? data.expiresAt),
    credits: num(data.credits),
  };
}

/** `expires_at` may be ISO text, epoch seconds or epoch milliseconds. */
export function parseInstant(value: unknown): number | undefined {
  const n = num(value);
  if (n !== undefined) return n < 1e12 ? n * 1000 : n;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export interface SessionInfo {
  sessionId: string;
  taskId?: string;
}

export function parseSession(data: unknown): SessionInfo | undefined {
  if (!isObject(data)) return undefined;
  const sessionId = str(data.session_id) ?? str(data.sessionId);
  if (!sessionId) return undefined;
  return { sessionId, taskId: str(data.task_id) ?? str(data.taskId) };
}

export interface UploadedFile {
  filename: string;
  fileType?: string;
  cdnUrl: string;
  durationSec?: number;
  width?: number;
  height?: number;
}

/** `data.files[]` (current) or `data.video_infos[]` (older), with either naming of the fields. */
export function parseUploadedFiles(data: unknown): UploadedFile[] | undefined {
  if (!isObject(data)) return undefined;
  const list = Array.isArray(data.files)
    ? data.files
    : Array.isArray(data.video_infos)
      ? data.video_infos
      : undefined;
  if (!list) return undefined;
  const files: UploadedFile[] = [];
  for (const item of list) {
    if (!isObject(item)) return undefined;
    const cdnUrl = str(item.cdn_url) ?? str(item.cdnUrl) ?? str(item.url) ?? str(item.video_url);
    if (!cdnUrl) return undefined;
    files.push({
      filename: str(item.filename) ?? str(item.file_name) ?? str(item.name) ?? '',
      fileType: str(item.file_type) ?? str(item.fileType) ?? str(item.type),
      cdnUrl,
      durationSec: num(item.duration),
      width: num(item.width),
      height: num(item.height),
    });
  }
  return files;
}

export type RenderStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface RenderInfo {
  id?: string;
  status: RenderStatus;
  progress?: number;
  outputUrl?: string;
  error?: string;
  durationSec?: number;
  sizeBytes?: number;
}

const STATUS_WORDS: Record<string, RenderStatus> = {
  pending: 'pending',
  queued: 'pending',
  waiting: 'pending',
  processing: 'processing',
  running: 'processing',
  rendering: 'processing',
  completed: 'completed',
  complete: 'completed',
  done: 'completed',
  success: 'completed',
  succeeded: 'completed',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
};

/**
 * Both render answers: `{success,data:{id,status,progress,outputUrl}}` and the flat
 * `{taskId,status,progress,output:{url,duration,size}}`. `body` is the whole answer.
 */
export function parseRender(body: unknown): RenderInfo | undefined {
  if (!isObject(body)) return undefined;
  const inner = isObject(body.data) ? body.data : body;
  const status = STATUS_WORDS[String(inner.status ?? '').toLowerCase()];
  if (!status) return undefined;
  const output = isObject(inner.output) ? inner.output : {};
  return {
    id: str(inner.id) ?? str(inner.taskId) ?? str(inner.task_id),
    status,
    progress: num(inner.progress),
    outputUrl:
      str(inner.outputUrl) ??
      str(inner.output_url) ??
      str(output.url) ??
      str(inner.url) ??
      str(inner.downloadUrl),
    error: str(inner.error) ?? errorText(inner.error) ?? str(inner.message),
    durationSec: seconds(num(output.duration) ?? num(inner.duration)),
    sizeBytes: num(output.size) ?? num(inner.size),
  };
}

/** Durations are seconds in the sources; a value beyond a day can only be milliseconds. */
function seconds(value: number | undefined): number | undefined {
  if (value === undefined || value <= 0) return undefined;
  return value > 86_400 ? value / 1000 : value;
}

export interface Credits {
  available: number;
  frozen: number;
  total: number;
}

export function parseCredits(data: unknown): Credits | undefined {
  if (!isObject(data)) return undefined;
  const available = num(data.available);
  if (available === undefined) return undefined;
  return { available, frozen: num(data.frozen) ?? 0, total: num(data.total) ?? available };
}
