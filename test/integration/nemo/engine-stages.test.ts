import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeVideo, probe } from '../../helpers/media.js';
import { makeEngine, recordingHooks, request, SimulatedCrash, startWorld, type World } from './harness.js';
import { createStageLimiter, type Stage, type StageLimiter } from '../../../src/engines/stage-limits.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

const TWO = ['convert this video to MP4 at 1080p without losing quality', 'Add a short title at the start'];

describe('several instructions on one session, resumed after a kill', () => {
  it('sends the second instruction when the kill came before it reached the server', async () => {
    world = await startWorld({ textlessRate: 0 });
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    const req = request(world, input, { instructions: TWO });
    const rec = recordingHooks({ crashAfter: (ids) => ids.instructionStarted === 1 });
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(world.emu.count('sse')).toBe(1);
    const result = await makeEngine(world).run({ ...req, resume: rec.journal() }, recordingHooks().hooks);
    expect((await probe(result.path)).video?.codec).toBe('h264');
    // The draft was already exportable after the first instruction; the second must still be sent.
    expect(world.emu.count('sse')).toBe(2);
    const sent = world.emu.requests.filter((r) => r.endpoint === 'sse').map((r) => JSON.stringify(r.body));
    expect(sent[1]).toContain('Add a short title');
  });

  it('does not pay twice for a second instruction the server already applied', async () => {
    world = await startWorld({ textlessRate: 0 });
    const input = await makeVideo(join(world.dir, 'clip.mov'));
    const req = request(world, input, { instructions: TWO });
    const rec = recordingHooks({ crashAfter: (ids) => ids.instructionsDone === 2 });
    await expect(makeEngine(world).run(req, rec.hooks)).rejects.toBeInstanceOf(SimulatedCrash);
    // Killed after the stream finished but before "done" reached the journal.
    const journal = { ...rec.journal(), instructionsDone: 1 };
    await makeEngine(world).run({ ...req, resume: journal }, recordingHooks().hooks);
    expect(world.emu.count('sse')).toBe(2);
    expect(world.emu.count('render-start')).toBe(1);
  });
});

describe('stage limits shared by concurrent jobs', () => {
  it('never runs more uploads or polls at once than allowed, and every job still finishes', async () => {
    world = await startWorld();
    const inner = createStageLimiter({ upload: 1, poll: 1 });
    const running: Record<Stage, number> = { upload: 0, sse: 0, poll: 0, download: 0 };
    const peak: Record<Stage, number> = { upload: 0, sse: 0, poll: 0, download: 0 };
    const calls: Record<Stage, number> = { upload: 0, sse: 0, poll: 0, download: 0 };
    const observed: StageLimiter = {
      ...inner,
      run: (stage, fn, signal) =>
        inner.run(
          stage,
          async () => {
            calls[stage]++;
            peak[stage] = Math.max(peak[stage], ++running[stage]);
            try {
              return await fn();
            } finally {
              running[stage]--;
            }
          },
          signal,
        ),
    };
    const engine = makeEngine(world, { stages: observed });
    const inputs = await Promise.all([1, 2, 3].map((n) => makeVideo(join(world.dir, `clip${n}.mov`))));
    const results = await Promise.all(
      inputs.map((input, n) =>
        engine.run(
          request(world, input, { jobId: `job-${n}`, destination: join(world.dir, `out${n}.mp4`) }),
          recordingHooks().hooks,
        ),
      ),
    );
    expect(results).toHaveLength(3);
    expect(calls).toEqual({ upload: 3, sse: 3, poll: 3, download: 3 });
    expect(peak.upload).toBe(1);
    expect(peak.poll).toBe(1);
  });
});
