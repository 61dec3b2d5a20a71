import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeVideo, probe } from '../../helpers/media.js';
import { makeEngine, recordingHooks, request, startWorld, type World } from './harness.js';
import type { EndpointName } from '../../emulator/index.js';
import { ApiError } from '../../../src/core/errors.js';

/**
 * A render is polled and downloaded by its own id and URL: neither needs the session, so a 1002
 * answer there never restarts the job (a second upload, a second charged instruction, a second render).
 */
let world: World;
afterEach(async () => {
  await world?.close();
});

function counts(w: World) {
  return {
    session: w.emu.count('session'),
    upload: w.emu.count('upload'),
    sse: w.emu.count('sse'),
    renders: w.emu.renders().length,
  };
}

describe('1002 on a step that needs no session', () => {
  it.each<[string, EndpointName]>([
    ['while polling an accepted render', 'render-poll'],
    ['on the download of a finished render', 'download'],
  ])('%s: retried in place, one session, one instruction, one render', async (_name, endpoint) => {
    world = await startWorld();
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    world.emu.inject(endpoint, { kind: 'envelope', code: 1002 });
    const rec = recordingHooks();
    const result = await makeEngine(world).run(request(world, input), rec.hooks);
    expect((await probe(result.path)).video?.codec).toBe('h264');
    expect(counts(world)).toEqual({ session: 1, upload: 1, sse: 1, renders: 1 });
    expect(world.emu.requests.filter((r) => r.endpoint === endpoint && r.fault)).toHaveLength(1);
    expect(new Set(rec.checkpoints.map((c) => c.sessionId).filter(Boolean)).size).toBe(1);
  });

  it('a poll that keeps answering 1002 fails the run as retryable, and the resumed job polls the same render', async () => {
    world = await startWorld();
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    world.emu.inject('render-poll', { kind: 'envelope', code: 1002 }, 5);
    const rec = recordingHooks();
    const req = request(world, input);
    const err = (await makeEngine(world, { retry: { maxAttempts: 3, baseMs: 20, maxMs: 50 } })
      .run(req, rec.hooks)
      .catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).not.toBe('SESSION_NOT_FOUND');
    expect(err.retryable).toBe(true);
    expect(counts(world)).toEqual({ session: 1, upload: 1, sse: 1, renders: 1 });
    expect(rec.journal().renderId).toBe(world.emu.renders()[0]?.id);

    const again = recordingHooks();
    const result = await makeEngine(world).run({ ...req, resume: rec.journal() }, again.hooks);
    expect((await probe(result.path)).video?.codec).toBe('h264');
    expect(counts(world)).toEqual({ session: 1, upload: 1, sse: 1, renders: 1 });
  });

  it('1002 on the session steps (state before export) still starts a new session', async () => {
    world = await startWorld();
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    world.emu.inject('state', { kind: 'envelope', code: 1002 });
    await makeEngine(world).run(request(world, input), recordingHooks().hooks);
    expect(world.emu.count('session')).toBe(2);
    expect(world.emu.renders()).toHaveLength(1);
  });
});
