import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { bin } from '../daemon/harness.js';

const run = promisify(execFile);

/**
 * A newcomer's first hour, through the built CLI: a fresh HOME, `video-inbox init`, `video-inbox
 * start` with no flags, then one video of every container people have lying around dropped into the
 * example "old formats" inbox. Each must be accounted for: an MP4 in the outbox, or the file in
 * `_failed/` with an `.error.txt` that says why. Cloud jobs go to the API emulator on loopback.
 */
interface Format {
  ext: string;
  /** ffmpeg output options: codecs and muxer a real file of this kind has. */
  args: string[];
  /** Video size and rate, when the format allows only some. */
  size?: string;
  rate?: string;
}

const FORMATS: Format[] = [
  { ext: 'mts', args: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mpegts'] },
  { ext: 'm2ts', args: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mpegts'] },
  { ext: 'ts', args: ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpegts'] },
  { ext: 'mpg', args: ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpeg'] },
  { ext: 'mpeg', args: ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpeg'] },
  { ext: 'vob', args: ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'vob'] },
  { ext: 'wmv', args: ['-c:v', 'wmv2', '-c:a', 'wmav2', '-f', 'asf'] },
  { ext: 'asf', args: ['-c:v', 'wmv2', '-c:a', 'wmav2', '-f', 'asf'] },
  { ext: 'flv', args: ['-c:v', 'flv', '-c:a', 'libmp3lame', '-ar', '44100', '-f', 'flv'] },
  { ext: '3gp', args: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', '3gp'] },
  {
    ext: 'dv',
    size: '720x480',
    rate: '30000/1001',
    args: [
      '-c:v',
      'dvvideo',
      '-pix_fmt',
      'yuv411p',
      '-c:a',
      'pcm_s16le',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'dv',
    ],
  },
  { ext: 'mxf', rate: '25', args: ['-c:v', 'mpeg2video', '-c:a', 'pcm_s16le', '-ar', '48000', '-f', 'mxf'] },
  { ext: 'm4v', args: ['-c:v', 'mpeg4', '-c:a', 'aac', '-f', 'mp4'] },
  { ext: 'ogv', args: ['-c:v', 'libtheora', '-c:a', 'libvorbis', '-f', 'ogg'] },
];

const LIMIT_MS = 150_000;

let dir: string;
let home: string;
let emu: Emulator;
let daemon: ChildProcess | undefined;
const log: string[] = [];
let inbox: string;
let outbox: string;

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    NEMO_API_BASE: emu.url,
  };
}

async function makeSample(f: Format, index: number): Promise<string> {
  const path = join(dir, 'camera', `sample-${f.ext}.${f.ext}`);
  const size = f.size ?? '320x240';
  const rate = f.rate ?? '25';
  // A different tone per file: every sample is a different content.
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}:duration=2`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${300 + index * 40}:sample_rate=48000:duration=2`],
    ...f.args,
    '-shortest',
    path,
  ]);
  return path;
}

/** Where a dropped file ended: 'mp4', 'failed' (with its note), or undefined while it is unaccounted. */
async function outcome(f: Format): Promise<'mp4' | 'failed' | undefined> {
  const name = `sample-${f.ext}`;
  const outputs = existsSync(outbox) ? await readdir(outbox) : [];
  if (outputs.some((o) => o.startsWith(name) && o.endsWith('.mp4') && !o.includes('.part'))) return 'mp4';
  const failed = join(inbox, '_failed');
  const note = join(failed, `${name}.${f.ext}.error.txt`);
  if (existsSync(join(failed, `${name}.${f.ext}`)) && existsSync(note)) {
    if ((await readFile(note, 'utf8')).trim().length > 0) return 'failed';
  }
  return undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-newcomer-'));
  home = join(dir, 'home');
  await mkdir(join(dir, 'camera'), { recursive: true });
  await mkdir(home, { recursive: true });
  emu = await startEmulator({ seed: 5, instructionMs: 50, heartbeatMs: 20, renderPolls: 1, textlessRate: 0 });
  const init = await run(process.execPath, [bin, 'init'], { env: env() });
  expect(init.stdout).toContain('Next steps:');
  inbox = join(home, 'Videos', 'video-inbox', 'old-formats-to-mp4', 'inbox');
  outbox = join(home, 'Videos', 'video-inbox', 'old-formats-to-mp4', 'outbox');
  const samples = await Promise.all(FORMATS.map((f, i) => makeSample(f, i)));
  daemon = spawn(process.execPath, [bin, 'start'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (c: Buffer) => log.push(c.toString('utf8')));
  daemon.stderr!.on('data', (c: Buffer) => log.push(c.toString('utf8')));
  const until = Date.now() + 60_000;
  while (!log.join('').includes('Watching inboxes')) {
    if (Date.now() > until || daemon.exitCode !== null)
      throw new Error(`daemon did not start:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // As a person copies files in: each one whole, under its final name.
  for (const sample of samples) await run('cp', [sample, inbox]);
  // Wait until every file is accounted for, or the generous limit passes.
  const deadline = Date.now() + LIMIT_MS;
  for (;;) {
    const results = await Promise.all(FORMATS.map(outcome));
    if (results.every((r) => r !== undefined) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
}, LIMIT_MS + 180_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a newcomer drops one video of every format into the example inbox', () => {
  for (const f of FORMATS) {
    it(`.${f.ext} ends as an MP4 or in _failed/ with its reason`, async () => {
      expect(await outcome(f)).toBeDefined();
    });
  }

  it('the daemon is still running after all of them', () => {
    expect(daemon?.exitCode).toBeNull();
  });
});
