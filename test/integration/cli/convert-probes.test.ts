import { execFile, spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { distIsFresh } from '../daemon/harness.js';
import { makeVideo, probe } from '../../helpers/media.js';
import { countingTools, probesOf } from '../../helpers/tool-calls.js';

/**
 * `convert --engine local` pays each fixed cost once: one ffprobe of the input serves the plan and
 * the engine, and ffmpeg and ffprobe are checked by that first use, not by `-version` beforehand. A
 * remux's output is verified from its own index, read in-process, against the source's streams it
 * copied: no second ffprobe. Counted with logging stand-ins for ffmpeg and ffprobe on PATH that run
 * the real tools.
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
  // No -version checks: ffmpeg's first question (-filters) and the probe that worked vouch for them.
  expect(calls.filter((c) => c.args.includes('-version'))).toEqual([]);
  expect(calls.filter((c) => c.tool === 'ffmpeg' && c.args.includes('-filters'))).toHaveLength(1);
  expect(calls.filter((c) => c.tool === 'ffmpeg' && c.args.some((a) => a.endsWith(input)))).toHaveLength(1);
});

/** Runs the built CLI's `convert --engine local` with `bin` first on PATH. */
function convertLocal(bin: string, out: string, input: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
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
}

it("a damaged input is the file's fault, not the tools': exit 1, and ffprobe -version asked once to tell", async () => {
  const tools = await countingTools(join(dir, 'bin-damaged'));
  const input = join(dir, 'damaged.mov');
  await writeFile(input, Buffer.alloc(64 * 1024, 7));
  const run = await convertLocal(tools.dir, join(dir, 'out-damaged'), input);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/damaged\.mov: /);
  expect(run.stderr).not.toMatch(/was not found/);
  const calls = await tools.calls();
  expect(calls.filter((c) => c.tool === 'ffprobe' && c.args.includes('-version'))).toHaveLength(1);
  expect(calls.filter((c) => c.tool === 'ffmpeg' && c.args.some((a) => a.endsWith(input)))).toHaveLength(0);
});

it("an ffprobe that cannot run is the tool's fault: FFMPEG_MISSING (exit 5), not a damaged video", async () => {
  const bin = join(dir, 'bin-broken');
  await mkdir(bin, { recursive: true });
  await writeFile(
    join(bin, 'ffprobe'),
    '#!/bin/sh\necho "error while loading shared libraries" >&2\nexit 127\n',
  );
  await chmod(join(bin, 'ffprobe'), 0o755);
  const input = await makeVideo(join(dir, 'fine.mov'), { durationSec: 1 });
  const run = await convertLocal(bin, join(dir, 'out-broken'), input);
  expect(run.code).toBe(5);
  expect(run.stderr).toMatch(/ffprobe was not found on PATH/);
  expect(run.stderr).not.toMatch(/damaged/i);
});

it('Ctrl-C while ffmpeg is first asked (its check) is an interruption (exit 130), not a missing ffmpeg', async () => {
  // An ffmpeg whose -filters takes 5 s and says when it started; Ctrl-C reaches the whole process
  // group, as from a terminal, and kills it too.
  const bin = join(dir, 'bin-slow');
  await mkdir(bin, { recursive: true });
  const asked = join(bin, 'asked');
  await writeFile(
    join(bin, 'ffmpeg'),
    `#!/bin/sh\nif [ "$1" = "-filters" ]; then : > '${asked}'; sleep 5; fi\nexec ffmpeg-real-is-not-needed "$@"\n`,
  );
  await chmod(join(bin, 'ffmpeg'), 0o755);
  const input = await makeVideo(join(dir, 'interrupted.mov'), { durationSec: 1 });
  // Ctrl-C the moment ffmpeg is asked, not up to a poll later: the CLI must already be listening
  // for it by then, or the signal's default action kills node (no exit code at all).
  const watcher = watch(bin);
  const asking = new Promise<void>((done) =>
    watcher.on('change', (_event, name) => {
      if (name === 'asked') {
        watcher.close();
        done();
      }
    }),
  );
  const child = spawn(
    process.execPath,
    [BIN, 'convert', '--engine', 'local', '--out', join(dir, 'out-interrupted'), input],
    {
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  await asking;
  expect(existsSync(asked)).toBe(true);
  process.kill(-child.pid!, 'SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).not.toMatch(/not found/);
});
