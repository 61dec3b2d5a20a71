import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { distIsFresh } from '../daemon/harness.js';
import { makeVideo, probe } from '../../helpers/media.js';
import { countingTools, probesOf } from '../../helpers/tool-calls.js';

/**
 * `convert --engine local` pays each fixed cost once: one ffprobe of the input serves the plan and
 * the engine, and ffmpeg and ffprobe are each checked once. A remux's output is verified from its own
 * index, read in-process, against the source's streams it copied: no second ffprobe. Counted with
 * logging stand-ins for ffmpeg and ffprobe on PATH that run the real tools.
 */

const BIN = resolve('dist/src/cli/bin.js');
let dir: string;

beforeAll(async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'vi-convert-probes-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a remux probes the input once, and verifies its output without ffprobe', async () => {
  const tools = await countingTools(join(dir, 'bin'));
  const input = await makeVideo(join(dir, 'phone.mov'), { durationSec: 2 });
  const out = join(dir, 'out');
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [BIN, 'convert', '--engine', 'local', '--out', out, input],
      {
        env: { PATH: `${tools.dir}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') },
        timeout: 90_000,
      },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  const output = run.stdout.trim();
  expect(output).toBe(join(out, 'phone.mp4'));
  expect((await probe(output)).video?.codec).toBe('h264');

  const calls = await tools.calls();
  expect(probesOf(calls, input)).toHaveLength(1);
  // The output's facts come from its index and the source's probe: the stream copy keeps the codecs.
  const outputProbes = calls.filter(
    (c) => c.tool === 'ffprobe' && !c.args.includes(input) && !c.args.includes('-version'),
  );
  expect(outputProbes).toHaveLength(0);
  const versionChecks = (tool: string) => calls.filter((c) => c.tool === tool && c.args.includes('-version'));
  expect(versionChecks('ffprobe').length).toBeLessThanOrEqual(1);
  expect(versionChecks('ffmpeg').length).toBeLessThanOrEqual(1);
  expect(calls.filter((c) => c.tool === 'ffmpeg' && c.args.some((a) => a.endsWith(input)))).toHaveLength(1);
});

it("the input's probe does not wait for the tools' -version checks: it runs beside them", async () => {
  // An ffprobe whose -version check answers only once the input's probe has started: were the probe
  // to wait for the check, the check would time out and the run fail with "ffprobe was not found".
  const bin = join(dir, 'bin-gated');
  await mkdir(bin, { recursive: true });
  const started = join(bin, 'probe-started');
  const real = execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
  await writeFile(
    join(bin, 'ffprobe'),
    [
      '#!/bin/sh',
      'if [ "$1" = "-version" ]; then',
      `  i=0; while [ ! -e '${started}' ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done`,
      'else',
      `  : > '${started}'`,
      'fi',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(join(bin, 'ffprobe'), 0o755);
  const input = await makeVideo(join(dir, 'gated.mov'), { durationSec: 1 });
  const out = join(dir, 'out-gated');
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [BIN, 'convert', '--engine', 'local', '--out', out, input],
      {
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') },
        timeout: 90_000,
      },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(run.stderr).not.toMatch(/error|not found/i);
  expect(run.code).toBe(0);
  expect(run.stdout.trim()).toBe(join(out, 'gated.mp4'));
});
