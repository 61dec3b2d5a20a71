import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomLayoutOfFile } from '../../../src/engines/local/atom-order.js';
import { makeVideo, probe } from '../../helpers/media.js';
import { cleanUpAfterEach, distIsFresh, listFiles, makeSandbox, oneFileThroughDaemon } from './harness.js';

cleanUpAfterEach();

/** An iPhone-style HEVC MOV (hvc1). */
async function makeHevcMov(path: string): Promise<string> {
  return makeVideo(path, {
    videoCodec: 'libx265',
    width: 640,
    height: 360,
    extra: [
      '-tag:v',
      'hvc1',
      '-pix_fmt',
      'yuv420p',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error',
    ],
  });
}

const realFfprobe = async () => (await promisify(execFile)('which', ['ffprobe'])).stdout.trim();

describe.runIf(distIsFresh())('the MP4 contract through the built daemon', { timeout: 240_000 }, () => {
  it('a keepHevc rule keeps an HEVC MOV as HEVC (remuxed, hvc1) and places it; it makes no API request', async () => {
    const sb = await makeSandbox({ rule: { engine: 'local', extra: 'local:\n  keepHevc: true' } });
    const source = await makeHevcMov(join(sb.dir, 'iphone.mov'));
    const { job } = await oneFileThroughDaemon(sb, source, { what: 'the HEVC job' });
    expect(job?.error).toBeUndefined();
    expect(job?.state).toBe('done');
    const out = await probe(join(sb.outbox, 'iphone.mp4'));
    expect(out.video?.codec).toBe('hevc');
    expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['iphone.mov']);
    expect(sb.emu.requests).toEqual([]);
  });

  it('without keepHevc the same HEVC MOV becomes H.264', async () => {
    const sb = await makeSandbox({ rule: { engine: 'local' } });
    const source = await makeHevcMov(join(sb.dir, 'iphone.mov'));
    const { job } = await oneFileThroughDaemon(sb, source, { what: 'the HEVC job' });
    expect(job?.state).toBe('done');
    expect((await probe(join(sb.outbox, 'iphone.mp4'))).video?.codec).toBe('h264');
  });

  it('a cloud render with its index at the end is fixed locally (faststart) before it is placed', async () => {
    const sb = await makeSandbox({ emulator: { renderIndexAtEnd: true } });
    const source = await makeVideo(join(sb.dir, 'trip.mov'));
    const { child, job } = await oneFileThroughDaemon(sb, source, { what: 'the cloud job' });
    expect(job?.error).toBeUndefined();
    expect(job?.state).toBe('done');
    await child.waitForLog('Cloud render brought into the MP4 contract locally');
    expect((await atomLayoutOfFile(join(sb.outbox, 'trip.mp4'))).moovFirst).toBe(true);
    expect(sb.emu.renders()).toHaveLength(1);
  });

  it('without ffmpeg such a render is not placed: the job fails saying ffmpeg is missing', async () => {
    const sb = await makeSandbox({ emulator: { renderIndexAtEnd: true } });
    const source = await makeVideo(join(sb.dir, 'trip.mov'));
    // ffprobe (to check the render) but no ffmpeg (to fix it).
    sb.env.PATH = join(sb.dir, 'probe-only');
    await mkdir(sb.env.PATH);
    await symlink(await realFfprobe(), join(sb.env.PATH, 'ffprobe'));
    const { job } = await oneFileThroughDaemon(sb, source, { what: 'the cloud job' });
    expect(job?.state).toBe('failed');
    expect(job?.error?.message).toMatch(/does not meet the MP4 contract.*ffmpeg is not installed/);
    expect(await listFiles(sb.outbox)).toEqual([]);
    const note = await readFile(join(sb.inbox, '_failed', 'trip.mov.error.txt'), 'utf8');
    expect(note).toMatch(/Install ffmpeg/);
  });
});
