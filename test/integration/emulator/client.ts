import type { Emulator } from '../../emulator/index.js';

/** Minimal plain-fetch helpers for testing the emulator itself (not the product's client). */
export const ATTRIBUTION = {
  'x-skill-source': 'video-converter-best',
  'x-skill-version': '0.1.0',
  'x-skill-platform': 'unknown',
};

// Tests read answers of many documented shapes; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call(
  em: Emulator,
  path: string,
  opts: Call = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...ATTRIBUTION, ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(em.url + path, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

let clients = 0;
export async function newToken(
  em: Emulator,
  clientId = `client-${process.pid}-${++clients}`,
): Promise<string> {
  const res = await call(em, '/api/auth/anonymous-token', {
    method: 'POST',
    headers: { 'x-client-id': clientId },
  });
  if (res.json?.code !== 0) throw new Error(`token failed: ${JSON.stringify(res.json)}`);
  return res.json.data.token as string;
}

export async function newSession(em: Emulator, token: string): Promise<string> {
  const res = await call(em, '/api/tasks/me/with-session/nemo_agent', {
    token,
    body: { task_name: 'project', language: 'en' },
  });
  if (res.json?.code !== 0) throw new Error(`session failed: ${JSON.stringify(res.json)}`);
  return res.json.data.session_id as string;
}

/** The message of a code envelope, whichever field name the emulator chose. */
export function messageOf(json: { message?: string; msg?: string }): string | undefined {
  return json.message ?? json.msg;
}
