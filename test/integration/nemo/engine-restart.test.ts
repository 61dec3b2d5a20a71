import { describe, expect, it } from 'vitest';
import {
  expectMp4,
  makeEngine,
  recordingHooks,
  request,
  SimulatedCrash,
  type World,
  worldWithClip,
} from './harness.js';
import type { EmulatorOptions } from '../../emulator/index.js';
import type { RemoteIds } from '../../../src/domain/work.js';

let world: World;
const setup = worldWithClip((w) => (world = w));

describe('resuming after the process was killed', () => {
  async function crashAt(when: (ids: RemoteIds) => boolean, options: EmulatorOptions = {}) {
    const input = await setup(options);
    const rec = recordingHooks({ crashAfter: when });
    const req = request(world, input);
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toBeInstanceOf(SimulatedCrash);
    // A new process: a new engine and client reading the same state dir and journal.
    const again = recordingHooks();
    const result = await makeEngine(world).run({ ...req, resume: rec.journal() }, again.hooks);
    await expectMp4(result.path);
    return { first: rec, second: again };
  }

  it('between render start and poll: polls the same render, no second render', async () => {
    const { first } = await crashAt((ids) => ids.renderAccepted === true);
    const renderId = first.journal().renderId;
    expect(world.emu.count('render-start')).toBe(1);
    expect(world.emu.renders().map((r) => r.id)).toEqual([renderId]);
    const polled = world.emu.requests.filter((r) => r.endpoint === 'render-poll').map((r) => r.path);
    expect(polled.every((p) => p.endsWith(`/${renderId}`))).toBe(true);
    expect(world.emu.count('token')).toBe(1);
  });

  it('after the render id was saved but before it was posted: posts it under the same id', async () => {
    const { first } = await crashAt((ids) => Boolean(ids.renderId) && ids.renderAccepted === false);
    const renderId = first.journal().renderId;
    expect(world.emu.count('render-start')).toBe(1);
    expect(world.emu.renders().map((r) => r.id)).toEqual([renderId]);
  });

  it('after the upload: no second upload, no second session', async () => {
    await crashAt((ids) => Boolean(ids.uploaded));
    expect(world.emu.count('session')).toBe(1);
    expect(world.emu.count('upload')).toBe(1);
  });

  it('with the instruction started but not sent: reads the state, then sends it', async () => {
    await crashAt((ids) => ids.instructionStarted === 0);
    expect(world.emu.count('sse')).toBe(1);
  });

  it('with the instruction sent but not recorded as done: reads the state and does not resend', async () => {
    const input = await setup();
    const rec = recordingHooks({ crashAfter: (ids) => ids.instructionsDone === 1 });
    const req = request(world, input);
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toBeInstanceOf(SimulatedCrash);
    const journal = { ...rec.journal(), instructionsDone: undefined };
    const result = await makeEngine(world).run({ ...req, resume: journal }, recordingHooks().hooks);
    await expectMp4(result.path);
    expect(world.emu.count('sse')).toBe(1);
  });

  it('after the output URL was saved: only downloads', async () => {
    await crashAt((ids) => Boolean(ids.outputUrl));
    expect(world.emu.count('render-start')).toBe(1);
    expect(world.emu.count('download')).toBe(1);
  });

  it('with a render that failed: requests a new one', async () => {
    const input = await setup();
    world.emu.inject('render-start', { kind: 'render-fail' });
    const rec = recordingHooks();
    const req = request(world, input);
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toMatchObject({ code: 'RENDER_FAILED' });
    const result = await makeEngine(world).run({ ...req, resume: rec.journal() }, recordingHooks().hooks);
    await expectMp4(result.path);
    expect(world.emu.count('render-start')).toBe(2);
    expect(world.emu.count('sse')).toBe(1);
  });
});

describe('a saved download URL that no longer works', () => {
  it('asks the render again and downloads from what it says', async () => {
    const input = await setup();
    const rec = recordingHooks({ crashAfter: (ids) => Boolean(ids.outputUrl) });
    const req = request(world, input);
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toBeInstanceOf(SimulatedCrash);
    const stale = { ...rec.journal(), outputUrl: `${world.emu.url}/cdn/renders/gone/gone.mp4` };
    const again = recordingHooks();
    const result = await makeEngine(world).run({ ...req, resume: stale }, again.hooks);
    await expectMp4(result.path);
    expect(again.journal().outputUrl).toBe(rec.journal().outputUrl);
    expect(world.emu.count('render-start')).toBe(1);
  });
});
