import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, VideoInboxError } from '../../../../src/core/errors.js';
import { runFfmpeg, type SpawnFn } from '../../../../src/engines/local/ffmpeg-runner.js';
import { makeVideo, QUIET_FFMPEG } from '../../../helpers/media.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-ffmpeg-runner-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in ffmpeg: a shell script that behaves the way a real one misbehaves. */
async function fakeFfmpeg(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

function recordingSpawn(children: ChildProcess[]): SpawnFn {
  return (command, args, options) => {
    const child = spawn(command, args, options);
    children.push(child);
    return child;
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runFfmpeg', () => {
  it('reports ffmpeg’s own reason when the real ffmpeg fails', async () => {
    const garbage = join(dir, 'garbage.avi');
    await writeFile(garbage, Buffer.alloc(4096, 0x5a));
    const err = await runFfmpeg({
      ffmpeg: 'ffmpeg',
      args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', `file:${garbage}`, '-f', 'null', '-'],
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ code: 'FFMPEG_FAILED', exitCode: 1, retryable: false });
    expect((err as FfmpegError).message).toContain('Invalid data found when processing input');
    expect((err as FfmpegError).hint).toMatch(/damaged/);
  });

  it('fails when the real ffmpeg could not finish the file, even where it exits 0 (ffmpeg 5.1)', async () => {
    // Too little room reserved for the index: the muxer cannot write its trailer. ffmpeg 5.1 says so
    // on stderr and exits 0, leaving a file without a usable index.
    const source = join(dir, 'source.mov');
    await makeVideo(source, { durationSec: 2 });
    const output = join(dir, 'no-room.mp4');
    const err = await runFfmpeg({
      ffmpeg: 'ffmpeg',
      args: [
        ...QUIET_FFMPEG,
        '-i',
        `file:${source}`,
        '-c',
        'copy',
        '-moov_size',
        '100',
        '-f',
        'mp4',
        `file:${output}`,
      ],
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ code: 'FFMPEG_FAILED' });
    expect((err as FfmpegError).stderrTail).toMatch(/reserved_moov_size is too small/);
    expect((err as FfmpegError).message).not.toMatch(/code 0/);
  });

  it('fails when ffmpeg could not close its output and exits 0 all the same (a share reporting late)', async () => {
    const ffmpeg = await fakeFfmpeg(
      'close-fails',
      'echo "Error closing file file:/share/out.mp4.part: Input/output error" >&2\nexit 0',
    );
    const err = await runFfmpeg({ ffmpeg, args: [], signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).message).toMatch(/could not finish its output: Error closing file/);
  });

  it('a run that ends with other lines on stderr and exit 0 succeeds', async () => {
    const ffmpeg = await fakeFfmpeg(
      'warns',
      'echo "[mp4 @ 0x1] Non-monotonous DTS in output stream" >&2\nexit 0',
    );
    await expect(
      runFfmpeg({ ffmpeg, args: [], signal: new AbortController().signal }),
    ).resolves.toBeUndefined();
  });

  it('passes progress from stdout through as percents', async () => {
    const ffmpeg = await fakeFfmpeg(
      'progress.sh',
      'for t in 1000000 2000000 3000000; do printf "out_time_us=%s\\nprogress=continue\\n" $t; done',
    );
    const seen: number[] = [];
    await runFfmpeg({
      ffmpeg,
      args: [],
      signal: new AbortController().signal,
      durationSec: 4,
      onProgress: (p) => seen.push(p),
    });
    expect(seen).toEqual([25, 50, 75]);
  });

  it('sends SIGKILL when ffmpeg ignores SIGTERM, and rejects only after it has exited', async () => {
    const ffmpeg = await fakeFfmpeg(
      'stubborn.sh',
      "trap '' TERM\necho progress=continue\nwhile :; do sleep 0.05; done",
    );
    const children: ChildProcess[] = [];
    const controller = new AbortController();
    const running = runFfmpeg({
      ffmpeg,
      args: [],
      signal: controller.signal,
      spawn: recordingSpawn(children),
      killGraceMs: 200,
    });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoInboxError);
    expect((err as VideoInboxError).code).toBe('CANCELLED');
    const child = children[0]!;
    expect(child.signalCode).toBe('SIGKILL');
    expect(isAlive(child.pid!)).toBe(false);
  });

  it('does not start ffmpeg when already cancelled', async () => {
    const children: ChildProcess[] = [];
    const controller = new AbortController();
    controller.abort();
    const err = await runFfmpeg({
      ffmpeg: 'ffmpeg',
      args: ['-version'],
      signal: controller.signal,
      spawn: recordingSpawn(children),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(children).toHaveLength(0);
  });

  it('stops an ffmpeg that hangs without progress and says it may be retried', async () => {
    const ffmpeg = await fakeFfmpeg('hung.sh', 'echo "reading from a dead share" >&2\nexec sleep 30');
    const err = await runFfmpeg({
      ffmpeg,
      args: [],
      signal: new AbortController().signal,
      stallTimeoutMs: 300,
      killGraceMs: 200,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({
      code: 'FFMPEG_FAILED',
      retryable: true,
      stderrTail: 'reading from a dead share',
    });
    expect((err as FfmpegError).message).toMatch(/no progress/);
  });

  it('says how to install ffmpeg when it cannot be started', async () => {
    const err = await runFfmpeg({
      ffmpeg: join(dir, 'no-such-ffmpeg'),
      args: [],
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoInboxError);
    expect(err).toMatchObject({ code: 'FFMPEG_MISSING' });
    expect((err as VideoInboxError).hint).toMatch(/apt install ffmpeg/);
  });
});
