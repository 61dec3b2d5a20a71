import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT_NAMES, startEmulator, type Emulator, type EndpointName } from '../../emulator/index.js';
import { ATTRIBUTION, newSession, newToken } from './client.js';
import { junkFile, mediaDir } from './media.js';

let media: Awaited<ReturnType<typeof mediaDir>>;
let upload: string;
beforeAll(async () => {
  media = await mediaDir();
  upload = await junkFile(join(media.dir, 'some.mp4'), 2 * 1024 * 1024);
});
afterAll(() => media.cleanup());

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

/** One request per endpoint, with the body each expects (the upload sends 2 MB). */
async function hit(
  e: Emulator,
  endpoint: EndpointName,
  token: string,
  sid: string,
  signal?: AbortSignal,
): Promise<Response> {
  const auth = { ...ATTRIBUTION, authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const { openAsBlob } = await import('node:fs');
  const form = new FormData();
  form.append('files', await openAsBlob(upload), 'some.mp4');
  const requests: Record<EndpointName, [string, RequestInit]> = {
    token: [
      '/api/auth/anonymous-token',
      { method: 'POST', headers: { 'x-client-id': `f-${Math.random()}` } },
    ],
    session: [
      '/api/tasks/me/with-session/nemo_agent',
      { method: 'POST', headers: json, body: '{"task_name":"project","language":"en"}' },
    ],
    upload: [`/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: auth, body: form }],
    sse: [
      '/run_sse',
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ session_id: sid, new_message: { parts: [{ text: 'x' }] } }),
      },
    ],
    state: [`/api/state/nemo_agent/me/${sid}/latest`, { headers: auth }],
    'render-start': [
      '/api/render/proxy/lambda',
      { method: 'POST', headers: json, body: JSON.stringify({ id: `r${Math.random()}`, sessionId: sid }) },
    ],
    'render-poll': ['/api/render/proxy/lambda/render_x', { headers: auth }],
    download: ['/cdn/renders/render_x/render_x.mp4', {}],
    credits: ['/api/credits/balance/simple', { headers: auth }],
  };
  const [path, init] = requests[endpoint];
  return fetch(e.url + path, { ...init, signal });
}

/** Every endpoint of the API, as the emulator lists them. */
const ENDPOINTS = [...ENDPOINT_NAMES];

describe.each(ENDPOINTS)('faults on %s', (endpoint) => {
  it('answers an injected HTTP status (reading any upload body first) and an envelope code', async () => {
    em = await startEmulator({ seed: 2 });
    const token = await newToken(em);
    const sid = await newSession(em, token);
    em.inject(endpoint, { kind: 'http', status: 502 });
    em.inject(endpoint, { kind: 'envelope', code: 1002, message: 'gone' });
    const a = await hit(em, endpoint, token, sid);
    expect(a.status).toBe(502);
    const b = await hit(em, endpoint, token, sid);
    expect(b.status).toBe(200);
    expect(await b.json()).toMatchObject({ code: 1002 });
    // newToken and newSession made one request each already.
    expect(em.count(endpoint)).toBe(endpoint === 'token' || endpoint === 'session' ? 3 : 2);
  });

  it('resets, and stalls until the client gives up', async () => {
    em = await startEmulator({ seed: 2 });
    const token = await newToken(em);
    const sid = await newSession(em, token);
    em.inject(endpoint, { kind: 'reset' });
    em.inject(endpoint, { kind: 'stall' });
    await expect(hit(em, endpoint, token, sid)).rejects.toThrow();
    await expect(hit(em, endpoint, token, sid, AbortSignal.timeout(200))).rejects.toThrow();
  });
});
