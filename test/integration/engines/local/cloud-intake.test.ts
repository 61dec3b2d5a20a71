import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCloudIntakeArgs, planCloudIntake } from '../../../../src/engines/local/cloud-intake.js';
import { probeMedia } from '../../../../src/engines/local/probe.js';
import { testsrcInput } from '../../../helpers/media.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-cloud-intake-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cloud intake remux with real ffmpeg', { timeout: 120_000 }, () => {
  it.each<[string, string[], 'mp4' | 'mkv', string, string]>([
    [
      '00001.MTS',
      ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'ac3', '-f', 'mpegts'],
      'mp4',
      'h264',
      'ac3',
    ],
    ['VTS_01_1.VOB', ['-c:v', 'mpeg2video', '-c:a', 'ac3', '-f', 'vob'], 'mkv', 'mpeg2video', 'ac3'],
    ['dvd.mpg', ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpeg'], 'mkv', 'mpeg2video', 'mp2'],
  ])(
    '%s: its streams are copied unchanged into a container the API takes',
    async (name, out, container, vcodec, acodec) => {
      const input = join(dir, name);
      await run('ffmpeg', [
        ...testsrcInput(),
        ...['-f', 'lavfi', '-i', 'sine=duration=1:sample_rate=48000', ...out, '-shortest', input],
      ]);
      const plan = planCloudIntake(name.split('.').pop() ?? '', await probeMedia(input));
      expect(plan).toMatchObject({ kind: 'remux', container });
      if (plan.kind !== 'remux') return;
      const output = join(dir, `${name}.${container}`);
      await run('ffmpeg', buildCloudIntakeArgs(plan, input, output));
      const info = await probeMedia(output);
      expect(info.formatName).toContain(container === 'mp4' ? 'mp4' : 'matroska');
      expect(info.video?.codec).toBe(vcodec);
      expect(info.audio?.codec).toBe(acodec);
      expect(info.durationSec).toBeGreaterThan(0.5);
    },
  );
});
