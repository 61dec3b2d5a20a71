import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeVideo } from '../../helpers/media.js';
import { ApiError } from '../../../src/core/errors.js';
import { VERSION } from '../../../src/core/version.js';
import { makeClient, startWorld, type World } from './harness.js';

let world: World;
let video: string;

beforeEach(async () => {
  world = await startWorld();
  video = await makeVideo(join(world.dir, 'clip.mov'), { durationSec: 1 });
});
afterEach(async () => {
  await world.close();
});

describe('NemoVideo client against the emulator', () => {
  it('persists the client id and token (0600) and reuses them in a new client instance', async () => {
    const a = makeClient(world);
    await a.createSession('en');
    const file = join(world.stateDir, 'nemo-credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { clientId: string; token: string };
    expect(saved.clientId.length).toBeLessThanOrEqual(64);

    const b = makeClient(world);
    await b.createSession('en');
    await b.credits();
    expect(world.emu.count('token')).toBe(1);
    const tokenCall = world.emu.requests.find((r) => r.endpoint === 'token');
    expect(tokenCall?.headers['x-client-id']).toBe(saved.clientId);
    const sessions = world.emu.requests.filter((r) => r.endpoint === 'session');
    expect(sessions.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${saved.token}`,
      `Bearer ${saved.token}`,
    ]);
  });

  it('sends the attribution headers on every request, with the skill of each call', async () => {
    const client = makeClient(world, { platform: 'github' });
    const s = await client.createSession('de', { skill: 'video-converter-mov-to-mp4' });
    await client.uploadFile(s.sessionId, video);
    await client.state(s.sessionId);
    await client.credits({ skill: 'video-to-generator' });
    expect(world.emu.requests.length).toBeGreaterThanOrEqual(5);
    for (const r of world.emu.requests) {
      expect(r.headers['x-skill-version']).toBe(VERSION);
      expect(r.headers['x-skill-platform']).toBe('github');
    }
    const bySkill = world.emu.requests.map((r) => [r.endpoint, r.headers['x-skill-source']]);
    expect(bySkill).toEqual([
      ['token', 'video-converter-best'],
      ['session', 'video-converter-mov-to-mp4'],
      ['upload', 'video-converter-best'],
      ['state', 'video-converter-best'],
      ['credits', 'video-to-generator'],
    ]);
    expect(world.emu.requests.find((r) => r.endpoint === 'session')?.body).toEqual({
      task_name: 'project',
      language: 'de',
    });
  });

  it('uploads from disk and by URL, in both answer shapes, and reads state and credits', async () => {
    for (const uploadShape of ['files', 'video_infos'] as const) {
      await world.close();
      world = await startWorld({ uploadShape });
      video = await makeVideo(join(world.dir, 'clip.mov'), { durationSec: 1 });
      const client = makeClient(world);
      const { sessionId } = await client.createSession('en');
      expect(sessionId).toMatch(/^\d+$/);
      const progress: number[] = [];
      const files = await client.uploadFile(sessionId, video, { onProgress: (sent) => progress.push(sent) });
      expect(files).toHaveLength(1);
      expect(files[0]?.filename).toBe('clip.mov');
      expect(files[0]?.cdnUrl).toMatch(/^http/);
      expect(files[0]?.durationSec).toBeCloseTo(1, 0);
      expect(files[0]?.width).toBe(320);
      expect(progress.at(-1)).toBeGreaterThan((await stat(video)).size);

      const byUrl = await client.uploadUrls(sessionId, [files[0]!.cdnUrl]);
      expect(byUrl[0]?.cdnUrl).toMatch(/^http/);

      const state = await client.state(sessionId);
      expect(state.videoInfos.length).toBe(2);
      const credits = await client.credits();
      expect(credits.available).toBe(100);
    }
  });

  it('fails a type the service does not accept with 4001 and the accepted formats', async () => {
    const flv = await makeVideo(join(world.dir, 'old.flv'), { videoCodec: 'flv', audioCodec: null });
    const client = makeClient(world);
    const { sessionId } = await client.createSession('en');
    const err = await client.uploadFile(sessionId, flv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('UNSUPPORTED_FILE');
    expect((err as ApiError).hint).toContain('mp4 mov avi webm mkv');
    expect(world.emu.count('upload')).toBe(1);
  });

  it('fails a file over the server limit with 4002, and over the local limit without uploading', async () => {
    await world.close();
    world = await startWorld({ maxUploadBytes: 10_000 });
    video = await makeVideo(join(world.dir, 'clip.mov'), { durationSec: 1 });
    const client = makeClient(world);
    const { sessionId } = await client.createSession('en');
    const err = (await client.uploadFile(sessionId, video).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(err.hint).toMatch(/compress|trim/i);
    expect(world.emu.count('upload')).toBe(1);

    const strict = makeClient(world, { maxUploadBytes: 1000 });
    const local = (await strict.uploadFile(sessionId, video).catch((e: unknown) => e)) as ApiError;
    expect(local.code).toBe('FILE_TOO_LARGE');
    expect(world.emu.count('upload')).toBe(1);
  });

  it('answers a missing session with SESSION_NOT_FOUND (1002)', async () => {
    const client = makeClient(world);
    const err = (await client.state('123').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('SESSION_NOT_FOUND');
  });

  it('uses NEMO_TOKEN of a registered account without asking for an anonymous token', async () => {
    await world.close();
    world = await startWorld({ registeredTokens: ['registered_token_abc'] });
    const client = makeClient(world, { token: 'registered_token_abc' });
    await client.createSession('en');
    await client.credits();
    expect(world.emu.count('token')).toBe(0);
    expect(world.emu.requests.every((r) => r.headers.authorization === 'Bearer registered_token_abc')).toBe(
      true,
    );
  });

  it('reports an invalid NEMO_TOKEN with a hint to replace it', async () => {
    const client = makeClient(world, { token: 'not_a_real_token' });
    const err = (await client.credits().catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('TOKEN_INVALID');
    expect(err.hint).toMatch(/NEMO_TOKEN/);
  });

  it('downloads from another origin (a CDN) without sending the token, and refuses a non-MP4', async () => {
    const client = makeClient(world);
    await client.credits();
    const mp4 = await readFile(video);
    const seen: IncomingHttpHeaders[] = [];
    const cdn = createServer((req, res) => {
      seen.push(req.headers);
      res.end(req.url === '/ok.mp4' ? mp4 : '<html>not a video</html>');
    });
    await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
    try {
      const dest = join(world.dir, 'from-cdn.mp4');
      const bytes = await client.download(`${base}/ok.mp4`, dest);
      expect(bytes).toBe(mp4.length);
      expect(seen[0]?.authorization).toBeUndefined();
      expect(seen[0]?.['x-skill-source']).toBe('video-converter-best');
      const bad = (await client
        .download(`${base}/bad.mp4`, join(world.dir, 'bad.mp4'))
        .catch((e: unknown) => e)) as ApiError;
      expect(bad.code).toBe('DOWNLOAD_INVALID');
      expect(await readdir(world.dir)).not.toContain('bad.mp4');
      expect((await readdir(world.dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    } finally {
      await new Promise((r) => cdn.close(r));
    }
  });

  it('writes nothing but the credentials file into the state dir', async () => {
    await makeClient(world).credits();
    expect(await readdir(world.stateDir)).toEqual(['nemo-credentials.json']);
  });
});
