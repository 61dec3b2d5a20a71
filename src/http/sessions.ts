import { randomBytes } from 'node:crypto';
import { sameSecret } from './api-key.js';

/**
 * How the page authenticates without ever holding the API key: `video-inbox open` asks the daemon
 * (with the key) for a one-time link; opening it sets an HttpOnly, SameSite=Strict session cookie and
 * the page fetches a CSRF token, which it must send as X-CSRF-Token on every POST.
 */
export interface Session {
  id: string;
  csrf: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'vi_session';
const LINK_TTL_MS = 5 * 60_000;
const SESSION_TTL_MS = 7 * 24 * 3600_000;

export interface Sessions {
  /** A token usable once, within five minutes. */
  issueLink(now: number): string;
  /** Consumes a link token; a new session, or undefined when unknown, used or expired. */
  redeem(token: string, now: number): Session | undefined;
  find(cookieValue: string | undefined, now: number): Session | undefined;
  csrfOk(session: Session, header: string | undefined): boolean;
}

export function createSessions(): Sessions {
  const links = new Map<string, number>();
  const sessions = new Map<string, Session>();
  const token = () => randomBytes(24).toString('base64url');
  return {
    issueLink(now) {
      for (const [t, exp] of links) if (exp < now) links.delete(t);
      const t = token();
      links.set(t, now + LINK_TTL_MS);
      return t;
    },
    redeem(t, now) {
      const exp = links.get(t);
      links.delete(t);
      if (exp === undefined || exp < now) return undefined;
      const session = { id: token(), csrf: token(), expiresAt: now + SESSION_TTL_MS };
      sessions.set(session.id, session);
      return session;
    },
    find(id, now) {
      if (!id) return undefined;
      const s = sessions.get(id);
      if (!s) return undefined;
      if (s.expiresAt < now) {
        sessions.delete(id);
        return undefined;
      }
      return s;
    },
    csrfOk: (s, header) => sameSecret(header, s.csrf),
  };
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
