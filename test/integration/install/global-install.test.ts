import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../daemon/harness.js';

const run = promisify(execFile);

/**
 * The README's way to put `video-inbox` on PATH from a clone: `npm install -g .` (a link to the
 * clone), here into a temporary global prefix. `--offline`: nothing is fetched, a test never talks to
 * the network (the clone's own node_modules serve the link).
 */
let dir: string;
let prefix: string;
let home: string;

function env(): Record<string, string> {
  return {
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    LANG: 'C.UTF-8',
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-install-'));
  prefix = join(dir, 'prefix');
  home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  // dist/ is already built (npm test builds first), as `npm install` in a clone builds it.
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', root], {
    cwd: dir,
  });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm install -g . from a clone', () => {
  it('puts video-inbox on PATH, and --version answers', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run('video-inbox', ['--version'], { env: env() });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('init works from the install (rules and schemas are in the package)', async () => {
    const { stdout } = await run('video-inbox', ['init'], { env: env() });
    expect(stdout).toContain('Next steps:');
    const rules = await readdir(join(home, '.config', 'video-inbox', 'rules'));
    expect(rules.length).toBeGreaterThan(0);
  });

  it('service install --dry-run points the service at the installed script', async () => {
    const { stdout } = await run('video-inbox', ['service', 'install', '--dry-run'], { env: env() });
    // The global link resolves to the clone's build: the service runs exactly what PATH runs.
    const installed = await realpath(join(prefix, 'bin', 'video-inbox'));
    expect(installed).toBe(join(root, 'dist', 'src', 'cli', 'bin.js'));
    expect(stdout).toContain(installed);
  });

  it('a packed tarball (npm pack) holds the CLI, rules and schemas, and no tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/src/cli/bin.js');
    expect(files.some((f) => f.startsWith('rules/'))).toBe(true);
    expect(files.some((f) => f.startsWith('docs/schema/'))).toBe(true);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/'))).toEqual([]);
  });
});
