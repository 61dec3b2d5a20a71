import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from './api-key.js';
import { hostAllowed } from './host-check.js';
import { cookieValue, SESSION_COOKIE, type Session, type Sessions } from './sessions.js';

/** Paths anyone who passes the Host check may read: liveness, readiness, the page's static shell. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/', '/app.js', '/style.css', '/open']);

export type Auth = { by: 'key' } | { by: 'session'; session: Session };

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Auth;
  }
}

export interface GuardOptions {
  host: string;
  apiKey: string;
  sessions: Sessions;
  now: () => number;
}

/**
 * One hook in front of every route (Syncthing's middleware order): Host check, then credentials for
 * `/api/*` and `/metrics` (key in `Authorization: Bearer` or `X-API-Key`, or a session cookie whose
 * POSTs carry the CSRF token), then a foreign Origin refused on anything that changes state.
 */
export function guard(opts: GuardOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!hostAllowed(req.headers.host, opts.host)) {
      return refuse(reply, 403, 'HOST_REFUSED', 'This address is not one the daemon answers to');
    }
    const path = req.url.split('?')[0] ?? '/';
    if (OPEN_PATHS.has(path)) return;
    const changes = req.method !== 'GET' && req.method !== 'HEAD';
    if (changes && req.headers.origin && !sameOrigin(req.headers.origin, req.headers.host)) {
      return refuse(reply, 403, 'ORIGIN_REFUSED', 'Cross-site requests are refused');
    }
    const key = bearer(req.headers.authorization) ?? header(req.headers['x-api-key']);
    if (key !== undefined) {
      if (!sameSecret(key, opts.apiKey)) return refuse(reply, 401, 'KEY_INVALID', 'Wrong API key');
      req.auth = { by: 'key' };
      return;
    }
    const session = opts.sessions.find(cookieValue(req.headers.cookie, SESSION_COOKIE), opts.now());
    if (!session) {
      return refuse(
        reply,
        401,
        'KEY_MISSING',
        'An API key is needed (Authorization: Bearer <key> or X-API-Key; see <stateDir>/api-key)',
      );
    }
    if (changes && !opts.sessions.csrfOk(session, header(req.headers['x-csrf-token']))) {
      return refuse(reply, 403, 'CSRF_REFUSED', 'Missing or wrong X-CSRF-Token');
    }
    req.auth = { by: 'session', session };
  };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } });
}

function bearer(value: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(value ?? '');
  return m?.[1]?.trim();
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
