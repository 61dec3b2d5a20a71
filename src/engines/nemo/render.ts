import { ApiError } from '../../core/errors.js';
import type { NemoHttp } from './http.js';
import { parseRender, readEnvelope, type Json, type RenderInfo } from './envelope.js';
import { protocolError } from './error-map.js';
import type { Quality } from '../../domain/work.js';

export interface RenderCall {
  skill?: string;
  signal?: AbortSignal;
}

/** The server refused a render id it has seen before. */
export function isDuplicateRender(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    err.code === 'API_ERROR' &&
    (err.status === 409 || /already|exist|duplicate|in use|used|reuse/i.test(err.message))
  );
}

/** The server does not know a render id (never posted, or forgotten). */
export function isUnknownRender(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    err.code === 'API_ERROR' &&
    (err.status === 404 || /not found|unknown|no such|does not exist/i.test(err.message))
  );
}

/**
 * `POST /api/render/proxy/lambda` with a client-chosen id. Returns 'duplicate' when the server says
 * the id is taken: the caller checkpointed the id first, so that is usually our own earlier attempt.
 */
export async function startRender(
  http: NemoHttp,
  args: { renderId: string; sessionId: string; draft: Json; quality: Quality },
  call: RenderCall,
): Promise<RenderInfo | 'duplicate'> {
  try {
    const answer = await http.json({
      endpoint: 'render-start',
      method: 'POST',
      path: '/api/render/proxy/lambda',
      auth: true,
      skill: call.skill,
      signal: call.signal,
      json: {
        id: args.renderId,
        sessionId: args.sessionId,
        draft: args.draft,
        output: { format: 'mp4', quality: args.quality },
      },
    });
    const info = parseRender(answer.body);
    if (info) return info;
    const env = readEnvelope(answer.body);
    if ((answer.body as Json | undefined)?.success === true || env.code === 0) {
      return { id: args.renderId, status: 'pending' };
    }
    throw protocolError('render-start', 'no status');
  } catch (err) {
    if (isDuplicateRender(err)) return 'duplicate';
    throw err;
  }
}

/** `GET /api/render/proxy/lambda/<id>`; 'unknown' when the server has no such render. */
export async function pollRender(
  http: NemoHttp,
  renderId: string,
  call: RenderCall,
): Promise<RenderInfo | 'unknown'> {
  try {
    const answer = await http.json({
      endpoint: 'render-poll',
      method: 'GET',
      path: `/api/render/proxy/lambda/${encodeURIComponent(renderId)}`,
      auth: true,
      // A render is polled by its own id: a 1002 here is retried, never a reason for a new session.
      sessionFree: true,
      skill: call.skill,
      signal: call.signal,
    });
    const info = parseRender(answer.body);
    if (!info) throw protocolError('render-poll', 'no status');
    return info;
  } catch (err) {
    if (isUnknownRender(err)) return 'unknown';
    throw err;
  }
}
