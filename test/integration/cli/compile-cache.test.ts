import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsFresh } from '../daemon/harness.js';
import { canMountTmpfs } from '../reliability/user-config.js';

/**
 * On Node 22 and later the CLI keeps V8's compiled code of its modules in the user's cache folder
 * (`module.enableCompileCache`), so each command after the first starts without compiling them
 * again. Node's own debug lines (NODE_DEBUG_NATIVE=COMPILE_CACHE) say whether a module's cached code
 * was read and accepted. Node 20 has no such cache: there the CLI runs as before.
 */

const BIN = resolve('dist/src/cli/bin.js');
const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
let dir: string;

beforeAll(async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'vi-compile-cache-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000, cwd },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** Modules whose cached code Node accepted, from its debug lines. */
const accepted = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('[compile cache]') && l.includes('was accepted'));

describe.skipIf(!hasCompileCache)('Node 22+: compiled code kept between runs', () => {
  it("a command's modules are compiled once, kept under $XDG_CACHE_HOME/video-inbox, and taken from there next time", async () => {
    const home = join(dir, 'xdg');
    const env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache'), NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
    const first = await cli(['convert', '--help'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(accepted(first.stderr)).toEqual([]);
    const cacheDir = join(home, 'cache', 'video-inbox', 'compile-cache');
    expect(existsSync(cacheDir)).toBe(true);
    expect((await readdir(cacheDir)).length).toBeGreaterThan(0);

    const second = await cli(['convert', '--help'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const taken = accepted(second.stderr).join('\n');
    expect(taken).toContain('dist/src/cli/convert.js');
    expect(taken).toContain('node_modules/commander/');
  });

  it("--help between two runs of a command leaves that command's cached code usable", async () => {
    // The daemon's V8 flag (daemon-heap.ts) is part of each entry's key: set by anything but `start`,
    // it made every command after a --help throw away and rewrite the entries they share.
    const home = join(dir, 'help');
    const env = { HOME: home, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
    await cli(['convert', '--help'], env);
    await cli(['--help'], env);
    await cli(['start', '--help'], env);
    const after = await cli(['convert', '--help'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr.split('\n').filter((l) => l.includes('was rejected'))).toEqual([]);
    expect(accepted(after.stderr).length).toBeGreaterThan(0);
  });

  it('an empty or relative HOME keeps no cache (it would be under the current folder, maybe a shared one)', async () => {
    for (const home of ['', 'relative-home']) {
      const cwd = await mkdtemp(join(dir, 'cwd-'));
      const run = await cli(['convert', '--help'], { HOME: home }, cwd);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(await readdir(cwd, { recursive: true }), `HOME="${home}"`).toEqual([]);
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a cache folder another user owns, or could replace, is not used (needs root to make one)',
    async () => {
      // As root with HOME=/home/alice (sudo keeping HOME): alice owns ~/.cache and could plant code in
      // a cache root would run. Here "alice" is nobody (65534).
      const home = join(dir, 'alice');
      await mkdir(join(home, '.cache'), { recursive: true });
      await chown(home, 65534, 65534);
      await chown(join(home, '.cache'), 65534, 65534);
      const run = await cli(['convert', '--help'], { HOME: home, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('[compile cache]');
      expect(existsSync(join(home, '.cache', 'video-inbox'))).toBe(false);

      // A cache folder of one's own that others may write to is refused too.
      const shared = join(dir, 'shared-home');
      await mkdir(join(shared, '.cache', 'video-inbox', 'compile-cache'), { recursive: true, mode: 0o777 });
      execFileSync('chmod', ['0777', join(shared, '.cache', 'video-inbox')]);
      const second = await cli(['convert', '--help'], { HOME: shared, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).not.toContain('[compile cache]');
    },
  );

  it.skipIf(!canMountTmpfs())(
    'a disk with little room left gets no cache (a failed write leaves empty files; needs root to mount)',
    async () => {
      const home = join(dir, 'full');
      await mkdir(home);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', home]);
      try {
        const run = await cli(['convert', '--help'], { HOME: home });
        expect(run.code, run.stderr).toBe(0);
        expect(existsSync(join(home, '.cache', 'video-inbox', 'compile-cache'))).toBe(false);
      } finally {
        execFileSync('umount', [home]);
      }
    },
  );

  it('without XDG_CACHE_HOME the cache is ~/.cache/video-inbox (the folder is per user, never /tmp)', async () => {
    const home = join(dir, 'plain-home');
    const run = await cli(['--version'], { HOME: home });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(home, '.cache', 'video-inbox', 'compile-cache'))).toBe(true);
  });
});

it('a cache folder that cannot be made changes nothing: same output, no warning, exit 0', async () => {
  const home = join(dir, 'blocked');
  const env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache') };
  const clean = await cli(['--version'], { HOME: join(dir, 'other'), XDG_CACHE_HOME: join(dir, 'other') });
  await rm(home, { recursive: true, force: true });
  // A file where the cache folder's parent should be.
  await writeFile(join(dir, 'blocked'), 'not a folder');
  const run = await cli(['--version'], env);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(clean.stdout);
  const help = await cli(['convert', '--help'], env);
  expect(help.code).toBe(0);
  expect(help.stderr).toBe('');
  expect(help.stdout).toContain('Convert files once');
});
