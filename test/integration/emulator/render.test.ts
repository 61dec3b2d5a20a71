import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { probe } from '../../helpers/media.js';
import { ATTRIBUTION, call, newSession, newToken, type Json } from './client.js';
import { junkFile, uploadFiles } from './media.js';
import { runSse } from './sse-client.js';
import { useClipMedia, useEmulator } from './suite.js';

const media = useClipMedia();
const startEmulator = useEmulator({ seed: 9, textlessRate: 0, instructionMs: 60, heartbeatMs: 10 });
let renders = 0;
async function ready(
  options: EmulatorOptions = {},
  file = media.clip,
): Promise<{ e: Emulator; token: string; sid: string; draft: Json }> {
  const em = await startEmulator(options);
  const token = await newToken(em);
  const sid = await newSession(em, token);
  await uploadFiles(em, token, sid, [file]);
  await runSse(em, token, sid);
  const state = await call(em, `/api/state/nemo_agent/me/${sid}/latest`, { token });
  return { e: em, token, sid, draft: state.json.data.state.draft };
}

function startRender(
  e: Emulator,
  token: string,
  sid: string,
  draft: Json,
  id = `render_${Date.now()}_${++renders}`,
  headers?: Record<string, string>,
) {
  return call(e, '/api/render/proxy/lambda', {
    token,
    headers,
    body: { id, sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } },
  });
}

/** Polls until a terminal status, returning every answer seen. */
async function pollAll(e: Emulator, token: string, id: string): Promise<Json[]> {
  const answers: Json[] = [];
  for (let i = 0; i < 400; i++) {
    const res = await call(e, `/api/render/proxy/lambda/${id}`, { token });
    answers.push(res.json);
    const status = res.json.data?.status ?? res.json.status;
    if (status === 'completed' || status === 'failed') return answers;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('render never finished');
}

async function download(url: string, to: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  await writeFile(to, Buffer.from(await res.arrayBuffer()));
  return to;
}

describe('render', () => {
  it('renders for real: pending → processing → completed, then an H.264/AAC faststart MP4', async () => {
    const { e, token, sid, draft } = await ready({ renderShape: 'wrapped' });
    const start = await startRender(e, token, sid, draft, 'render_1');
    expect(start.json).toEqual({ success: true, data: { id: 'render_1', status: 'pending', progress: 5 } });
    const answers = await pollAll(e, token, 'render_1');
    const statuses = answers.map((a) => a.data.status);
    expect(statuses[0]).toBe('pending');
    expect(statuses).toContain('processing');
    expect(statuses.at(-1)).toBe('completed');
    expect(answers.length).toBeGreaterThanOrEqual(3);
    const progress = answers.map((a) => a.data.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    const done = answers.at(-1).data;
    expect(done.outputUrl.startsWith(`${e.url}/`)).toBe(true);
    const out = await download(done.outputUrl, join(media.dir, 'out.mp4'));
    const info = await probe(out);
    expect(info.formatName).toContain('mp4');
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240, pixFmt: 'yuv420p' });
    expect(info.audio?.codec).toBe('aac');
    const bytes = await readFile(out);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    expect(e.renders()).toEqual([{ id: 'render_1', sessionId: sid, status: 'completed', progress: 100 }]);
  });

  it('fits a tall source within 1080 high and adds silent AAC to a silent source (flat answer shape)', async () => {
    const tall = await media.video('tall.mov', {
      width: 1280,
      height: 1440,
      durationSec: 0.5,
      audioCodec: null,
    });
    const { e, token, sid, draft } = await ready({ renderShape: 'flat', renderPolls: 1 }, tall);
    await startRender(e, token, sid, draft, 'render_tall');
    const last = (await pollAll(e, token, 'render_tall')).at(-1);
    expect(last).toMatchObject({ taskId: 'render_tall', status: 'completed', progress: 100 });
    expect(last.output).toMatchObject({ url: expect.any(String), size: expect.any(Number) });
    const info = await probe(await download(last.output.url, join(media.dir, 'tall-out.mp4')));
    expect(info.video).toMatchObject({ codec: 'h264', width: 960, height: 1080 });
    expect(info.audio?.codec).toBe('aac');
  });

  it('mixes both poll shapes when not told which', async () => {
    const { e, token, sid, draft } = await ready({ renderPolls: 12 });
    await startRender(e, token, sid, draft, 'render_mix');
    const answers = await pollAll(e, token, 'render_mix');
    expect(answers.some((a) => a.success === true && a.data)).toBe(true);
    expect(answers.some((a) => typeof a.taskId === 'string')).toBe(true);
  });

  it('answers HTTP 402 when attribution headers are missing', async () => {
    const { e, token, sid, draft } = await ready();
    const res = await fetch(`${e.url}/api/render/proxy/lambda`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-skill-source': ATTRIBUTION['x-skill-source'],
      },
      body: JSON.stringify({
        id: 'render_x',
        sessionId: sid,
        draft,
        output: { format: 'mp4', quality: 'high' },
      }),
    });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({
      success: false,
      error: expect.stringMatching(/x-skill-version/),
    });
  });

  it('refuses a reused render id, and duplicate-render answers the same for a new one', async () => {
    const { e, token, sid, draft } = await ready();
    expect((await startRender(e, token, sid, draft, 'render_same')).json.success).toBe(true);
    const again = await startRender(e, token, sid, draft, 'render_same');
    expect(again).toMatchObject({
      status: 409,
      json: { success: false, error: expect.stringMatching(/already/) },
    });
    e.inject('render-start', { kind: 'duplicate-render' });
    const injected = await startRender(e, token, sid, draft, 'render_fresh');
    expect(injected).toMatchObject({ status: 409, json: { success: false } });
    expect((await startRender(e, token, sid, draft, 'render_fresh')).json.success).toBe(true);
  });

  it('refuses a draft with no segments', async () => {
    const { e, token, sid } = await ready();
    const res = await startRender(e, token, sid, { t: [{ tt: 0, sg: [] }], d: 0, m: {} });
    expect(res.json).toMatchObject({ success: false });
  });

  it.each(['render-start', 'render-poll'] as const)(
    'render-fail injected on %s ends the render as failed',
    async (endpoint) => {
      const { e, token, sid, draft } = await ready({ renderShape: 'wrapped' });
      e.inject(endpoint, { kind: 'render-fail', error: 'GPU on fire' });
      await startRender(e, token, sid, draft, 'render_f');
      const last = (await pollAll(e, token, 'render_f')).at(-1);
      expect(last.data).toMatchObject({ status: 'failed', error: 'GPU on fire' });
      expect((await fetch(`${e.url}/cdn/renders/render_f/render_f.mp4`)).status).toBe(404);
    },
  );

  it('fails a render whose source ffmpeg cannot read', async () => {
    const junk = await junkFile(join(media.dir, 'junk.mp4'), 4096);
    const { e, token, sid } = await ready({ renderShape: 'flat', renderPolls: 1 }, junk);
    // The junk has no duration, yet the instruction still places it on the timeline.
    const state = await call(e, `/api/state/nemo_agent/me/${sid}/latest`, { token });
    await startRender(e, token, sid, state.json.data.state.draft, 'render_junk');
    const last = (await pollAll(e, token, 'render_junk')).at(-1);
    expect(last).toMatchObject({ status: 'failed', error: expect.stringMatching(/Render failed/) });
  });

  it('answers 404 for an unknown render id', async () => {
    const { e, token } = await ready();
    const res = await call(e, '/api/render/proxy/lambda/render_nope', { token });
    expect(res).toMatchObject({ status: 404, json: { success: false } });
  });
});

describe('download', () => {
  async function rendered(
    options: EmulatorOptions = {},
  ): Promise<{ e: Emulator; url: string; size: number }> {
    const { e, token, sid, draft } = await ready({ renderShape: 'wrapped', renderPolls: 1, ...options });
    await startRender(e, token, sid, draft, 'render_dl');
    const last = (await pollAll(e, token, 'render_dl')).at(-1);
    return { e, url: last.data.outputUrl, size: last.data.size };
  }

  it('reset-midway sends headers and part of the body, then a Range request resumes to the same bytes', async () => {
    const { e, url, size } = await rendered();
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(whole.length).toBe(size);
    e.inject('download', { kind: 'reset-midway' });
    const cut = await fetch(url);
    expect(cut.status).toBe(200);
    expect(Number(cut.headers.get('content-length'))).toBe(size);
    const got: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of cut.body as AsyncIterable<Uint8Array>) got.push(Buffer.from(chunk));
      })(),
    ).rejects.toThrow();
    const partial = Buffer.concat(got);
    expect(partial.length).toBeLessThan(size);
    const rest = await fetch(url, { headers: { range: `bytes=${partial.length}-` } });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([partial, Buffer.from(await rest.arrayBuffer())]).equals(whole)).toBe(true);
  });

  it('slow trickles the body at the given rate', async () => {
    const { e, url, size } = await rendered();
    e.inject('download', { kind: 'slow', bytesPerSecond: Math.ceil(size * 2) });
    const started = Date.now();
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(body.length).toBe(size);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
