import type { EmulatorContext, Exchange } from './context.js';
import { sendJson } from './http-io.js';
import { choose } from './random.js';

export const DEFAULT_MESSAGES: Record<number, string> = {
  0: 'success',
  1001: 'Token expired or invalid',
  1002: 'Session not found',
  2001: 'Insufficient credits',
  4001: 'Unsupported file type. Accepted: mp4 mov avi webm mkv jpg png gif webp mp3 wav m4a aac',
  4002: 'File too large',
};

/** The message field is `message` in some sources and `msg` in others. */
export function messageField(ctx: EmulatorContext): 'message' | 'msg' {
  return choose(ctx.random, ctx.options.messageField, ['message', 'msg'] as const);
}

export function okEnvelope(ctx: EmulatorContext, data: unknown): Record<string, unknown> {
  return { code: 0, [messageField(ctx)]: 'success', data };
}

export function codeEnvelope(
  ctx: EmulatorContext,
  code: number,
  message?: string,
  data?: unknown,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    code,
    [messageField(ctx)]: message ?? DEFAULT_MESSAGES[code] ?? 'Error',
  };
  if (data !== undefined) body.data = data;
  return body;
}

export function sendOk(ex: Exchange, data: unknown): Promise<void> {
  return sendJson(ex, 200, okEnvelope(ex.ctx, data));
}

/** An envelope error code, answered with HTTP 200 as the service does unless a status is given. */
export function sendCode(
  ex: Exchange,
  code: number,
  message?: string,
  status = 200,
  data?: unknown,
): Promise<void> {
  return sendJson(ex, status, codeEnvelope(ex.ctx, code, message, data));
}

/** 1001 arrives as an envelope with HTTP 200, as a plain HTTP 401, or both, per `authErrorStyle`. */
export function sendAuthError(ex: Exchange): Promise<void> {
  const style = choose(ex.ctx.random, ex.ctx.options.authErrorStyle, ['envelope', 'http', 'both'] as const);
  if (style === 'envelope') return sendCode(ex, 1001);
  if (style === 'both') return sendCode(ex, 1001, undefined, 401);
  return sendJson(ex, 401, { error: 'Unauthorized' });
}

/** Render endpoints answer `{"success":false,"error":…}` instead of a code envelope. */
export function sendRenderError(ex: Exchange, status: number, error: string): Promise<void> {
  return sendJson(ex, status, { success: false, error });
}
