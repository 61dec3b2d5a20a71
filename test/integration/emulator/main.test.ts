import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { runEmulatorMain, type Emulator } from '../../emulator/index.js';
import { call, newToken } from './client.js';

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function control(
  url: string,
  path: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('emulator main and control endpoints', () => {
  it('prints its URL and takes options from the environment', async () => {
    const lines: string[] = [];
    em = await runEmulatorMain({ PORT: '0', EMULATOR_OPTIONS: '{"seed":3,"credits":9}' }, (l) =>
      lines.push(l),
    );
    expect(lines).toEqual([`NemoVideo emulator listening on ${em.url}`]);
    expect(em.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call(em, '/api/credits/balance/simple', { token: await newToken(em) });
    expect(res.json.data.available).toBe(9);
  });

  it('injects and clears faults, lists requests, sets credits and expires tokens over HTTP', async () => {
    em = await runEmulatorMain({ EMULATOR_OPTIONS: '{"authErrorStyle":"envelope"}' }, () => {});
    const token = await newToken(em);
    expect(
      (
        await control(em.url, '/__emulator/faults', 'POST', {
          endpoint: 'credits',
          fault: { kind: 'http', status: 503 },
          times: 2,
        })
      ).status,
    ).toBe(200);
    expect((await call(em, '/api/credits/balance/simple', { token })).status).toBe(503);
    expect((await call(em, '/api/credits/balance/simple', { token })).status).toBe(503);
    expect((await call(em, '/api/credits/balance/simple', { token })).status).toBe(200);

    await control(em.url, '/__emulator/faults', 'POST', {
      endpoint: 'credits',
      fault: { kind: 'http', status: 500 },
      times: null,
    });
    for (let i = 0; i < 3; i++)
      expect((await call(em, '/api/credits/balance/simple', { token })).status).toBe(500);
    await control(em.url, '/__emulator/faults', 'DELETE');
    expect((await call(em, '/api/credits/balance/simple', { token })).status).toBe(200);

    expect((await control(em.url, '/__emulator/credits', 'POST', { available: 4 })).status).toBe(200);
    expect((await call(em, '/api/credits/balance/simple', { token })).json.data.available).toBe(4);

    await control(em.url, '/__emulator/expire-tokens', 'POST');
    expect((await call(em, '/api/credits/balance/simple', { token })).json.code).toBe(1001);

    const requests = (await control(em.url, '/__emulator/requests', 'GET')).json as { endpoint: string }[];
    expect(requests.map((r) => r.endpoint)).toEqual(['token', ...Array(9).fill('credits')]);
  });

  it('refuses a fault for an unknown endpoint', async () => {
    em = await runEmulatorMain({}, () => {});
    const res = await control(em.url, '/__emulator/faults', 'POST', {
      endpoint: 'nope',
      fault: { kind: 'reset' },
    });
    expect(res.status).toBe(400);
  });

  // `npm test` builds first (pretest); a bare `vitest run` on a fresh clone has no build to start.
  it.skipIf(!existsSync('dist/test/emulator/main.js'))(
    'npm run emulator: the built main listens on PORT and stops on SIGTERM',
    async () => {
      const child = spawn(process.execPath, ['dist/test/emulator/main.js'], {
        env: { ...process.env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          createInterface({ input: child.stdout }).once('line', resolve);
          child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        });
        const url = /^NemoVideo emulator listening on (http:\/\/\S+)$/.exec(line)?.[1];
        expect(url).toBeDefined();
        const res = await fetch(`${url}/api/auth/anonymous-token`, {
          method: 'POST',
          headers: { 'x-client-id': 'main-test' },
        });
        expect(((await res.json()) as { code: number }).code).toBe(0);
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
