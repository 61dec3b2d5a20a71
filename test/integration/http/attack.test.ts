import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  distIsFresh,
  killChildren,
  makeSandbox,
  runCli,
  spawnDaemon,
  type Sandbox,
} from '../daemon/harness.js';
import { apiOf, call } from './http-client.js';

let sb: Sandbox | undefined;

beforeAll(() => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
});

afterEach(async () => {
  await killChildren();
  await sb?.close();
  sb = undefined;
});

/**
 * The built daemon's API refuses what a hostile page or a stranger on the machine would try (issue 12,
 * "Done when": missing or wrong key, a foreign Host, a cross-origin form post), and never shows a
 * NemoVideo token.
 */
describe('the API of the built daemon under attack', () => {
  it('refuses a missing or wrong key, a foreign Host and a cross-origin form post; health is open', async () => {
    sb = await makeSandbox();
    const child = spawnDaemon(sb);
    await child.waitForLog('Status page and API listening');
    const api = await apiOf(sb);
    const host = new URL(api.url).host;

    // The key file: created at the first start, readable by the owner only.
    expect((await stat(join(sb.stateDir, 'api-key'))).mode & 0o777).toBe(0o600);

    // Open: liveness and readiness.
    expect((await call(api.url, '/healthz')).status).toBe(200);
    expect([200, 503]).toContain((await call(api.url, '/readyz')).status);

    // Missing key.
    const missing = await call(api.url, '/api/jobs');
    expect(missing.status).toBe(401);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('KEY_MISSING');
    expect((await call(api.url, '/metrics')).status).toBe(401);
    expect((await call(api.url, '/api/events')).status).toBe(401);

    // Wrong key, both header forms.
    const wrongBearer = await call(api.url, '/api/jobs', {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrongBearer.status).toBe(401);
    const wrongHeader = await call(api.url, '/api/folders', { headers: { 'x-api-key': `${api.key}x` } });
    expect(wrongHeader.status).toBe(401);
    // The right key in either form.
    expect((await call(api.url, '/api/jobs', { headers: { 'x-api-key': api.key } })).status).toBe(200);
    expect((await api.get('/api/jobs')).status).toBe(200);

    // DNS rebinding: a foreign Host is refused even with the right key, and even on open paths.
    for (const path of ['/api/jobs', '/healthz', '/']) {
      const foreign = await call(api.url, path, {
        headers: { host: `evil.example:${new URL(api.url).port}`, authorization: `Bearer ${api.key}` },
      });
      expect(foreign.status, path).toBe(403);
      expect(foreign.json<{ error: { code: string } }>().error.code).toBe('HOST_REFUSED');
    }
    // The loopback names are accepted.
    for (const name of ['localhost', '127.0.0.1']) {
      const ok = await call(api.url, '/healthz', { headers: { host: `${name}:${new URL(api.url).port}` } });
      expect(ok.status, name).toBe(200);
    }

    // A cross-site form post: no key header, a form body, a foreign Origin.
    const form = {
      method: 'POST',
      headers: {
        host,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'drain=true',
    };
    const formPost = await call(api.url, '/api/pause', form);
    expect(formPost.status).toBe(403);
    // Same form, as if the browser had no Origin to send: still no credentials.
    const noOrigin = await call(api.url, '/api/pause', {
      ...form,
      headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(noOrigin.status).toBe(401);
    // State-changing calls are POST only.
    expect((await api.get('/api/pause')).status).toBe(404);
    // Nothing was paused by any of it.
    expect((await api.get('/api/state')).json<{ paused: boolean }>().paused).toBe(false);
    expect(await readdir(sb.stateDir)).not.toContain('paused.json');
  }, 120_000);

  it('signs a browser in with a one-time link and then requires the CSRF token on its POSTs', async () => {
    sb = await makeSandbox();
    const child = spawnDaemon(sb);
    await child.waitForLog('Status page and API listening');
    const api = await apiOf(sb);

    // Without a session the page itself loads (it holds no secret) but the API does not answer.
    const page = await call(api.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.text).not.toContain(api.key);

    const opened = await runCli(sb, ['open', '--config', sb.configPath]);
    expect(opened.code).toBe(0);
    const link = opened.stdout.trim();
    expect(link.startsWith(`${api.url}/open?t=`)).toBe(true);
    expect(link).not.toContain(api.key);

    const first = await call(link, '');
    expect(first.status).toBe(303);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    // The link works once.
    expect((await call(link, '')).status).toBe(403);

    const session = await call(api.url, '/api/session', { headers: { cookie } });
    expect(session.status).toBe(200);
    const { csrf } = session.json<{ csrf: string }>();
    expect(csrf.length).toBeGreaterThan(20);
    expect(session.text).not.toContain(api.key);

    // Reading with the cookie is fine; a POST with the cookie but without the token is a forgery.
    expect((await call(api.url, '/api/jobs', { headers: { cookie } })).status).toBe(200);
    const forged = await call(api.url, '/api/pause', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).toBe(403);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe('CSRF_REFUSED');
    const wrongToken = await call(api.url, '/api/pause', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': `${csrf}x`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrongToken.status).toBe(403);
    // A session cannot mint links: only the key can.
    const mint = await call(api.url, '/api/session/link', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mint.status).toBe(403);

    const paused = await call(api.url, '/api/pause', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{"drain":true}',
    });
    expect(paused.status).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, drain: true });
  }, 120_000);

  it('never shows the NemoVideo token in any answer', async () => {
    sb = await makeSandbox();
    const child = spawnDaemon(sb);
    await child.waitForLog('Status page and API listening');
    const api = await apiOf(sb);
    // Asking for credits makes the daemon fetch (and keep) its token.
    const credits = await api.get('/api/credits');
    expect(credits.status).toBe(200);
    expect(credits.json()).toMatchObject({ available: expect.any(Number) });
    const token = await findToken(sb.stateDir);
    expect(token).toMatch(/^nmv_/);
    const answers = await Promise.all(
      ['/api/folders', '/api/jobs', '/api/state', '/api/credits', '/api/log', '/metrics', '/readyz', '/'].map(
        (p) => api.get(p),
      ),
    );
    for (const a of answers) expect(a.text).not.toContain(token);
    expect(child.lines.join('\n')).not.toContain(token);
  }, 120_000);
});

async function findToken(stateDir: string): Promise<string | undefined> {
  for (const name of await readdir(stateDir)) {
    const text = await readFile(join(stateDir, name), 'utf8').catch(() => '');
    const m = /nmv_[0-9a-f]{40}/.exec(text);
    if (m) return m[0];
  }
  return undefined;
}
