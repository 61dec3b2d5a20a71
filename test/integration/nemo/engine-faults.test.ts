import { describe, expect, it } from 'vitest';
import { expectMp4, makeEngine, recordingHooks, request, type World, worldWithClip } from './harness.js';
import type { EndpointName, Fault } from '../../emulator/index.js';
import type { NemoEngineOptions } from '../../../src/engines/nemo/nemo-engine.js';

let world: World;
const setup = worldWithClip((w) => (world = w));

describe('the engine recovers from faults mid-job', () => {
  it.each<[string, EndpointName, Fault, number, Partial<NemoEngineOptions>?]>([
    ['a reset on upload', 'upload', { kind: 'reset' }, 1],
    ['a reset on session', 'session', { kind: 'reset' }, 1],
    ['a stall on state', 'state', { kind: 'stall' }, 1, { requestTimeoutMs: 1500 }],
    ['5xx on run_sse', 'sse', { kind: 'http', status: 503 }, 2],
    ['429 on render start', 'render-start', { kind: 'http', status: 429, retryAfter: 0 }, 1],
    ['a reset on render start', 'render-start', { kind: 'reset' }, 1],
    ['5xx on render poll', 'render-poll', { kind: 'http', status: 500 }, 2],
    ['a stall on render poll', 'render-poll', { kind: 'stall' }, 1, { requestTimeoutMs: 1500 }],
    ['a reset on download', 'download', { kind: 'reset' }, 1],
    ['a download cut midway', 'download', { kind: 'reset-midway' }, 1],
    ['a download sent on by a redirect', 'download', { kind: 'redirect' }, 1],
    ['a download sent on by two redirects in a row', 'download', { kind: 'redirect', status: 301 }, 2],
  ])('%s', async (_name, endpoint, fault, times, extra = {}) => {
    const input = await setup();
    world.emu.inject(endpoint, fault, times);
    const engine = makeEngine(world, extra);
    const result = await engine.run(request(world, input), recordingHooks().hooks);
    await expectMp4(result.path);
    expect(world.emu.count(endpoint)).toBeGreaterThan(times);
    // However the render start went, exactly one render exists for the job.
    expect(world.emu.renders()).toHaveLength(1);
  });

  it('a slow download that keeps moving is not cut off', async () => {
    const input = await setup();
    world.emu.inject('download', { kind: 'slow', bytesPerSecond: 20_000 });
    const result = await makeEngine(world, { transferIdleMs: 2000 }).run(
      request(world, input),
      recordingHooks().hooks,
    );
    await expectMp4(result.path);
    expect(world.emu.count('download')).toBe(1);
  });

  it('a run_sse stream cut midway: the state is checked and the instruction resent only if nothing changed', async () => {
    const input = await setup({ textlessRate: 0 });
    world.emu.inject('sse', { kind: 'reset-midway' });
    const result = await makeEngine(world).run(request(world, input), recordingHooks().hooks);
    await expectMp4(result.path);
    expect(world.emu.count('sse')).toBeGreaterThanOrEqual(1);
    expect(world.emu.count('sse')).toBeLessThanOrEqual(2);
  });

  it('a run_sse request that gets no answer is sent again', async () => {
    const input = await setup({ textlessRate: 0 });
    world.emu.inject('sse', { kind: 'stall', ms: 4000 });
    const result = await makeEngine(world, { requestTimeoutMs: 1500 }).run(
      request(world, input),
      recordingHooks().hooks,
    );
    await expectMp4(result.path);
    expect(world.emu.count('sse')).toBe(2);
  });

  it('1001 mid-job (tokens expire after the upload): a new token, the same session, done', async () => {
    const input = await setup();
    const rec = recordingHooks({
      crashAfter: (ids) => {
        if (ids.uploaded && !ids.instructionStarted && world.emu.count('token') === 1)
          world.emu.expireTokens();
        return false;
      },
    });
    const result = await makeEngine(world).run(request(world, input), rec.hooks);
    await expectMp4(result.path);
    expect(world.emu.count('token')).toBe(2);
    expect(world.emu.count('session')).toBe(1);
  });

  it('1002 mid-job: a new session, and the job is redone in it', async () => {
    const input = await setup();
    world.emu.inject('render-start', { kind: 'envelope', code: 1002 });
    const rec = recordingHooks();
    const result = await makeEngine(world).run(request(world, input), rec.hooks);
    await expectMp4(result.path);
    expect(world.emu.count('session')).toBe(2);
    expect(world.emu.count('upload')).toBe(2);
    expect(world.emu.count('sse')).toBe(2);
    const sessions = new Set(rec.checkpoints.map((c) => c.sessionId).filter(Boolean));
    expect(sessions.size).toBe(2);
    expect(rec.journal().sessionId).toBe(world.emu.renders()[0]?.sessionId);
  });

  it('a duplicate answer for a fresh render id: a new id, one render', async () => {
    const input = await setup();
    world.emu.inject('render-start', { kind: 'duplicate-render' });
    const rec = recordingHooks();
    await makeEngine(world).run(request(world, input), rec.hooks);
    const ids = world.emu.requests
      .filter((r) => r.endpoint === 'render-start')
      .map((r) => (r.body as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    expect(world.emu.renders().map((r) => r.id)).toEqual([ids[1]]);
  });
});
