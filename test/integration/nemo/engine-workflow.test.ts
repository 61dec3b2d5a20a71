import { afterEach, describe, expect, it } from 'vitest';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, isAbortError } from '../../../src/core/errors.js';
import { makeVideo, probe } from '../../helpers/media.js';
import { makeEngine, recordingHooks, request, startWorld, type World } from './harness.js';
import type { EmulatorOptions } from '../../emulator/index.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

async function setup(options: EmulatorOptions = {}, spec = {}) {
  world = await startWorld(options);
  const input = await makeVideo(join(world.dir, 'old.avi'), {
    videoCodec: 'mpeg4',
    audioCodec: 'libmp3lame',
    ...spec,
  });
  return input;
}

describe('the NemoVideo engine, end to end over loopback', () => {
  it.each([['wrapped'], ['flat']] as const)(
    'quick workflow (%s render answers): upload → instruction → export → download a real MP4',
    async (renderShape) => {
      const input = await setup({ renderShape });
      const engine = makeEngine(world, { platform: 'cursor' });
      let renderRequestsWhenIdSaved = -1;
      const rec = recordingHooks({
        crashAfter: (ids) => {
          if (ids.renderId && renderRequestsWhenIdSaved < 0)
            renderRequestsWhenIdSaved = world.emu.count('render-start');
          return false;
        },
      });
      const req = request(world, input, { skill: 'video-converter-mov-to-mp4' });
      const result = await engine.run(req, rec.hooks);

      expect(result.path).toBe(req.destination);
      const out = await probe(req.destination);
      expect(out.video?.codec).toBe('h264');
      expect(out.video?.height).toBeLessThanOrEqual(1080);
      expect(out.audio?.codec).toBe('aac');
      expect(out.durationSec).toBeGreaterThan(0.5);
      expect(await readdir(world.dir)).not.toContainEqual(expect.stringMatching(/\.part$/));

      // Remote ids reach the journal before the step that relies on them.
      const j = rec.journal();
      expect(j.sessionId).toMatch(/^\d+$/);
      expect(j.uploaded?.[0]?.filename).toBe('old.avi');
      expect(j.instructionStarted).toBe(0);
      expect(j.instructionsDone).toBe(1);
      expect(j.renderId).toMatch(/^render_\d+_[0-9a-z]{8}$/);
      expect(j.renderAccepted).toBe(true);
      expect(j.outputUrl).toMatch(/^http:\/\/127\.0\.0\.1/);
      expect(renderRequestsWhenIdSaved).toBe(0);
      const renderStart = world.emu.requests.find((r) => r.endpoint === 'render-start');
      expect(renderStart?.body).toMatchObject({
        id: j.renderId,
        sessionId: j.sessionId,
        output: { format: 'mp4', quality: 'high' },
      });
      expect(world.emu.count('render-start')).toBe(1);

      // Attribution on every request; the job's skill on every request made for the job.
      for (const r of world.emu.requests) {
        expect(r.headers['x-skill-version']).toBeTruthy();
        expect(r.headers['x-skill-platform']).toBe('cursor');
        if (r.endpoint !== 'token') expect(r.headers['x-skill-source']).toBe('video-converter-mov-to-mp4');
      }

      // Progress: every stage, readable lines only.
      const stages = new Set(rec.progress.map((p) => p.stage));
      expect([...stages]).toEqual(['uploading', 'instructing', 'rendering', 'downloading']);
      for (const p of rec.progress) expect(p.message ?? '').not.toMatch(/^\s*[[{]|"type"|functionCall/);
      expect(rec.progress.some((p) => p.stage === 'downloading' && p.percent === 100)).toBe(true);
    },
  );

  it('iterative workflow: several instructions in order on one session, then one export', async () => {
    const input = await setup({ textlessRate: 0.5 });
    const engine = makeEngine(world);
    const rec = recordingHooks();
    const instructions = ['trim the first second', 'add a title', 'convert to MP4 at 1080p'];
    await engine.run(request(world, input, { instructions }), rec.hooks);
    const sse = world.emu.requests.filter((r) => r.endpoint === 'sse');
    expect(
      sse.map((r) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]?.text),
    ).toEqual(instructions);
    expect(new Set(sse.map((r) => (r.body as { session_id: string }).session_id)).size).toBe(1);
    expect(world.emu.count('session')).toBe(1);
    expect(world.emu.count('render-start')).toBe(1);
    expect(rec.journal().instructionsDone).toBe(3);
    expect((await stat(join(world.dir, 'out.mp4'))).size).toBeGreaterThan(0);
  });

  it('accepts a stream with no text when the draft became exportable', async () => {
    const input = await setup({ textlessRate: 0 });
    world.emu.inject('sse', { kind: 'sse-textless' });
    const result = await makeEngine(world).run(request(world, input), recordingHooks().hooks);
    expect((await probe(result.path)).video?.codec).toBe('h264');
    expect(world.emu.count('state')).toBeGreaterThanOrEqual(2);
  });

  it('fails with DRAFT_NOT_EXPORTABLE when a text-less stream left nothing to export', async () => {
    const input = await setup();
    world.emu.inject('sse', { kind: 'sse-noop' });
    const err = (await makeEngine(world)
      .run(request(world, input), recordingHooks().hooks)
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('DRAFT_NOT_EXPORTABLE');
    expect(err.hint).toBeTruthy();
    expect(world.emu.count('render-start')).toBe(0);
  });

  it('fails with RENDER_FAILED when the render fails', async () => {
    const input = await setup();
    world.emu.inject('render-start', { kind: 'render-fail', error: 'lambda timed out' });
    const err = (await makeEngine(world)
      .run(request(world, input), recordingHooks().hooks)
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('RENDER_FAILED');
    expect(err.message).toContain('lambda timed out');
  });

  it('stops spending when credits run out: OUT_OF_CREDITS, nothing rendered', async () => {
    const input = await setup();
    world.emu.setCredits(0);
    const err = (await makeEngine(world)
      .run(request(world, input), recordingHooks().hooks)
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('OUT_OF_CREDITS');
    expect(err.hint).toMatch(/bind=/);
    expect(world.emu.count('sse')).toBe(1);
    expect(world.emu.count('render-start')).toBe(0);
  });
});

describe('stopping', () => {
  it('stops promptly when the signal aborts mid-render, leaving no partial output', async () => {
    const input = await setup({ renderPolls: 50 });
    const rec = recordingHooks();
    rec.hooks.progress = (p) => {
      rec.progress.push(p);
      if (p.stage === 'rendering' && (p.percent ?? 0) > 0) rec.controller.abort();
    };
    const err = await makeEngine(world)
      .run(request(world, input), rec.hooks)
      .catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(rec.journal().renderAccepted).toBe(true);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
  });
});
