import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { call, messageOf, newSession, newToken } from './client.js';

let em: Emulator | undefined;
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  em = await startEmulator({ seed: 1, ...options });
  return em;
}
afterEach(async () => {
  await em?.close();
  em = undefined;
});

describe('anonymous token', () => {
  it('issues a token with user id, expiry and 100 credits for a client id', async () => {
    const e = await start();
    const res = await call(e, '/api/auth/anonymous-token', {
      method: 'POST',
      headers: { 'x-client-id': 'abc' },
    });
    expect(res.status).toBe(200);
    expect(res.json.code).toBe(0);
    expect(res.json.data).toMatchObject({
      token: expect.any(String),
      user_id: expect.any(String),
      credits: 100,
    });
    const days = (Date.parse(res.json.data.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['longer than 64 characters', 'x'.repeat(65)],
  ])('answers HTTP 400 when X-Client-Id is %s', async (_label, clientId) => {
    const e = await start();
    const headers: Record<string, string> = clientId === undefined ? {} : { 'x-client-id': clientId };
    const res = await call(e, '/api/auth/anonymous-token', { method: 'POST', headers });
    expect(res.status).toBe(400);
  });

  it('answers 429 with Retry-After while the client id still has a live token', async () => {
    const e = await start();
    await newToken(e, 'same');
    const res = await call(e, '/api/auth/anonymous-token', {
      method: 'POST',
      headers: { 'x-client-id': 'same' },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await newToken(e, 'other')).toEqual(expect.any(String));
  });

  it('after expireTokens every issued token answers 1001 and a new one may be issued', async () => {
    const e = await start({ authErrorStyle: 'envelope' });
    const old = await newToken(e, 'c1');
    const sid = await newSession(e, old);
    e.expireTokens();
    const res = await call(e, '/api/credits/balance/simple', { token: old });
    expect(res.status).toBe(200);
    expect(res.json.code).toBe(1001);
    const fresh = await newToken(e, 'c1');
    expect(fresh).not.toBe(old);
    // The same client id keeps its account, so its sessions survive a token refresh.
    const state = await call(e, `/api/state/nemo_agent/me/${sid}/latest`, { token: fresh });
    expect(state.json.code).toBe(0);
  });
});

describe('authentication of other endpoints', () => {
  it.each([
    ['envelope', 200, 1001],
    ['http', 401, undefined],
    ['both', 401, 1001],
  ] as const)('reports a bad token in %s style', async (style, status, code) => {
    const e = await start({ authErrorStyle: style });
    for (const token of [undefined, 'not-a-token']) {
      const res = await call(e, '/api/credits/balance/simple', { token });
      expect(res.status).toBe(status);
      expect(res.json.code).toBe(code);
    }
  });

  it('mixed style uses every form over many requests', async () => {
    const e = await start({ authErrorStyle: 'mixed' });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await call(e, '/api/credits/balance/simple', { token: 'bad' });
      seen.add(`${res.status}/${res.json.code}`);
    }
    expect(seen).toEqual(new Set(['200/1001', '401/undefined', '401/1001']));
  });

  it('accepts registered tokens like a NEMO_TOKEN', async () => {
    const e = await start({ registeredTokens: ['reg-token'] });
    const res = await call(e, '/api/credits/balance/simple', { token: 'reg-token' });
    expect(res.json).toMatchObject({ code: 0, data: { available: 100, frozen: 0, total: 100 } });
  });
});

describe('session, state and credits', () => {
  it('creates a session with a numeric session id and an empty, unexportable draft', async () => {
    const e = await start();
    const token = await newToken(e);
    const res = await call(e, '/api/tasks/me/with-session/nemo_agent', {
      token,
      body: { task_name: 'project', language: 'en' },
    });
    expect(res.json.code).toBe(0);
    expect(res.json.data.session_id).toMatch(/^\d+$/);
    expect(res.json.data.task_id).toEqual(expect.any(String));
    const state = await call(e, `/api/state/nemo_agent/me/${res.json.data.session_id}/latest`, { token });
    const s = state.json.data.state;
    expect(s.draft.t.every((t: { sg: unknown[] }) => t.sg.length === 0)).toBe(true);
    expect(s).toMatchObject({ video_infos: [], generated_media: [], canvas_config: expect.any(Object) });
    expect(s.draft).toMatchObject({ d: 0, m: expect.any(Object) });
  });

  it('answers 1002 for an unknown session and for another account’s session', async () => {
    const e = await start();
    const a = await newToken(e);
    const b = await newToken(e);
    const sid = await newSession(e, a);
    for (const [token, id] of [
      [a, '999'],
      [b, sid],
    ] as const) {
      const res = await call(e, `/api/state/nemo_agent/me/${id}/latest`, { token });
      expect(res.status).toBe(200);
      expect(res.json.code).toBe(1002);
    }
  });

  it('reports credits and setCredits changes every account', async () => {
    const e = await start();
    const token = await newToken(e);
    e.setCredits(7);
    const res = await call(e, '/api/credits/balance/simple', { token });
    expect(res.json.data).toEqual({ available: 7, frozen: 0, total: 7 });
  });

  it.each(['message', 'msg'] as const)('uses the %s field when told to', async (field) => {
    const e = await start({ messageField: field });
    const res = await call(e, '/api/credits/balance/simple', { token: await newToken(e) });
    expect(Object.keys(res.json)).toContain(field);
    expect(messageOf(res.json)).toBe('success');
  });
});

describe('recording', () => {
  it('records endpoint, method, path, headers (attribution included) and JSON body', async () => {
    const e = await start();
    const token = await newToken(e);
    await newSession(e, token);
    await call(e, '/nope');
    expect(e.count('token')).toBe(1);
    expect(e.count('session')).toBe(1);
    const session = e.requests.find((r) => r.endpoint === 'session');
    expect(session).toMatchObject({
      method: 'POST',
      path: '/api/tasks/me/with-session/nemo_agent',
      body: { task_name: 'project', language: 'en' },
    });
    expect(session?.headers).toMatchObject({
      'x-skill-source': 'video-converter-best',
      'x-skill-version': '0.1.0',
      'x-skill-platform': 'unknown',
      authorization: `Bearer ${token}`,
    });
    expect(e.requests.at(-1)).toMatchObject({ endpoint: 'other', path: '/nope' });
  });

  it('makes the same choices for the same seed', async () => {
    const run = async (): Promise<string[]> => {
      const e = await startEmulator({ seed: 42 });
      try {
        const token = await newToken(e, 'fixed');
        const sid = await newSession(e, token);
        const res = await call(e, '/api/credits/balance/simple', { token });
        return [token, sid, Object.keys(res.json).join()];
      } finally {
        await e.close();
      }
    };
    expect(await run()).toEqual(await run());
  });
});

describe('injected faults', () => {
  it('answers an HTTP status with Retry-After, then recovers after `times`', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'http', status: 429, retryAfter: 2 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await call(e, '/api/credits/balance/simple', { token });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    expect((await call(e, '/api/credits/balance/simple', { token })).json.code).toBe(0);
  });

  it('answers an HTTP status with a given body', async () => {
    const e = await start();
    e.inject('session', { kind: 'http', status: 503, body: { oops: true } });
    const res = await call(e, '/api/tasks/me/with-session/nemo_agent', { body: {} });
    expect(res).toMatchObject({ status: 503, json: { oops: true } });
  });

  it('answers an envelope code with HTTP 200, or the given status', async () => {
    const e = await start({ messageField: 'msg' });
    const token = await newToken(e);
    e.inject('credits', { kind: 'envelope', code: 2001, message: 'no money' });
    e.inject('credits', { kind: 'envelope', code: 1001, status: 401 });
    const a = await call(e, '/api/credits/balance/simple', { token });
    expect(a).toMatchObject({ status: 200, json: { code: 2001, msg: 'no money' } });
    const b = await call(e, '/api/credits/balance/simple', { token });
    expect(b).toMatchObject({ status: 401, json: { code: 1001 } });
  });

  it('resets the connection without an answer', async () => {
    const e = await start();
    e.inject('token', { kind: 'reset' });
    await expect(
      call(e, '/api/auth/anonymous-token', { method: 'POST', headers: { 'x-client-id': 'r' } }),
    ).rejects.toThrow();
    expect(e.count('token')).toBe(1);
    expect(await newToken(e, 'r')).toEqual(expect.any(String));
  });

  it('stalls for ms and then answers normally', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'stall', ms: 300 });
    const started = Date.now();
    const res = await call(e, '/api/credits/balance/simple', { token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.json.code).toBe(0);
  });

  it('stalls until the client gives up when no ms is given', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'stall' });
    await expect(
      call(e, '/api/credits/balance/simple', { token, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect((await call(e, '/api/credits/balance/simple', { token })).json.code).toBe(0);
  });

  it('sends the client on with a Location back to the same address, then answers normally', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'redirect', status: 307 });
    const first = await fetch(`${e.url}/api/credits/balance/simple`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    expect(first.status).toBe(307);
    const location = first.headers.get('location') ?? '';
    expect(new URL(location, e.url).pathname).toBe('/api/credits/balance/simple');
    expect((await call(e, location, { token })).json.code).toBe(0);
    expect(e.count('credits')).toBe(2);
  });

  it('keeps an Infinity fault until clearFaults', async () => {
    const e = await start();
    e.inject('credits', { kind: 'http', status: 500 }, Infinity);
    for (let i = 0; i < 5; i++) expect((await call(e, '/api/credits/balance/simple')).status).toBe(500);
    e.clearFaults();
    expect((await call(e, '/api/credits/balance/simple')).status).not.toBe(500);
  });

  it('slows a JSON body down to the given rate', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'slow', bytesPerSecond: 200 });
    const started = Date.now();
    const res = await call(e, '/api/credits/balance/simple', { token });
    expect(res.json.code).toBe(0);
    // About 80 bytes at 200 B/s: the body cannot arrive faster than the rate allows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('cuts a JSON body midway', async () => {
    const e = await start();
    const token = await newToken(e);
    e.inject('credits', { kind: 'reset-midway' });
    await expect(call(e, '/api/credits/balance/simple', { token })).rejects.toThrow();
  });
});
