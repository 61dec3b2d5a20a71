import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVideoInboxError } from '../../../src/core/errors.js';
import { makeVideo } from '../../helpers/media.js';
import { capturingLogger, makeEngine, recordingHooks, request, startWorld, type World } from './harness.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

describe('tokens never leak', () => {
  it('no token value appears in any log line, progress line or error of full runs', async () => {
    world = await startWorld({ registeredTokens: ['registered_secret_token_1'] });
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    const { log, lines } = capturingLogger();
    const seen: string[] = [];
    const engine = makeEngine(world, { log });

    // A successful run with a token renewal (1001 mid-job) and transient faults on the way.
    world.emu.inject('state', { kind: 'http', status: 502 });
    world.emu.inject('render-poll', { kind: 'reset' });
    const rec = recordingHooks({
      crashAfter: (ids) => {
        if (ids.uploaded && world.emu.count('token') === 1) world.emu.expireTokens();
        return false;
      },
    });
    await engine.run(request(world, input), rec.hooks);
    seen.push(...rec.progress.map((p) => p.message ?? ''));

    // Failing runs: out of credits, a refused NEMO_TOKEN, an agent error.
    const failures: unknown[] = [];
    world.emu.setCredits(0);
    failures.push(
      await engine
        .run(request(world, input, { jobId: 'job-2' }), recordingHooks().hooks)
        .catch((e: unknown) => e),
    );
    world.emu.setCredits(100);
    world.emu.inject('sse', { kind: 'sse-error' });
    failures.push(
      await engine
        .run(request(world, input, { jobId: 'job-3' }), recordingHooks().hooks)
        .catch((e: unknown) => e),
    );
    const badEnv = makeEngine(world, { log, token: 'wrong_secret_token_2' });
    failures.push(
      await badEnv
        .run(request(world, input, { jobId: 'job-4' }), recordingHooks().hooks)
        .catch((e: unknown) => e),
    );
    const registered = makeEngine(world, { log, token: 'registered_secret_token_1' });
    await registered.run(
      request(world, input, { jobId: 'job-5', destination: join(world.dir, 'out5.mp4') }),
      recordingHooks().hooks,
    );

    expect(failures.map((f) => (isVideoInboxError(f) ? f.code : String(f)))).toEqual([
      'OUT_OF_CREDITS',
      'SSE_FAILED',
      'TOKEN_INVALID',
    ]);
    for (const f of failures) {
      if (!isVideoInboxError(f)) continue;
      seen.push(
        f.message,
        f.hint ?? '',
        f.stack ?? '',
        JSON.stringify(f.context),
        String((f.cause as Error | undefined)?.message ?? ''),
      );
    }

    // Every token that was in play: issued anonymous tokens, the registered and the wrong NEMO_TOKEN.
    const tokens = new Set<string>(['registered_secret_token_1', 'wrong_secret_token_2']);
    for (const r of world.emu.requests) {
      const auth = r.headers.authorization;
      if (typeof auth === 'string') tokens.add(auth.replace(/^Bearer\s+/i, ''));
    }
    const saved = JSON.parse(await readFile(join(world.stateDir, 'nemo-credentials.json'), 'utf8')) as {
      token: string;
    };
    tokens.add(saved.token);
    expect(tokens.size).toBeGreaterThanOrEqual(4);

    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes('token refused'))).toBe(true);
    const everything = [...lines, ...seen].join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});
