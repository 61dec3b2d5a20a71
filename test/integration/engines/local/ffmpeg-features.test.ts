import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { detectFfmpegFeatures } from '../../../../src/engines/local/ffmpeg-version.js';

/**
 * What the ffmpeg binary understands, from one `ffmpeg -filters` run: the banner (with the version)
 * on stderr, the filters on stdout. A stand-in script plays an old ffmpeg; the real one is asked too.
 */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-ffmpeg-features-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('reads the version from the banner and the tone-map filters from the list, in one process', async () => {
  const ffmpeg = join(dir, 'ffmpeg');
  const calls = join(dir, 'calls');
  await writeFile(
    ffmpeg,
    [
      '#!/bin/sh',
      `echo "$*" >> '${calls}'`,
      'echo "ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers" >&2',
      'echo "Filters:"',
      'echo " ... tonemap           V->V       Conversion to/from different dynamic ranges."',
      'echo " ... zscale            V->V       Apply resizing, colorspace and bit depth conversion."',
      '',
    ].join('\n'),
  );
  await chmod(ffmpeg, 0o755);
  expect(await detectFfmpegFeatures(ffmpeg)).toEqual({ vfrFlag: '-vsync', toneMap: true });
  expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual(['-filters']);
});

it('asks the installed ffmpeg the same way', async () => {
  const features = await detectFfmpegFeatures('ffmpeg');
  expect(['-fps_mode', '-vsync']).toContain(features.vfrFlag);
  expect(typeof features.toneMap).toBe('boolean');
});
