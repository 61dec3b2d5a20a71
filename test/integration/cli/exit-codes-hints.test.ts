import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  cleanUpAfterAll,
  makeSandbox,
  runCli,
  runDaemonUntil,
  spawnDaemon,
  type Sandbox,
} from '../daemon/harness.js';

/** The words between backticks in a line, split as a shell would split plain and '…'-quoted words. */
function printedCommand(text: string, program: string): string[] {
  const m = new RegExp('`(' + program + ' [^`]+)`').exec(text);
  if (!m) throw new Error(`no \`${program} …\` in:\n${text}`);
  const words: string[] = [];
  for (const w of m[1]!.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) {
    words.push(w[1] !== undefined ? w[1].replace(/'\\''/g, "'") : w[2]!);
  }
  return words.slice(1);
}

let sb: Sandbox;

beforeAll(async () => {
  sb = await makeSandbox({ rule: { engine: 'local', after: 'keep', match: ['*.mov'] } });
});

cleanUpAfterAll();

describe('exit codes as the README says', () => {
  it('bad arguments, unknown commands and unknown options exit 2', async () => {
    for (const args of [['convert'], ['--bogus'], ['frobnicate'], ['service'], ['status', '--bogus']]) {
      const run = await runCli(sb, args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
    }
  });

  it('--version and --help still exit 0', async () => {
    expect((await runCli(sb, ['--version'])).code).toBe(0);
    expect((await runCli(sb, ['--help'])).code).toBe(0);
    expect((await runCli(sb, ['status', '--help'])).code).toBe(0);
  });

  it('status with a config that does not exist exits 2 and names it', async () => {
    const run = await runCli(sb, ['status', '--config', join(sb.dir, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing.yaml');
    expect(run.stdout).not.toContain('Daemon');
  });

  it('explain of a file outside every inbox exits non-zero', async () => {
    const outside = join(sb.dir, 'elsewhere.mov');
    await makeVideo(outside);
    const run = await runCli(sb, ['explain', outside, '--config', sb.configPath]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('is not inside any inbox');
  });

  it('start refuses a rule file that does not exist, with exit 2', async () => {
    const missing = await makeSandbox({});
    try {
      await rm(missing.rulePath());
      const run = await runCli(missing, ['start', '--config', missing.configPath]);
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toContain(missing.rulePath());
      expect(run.stdout + run.stderr).not.toContain('last good version');
    } finally {
      await missing.close();
    }
  }, 60_000);
});

describe('printed hints run as printed', () => {
  it('explain prints a retry command that works, --config included', async () => {
    await mkdir(sb.inbox, { recursive: true });
    const file = await makeVideo(join(sb.inbox, 'clip.mov'));
    await runDaemonUntil(sb, (jobs) => jobs.some((j) => j.state === 'done'), 120_000);
    const run = await runCli(sb, ['explain', file, '--config', sb.configPath]);
    expect(run.stdout).toContain('Done before: yes');
    const hint = printedCommand(run.stdout, 'video-inbox');
    const retry = await runCli(sb, hint);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('marked for another conversion');
  }, 180_000);

  it('a copy outside the inbox keeps its name in the error', async () => {
    const outside = join(sb.dir, 'copy.mov');
    await copyFile(join(sb.inbox, 'clip.mov'), outside).catch(() => makeVideo(outside));
    const run = await runCli(sb, ['retry', outside, '--config', sb.configPath]);
    expect(run.code).toBe(2);
  });

  it('open without a daemon says to start it with the same --config', async () => {
    const run = await runCli(sb, ['open', '--config', sb.configPath]);
    expect(run.code).not.toBe(0);
    expect(printedCommand(run.stderr, 'video-inbox')).toEqual(['start', '--config', sb.configPath]);
  });

  it('open names a running daemon whose page did not start, instead of saying to start one', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as AddressInfo).port;
    const config = await readFile(sb.configPath, 'utf8');
    try {
      await writeFile(sb.configPath, config.replace(/^ {2}port: 0$/m, `  port: ${port}`));
      const daemon = spawnDaemon(sb);
      await daemon.waitForLog('Watching inboxes');
      const run = await runCli(sb, ['open', '--config', sb.configPath]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`The daemon (pid ${daemon.proc.pid}) runs without its page and API`);
      expect(run.stderr).not.toContain('Start it with');
      daemon.proc.kill('SIGTERM');
      await daemon.exited;
    } finally {
      await writeFile(sb.configPath, config);
      await new Promise((done) => taken.close(done));
    }
  }, 120_000);
});

describe('one-shot commands promise no retry they do not make', () => {
  it('convert and credits without a reachable API say to run the command again', async () => {
    // Port 9 on loopback: nothing listens, every request is refused at once.
    const offline = { ...sb, env: { ...sb.env, NEMO_API_BASE: 'http://127.0.0.1:9' } };
    const file = await makeVideo(join(sb.dir, 'offline.mov'));
    for (const args of [['convert', file], ['credits']]) {
      const run = await runCli(offline, args);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('Could not reach NemoVideo');
      expect(run.stderr).not.toMatch(/retried later|tried again later/);
      expect(run.stderr).toContain('run the same command again');
    }
  }, 120_000);
});
