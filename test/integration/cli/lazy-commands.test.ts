import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/cli/commands.js';
import { VERSION } from '../../../src/core/version.js';
import { bin, makeSandbox, root, type Sandbox } from '../daemon/harness.js';

/**
 * The built CLI, run with a module hook that records every file Node loads: the proof that a
 * command loads its own modules and not the daemon's (start-up time itself is measured in bench/).
 */
let sb: Sandbox;
let hookDir: string;

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.VI_LOADED_LOG, url + '\\\\n');
  return next(url, context);
}\`));
`;

beforeAll(async () => {
  sb = await makeSandbox();
  hookDir = await mkdtemp(join(tmpdir(), 'vi-lazy-'));
  await writeFile(join(hookDir, 'hook.mjs'), HOOK);
});

afterAll(async () => {
  await sb.close();
  await rm(hookDir, { recursive: true, force: true });
});

interface Traced {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Loaded files, relative to the repository (dist/src/…, node_modules/…). */
  loaded: string[];
}

let runs = 0;
function traced(args: string[]): Promise<Traced> {
  const log = join(hookDir, `loaded-${++runs}.txt`);
  const hook = pathToFileURL(join(hookDir, 'hook.mjs')).href;
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', hook, bin, ...args],
      { env: { ...sb.env, VI_LOADED_LOG: log } },
      (err, stdout, stderr) => {
        void readFile(log, 'utf8')
          .catch(() => '')
          .then((text) => {
            const prefix = pathToFileURL(root).href;
            const loaded = text
              .split('\n')
              .filter((u) => u.startsWith(prefix))
              .map((u) => u.slice(prefix.length));
            done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, loaded });
          });
      },
    );
  });
}

const packageOf = (path: string) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];

describe('the CLI loads only what the command needs', () => {
  it('--version prints the version and loads no command, no config code and no library but commander', async () => {
    const run = await traced(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
    const own = run.loaded.filter((p) => p.startsWith('dist/'));
    expect(own.sort()).toEqual([
      'dist/src/cli/bin.js',
      'dist/src/cli/commands.js',
      'dist/src/cli/main.js',
      // Where the compiled code is kept (bin.ts): a few lines each, node's own modules only.
      'dist/src/core/paths.js',
      'dist/src/core/private-dir.js',
      'dist/src/core/version.js',
    ]);
    const packages = new Set(run.loaded.map(packageOf).filter(Boolean));
    expect([...packages]).toEqual(['commander']);
  });

  it('status runs without the daemon, the watcher, the cloud client or their libraries', async () => {
    const run = await traced(['status', '--config', sb.configPath]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('No jobs');
    expect(run.loaded).toContain('dist/src/cli/status.js');
    const forbidden = run.loaded.filter(
      (p) =>
        /^dist\/src\/(daemon|watch|engines\/nemo|outbox)\//.test(p) ||
        /^dist\/src\/cli\/(start|convert|retry|credits|service)\.js$/.test(p) ||
        ['chokidar', 'undici', 'p-queue', 'node-notifier'].includes(packageOf(p) ?? ''),
    );
    expect(forbidden).toEqual([]);
  });

  it('status and explain load neither the logger library nor its pretty printer', async () => {
    for (const args of [
      ['status', '--config', sb.configPath],
      ['explain', join(sb.inbox, 'absent.mov'), '--config', sb.configPath],
    ]) {
      const run = await traced(args);
      expect(run.loaded, args[0]).toContain(`dist/src/cli/${args[0]}.js`);
      const logging = run.loaded.filter(
        (p) => p === 'dist/src/core/logger.js' || ['pino', 'pino-pretty'].includes(packageOf(p) ?? ''),
      );
      expect(logging, args[0]).toEqual([]);
    }
  });

  it('validate of a single-host config does not load the Redis client', async () => {
    const run = await traced(['validate', '--config', sb.configPath]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('OK:');
    const redis = run.loaded.filter(
      (p) => p === 'dist/src/app/check-redis.js' || ['ioredis', 'bullmq'].includes(packageOf(p) ?? ''),
    );
    expect(redis).toEqual([]);
  });

  it('a logger whose lines are not for a terminal does not load pino-pretty', async () => {
    // stdout is a pipe here, as under a service manager; pretty: true shows the check can see it.
    const loadsPretty = (options: string) =>
      new Promise<boolean>((done, fail) => {
        const script = [
          `import { createRequire } from 'node:module';`,
          `import { createLogger } from ${JSON.stringify(pathToFileURL(join(root, 'dist/src/core/logger.js')).href)};`,
          `createLogger(${options}).info('hello');`,
          `const cache = Object.keys(createRequire(import.meta.url).cache);`,
          `process.stderr.write(String(cache.some((p) => p.includes('/node_modules/pino-pretty/'))));`,
        ].join('\n');
        execFile(process.execPath, ['--input-type=module', '-e', script], (err, _out, stderr) =>
          err ? fail(err) : done(stderr.trim() === 'true'),
        );
      });
    expect(await loadsPretty('{}')).toBe(false);
    expect(await loadsPretty('{ pretty: true }')).toBe(true);
  });

  it('--help still lists every command, and a misspelt one still gets a suggestion', async () => {
    const help = await traced(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await traced(['strat']);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('Did you mean start?');
  });
});
