import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { call, newSession, newToken } from './client.js';
import { junkFile, uploadedEntries, uploadFiles } from './media.js';
import { useClipMedia, useEmulator } from './suite.js';

const media = useClipMedia();
const startEmulator = useEmulator({ seed: 3 });
async function start(options: EmulatorOptions = {}): Promise<{ e: Emulator; token: string; sid: string }> {
  const em = await startEmulator(options);
  const token = await newToken(em);
  return { e: em, token, sid: await newSession(em, token) };
}

describe('multipart upload', () => {
  it('answers data.files with ffprobe facts and a CDN URL that serves the bytes', async () => {
    const { e, token, sid } = await start({ uploadShape: 'files' });
    const res = await uploadFiles(e, token, sid, [media.clip]);
    expect(res.json.code).toBe(0);
    const [file] = res.json.data.files;
    expect(file).toMatchObject({ filename: 'clip.mp4', file_type: 'video', width: 320, height: 240 });
    expect(file.duration).toBeCloseTo(1, 0);
    expect(file.cdn_url.startsWith(e.url)).toBe(true);
    const cdn = await fetch(file.cdn_url);
    expect((await cdn.arrayBuffer()).byteLength).toBe((await stat(media.clip)).size);
    const state = await call(e, `/api/state/nemo_agent/me/${sid}/latest`, { token });
    expect(state.json.data.state.video_infos).toEqual([expect.objectContaining({ filename: 'clip.mp4' })]);
  });

  it('takes a repeated files field and can answer in the older video_infos shape', async () => {
    const { e, token, sid } = await start({ uploadShape: 'video_infos' });
    const other = await media.video('other.mov', { width: 160, height: 120 });
    const res = await uploadFiles(e, token, sid, [media.clip, other]);
    expect(res.json.data.files).toBeUndefined();
    expect(res.json.data.video_infos.map((f: { filename: string }) => f.filename)).toEqual([
      'clip.mp4',
      'other.mov',
    ]);
    const parts = (e.requests.find((r) => r.endpoint === 'upload')?.body as { parts: unknown[] }).parts;
    expect(parts).toEqual([
      expect.objectContaining({ field: 'files', filename: 'clip.mp4', size: (await stat(media.clip)).size }),
      expect.objectContaining({ field: 'files', filename: 'other.mov' }),
    ]);
  });

  it('mixes both answer shapes when not told which', async () => {
    const { e, token, sid } = await start();
    const shapes = new Set<string>();
    for (let i = 0; i < 8; i++)
      shapes.add(Object.keys((await uploadFiles(e, token, sid, [media.clip])).json.data)[0] ?? '');
    expect(shapes).toEqual(new Set(['files', 'video_infos']));
  });

  it('accepts bytes ffprobe cannot read, with null duration, width and height', async () => {
    const { e, token, sid } = await start();
    const junk = await junkFile(join(media.dir, 'padded.mp4'), 3 * 1024 * 1024);
    const res = await uploadFiles(e, token, sid, [junk]);
    expect(res.json.code).toBe(0);
    expect(uploadedEntries(res.json)[0]).toMatchObject({
      duration: null,
      width: null,
      height: null,
      size: 3 * 1024 * 1024,
    });
  });

  it('answers 4001 for a type outside the accepted list and keeps nothing', async () => {
    const { e, token, sid } = await start();
    const text = await junkFile(join(media.dir, 'notes.txt'), 100);
    const res = await uploadFiles(e, token, sid, [media.clip, text]);
    expect(res.json.code).toBe(4001);
    const state = await call(e, `/api/state/nemo_agent/me/${sid}/latest`, { token });
    expect(state.json.data.state.video_infos).toEqual([]);
  });

  it('answers 4002 above maxUploadBytes', async () => {
    const { e, token, sid } = await start({ maxUploadBytes: 64 * 1024 });
    const big = await junkFile(join(media.dir, 'big.mp4'), 256 * 1024);
    const res = await uploadFiles(e, token, sid, [big]);
    expect(res.json.code).toBe(4002);
  });

  it('needs a live token and a known session', async () => {
    const { e, token } = await start({ authErrorStyle: 'envelope' });
    expect((await uploadFiles(e, 'bad', '1', [media.clip])).json.code).toBe(1001);
    expect((await uploadFiles(e, token, '123', [media.clip])).json.code).toBe(1002);
  });
});

describe('URL upload', () => {
  it('fetches the URL to disk and describes it', async () => {
    const { e, token, sid } = await start();
    const first = uploadedEntries((await uploadFiles(e, token, sid, [media.clip])).json)[0];
    const res = await call(e, `/api/upload-video/nemo_agent/me/${sid}`, {
      token,
      body: { urls: [first.cdn_url], source_type: 'url' },
    });
    expect(res.json.code).toBe(0);
    expect(uploadedEntries(res.json)[0]).toMatchObject({ filename: 'clip.mp4', width: 320, height: 240 });
  });

  it('accepts an unreachable URL with unknown facts', async () => {
    const { e, token, sid } = await start();
    const res = await call(e, `/api/upload-video/nemo_agent/me/${sid}`, {
      token,
      body: { urls: ['http://127.0.0.1:9/missing.mp4'], source_type: 'url' },
    });
    expect(res.json.code).toBe(0);
    expect(uploadedEntries(res.json)[0]).toMatchObject({ filename: 'missing.mp4', duration: null });
  });

  it('answers 4001 for a URL of an unaccepted type', async () => {
    const { e, token, sid } = await start();
    const res = await call(e, `/api/upload-video/nemo_agent/me/${sid}`, {
      token,
      body: { urls: ['http://127.0.0.1:9/setup.exe'], source_type: 'url' },
    });
    expect(res.json.code).toBe(4001);
  });
});
