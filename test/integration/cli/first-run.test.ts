import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_PORT } from '../../../src/config/config-schema.js';

const BIN = resolve('dist/src/cli/bin.js');
let home: string;

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Starts `video-inbox start` with no --config, waits until it watches, then stops it with SIGTERM. */
function firstStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`daemon did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // One SIGTERM, as systemd sends; a second one would mean "force".
      if (!sent && output.includes('Watching inboxes')) {
        sent = true;
        proc.kill('SIGTERM');
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('npm start on a fresh machine', () => {
  it('writes a starter config where start looks for it, says so, and starts watching', async () => {
    home = await mkdtemp(join(tmpdir(), 'vi-first-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.state'),
      // The starter config has the default port; a test must not take it from a daemon running here.
      VIDEO_INBOX_HTTP_PORT: '0',
    };
    const run = await firstStart(env);
    expect(run.code).toBe(0);
    const config = join(home, '.config', 'video-inbox', 'config.yaml');
    expect(run.output).toContain(`No config at ${config}`);
    const listening = /127\.0\.0\.1:(\d+)[^\n]*Status page and API listening/.exec(run.output);
    expect(listening, run.output).not.toBeNull();
    expect(Number(listening![1])).not.toBe(DEFAULT_HTTP_PORT);
    expect(await readFile(config, 'utf8')).toContain('folders:');
    expect((await stat(join(home, 'Videos', 'video-inbox', 'mov-to-mp4', 'inbox'))).isDirectory()).toBe(true);
    // The next steps fit a daemon that is already starting: no "start it", no "validate first".
    expect(run.output).not.toContain('Start it: video-inbox start');
    expect(run.output).toContain('starts now');
    // A second start finds the config and writes nothing new.
    const again = await firstStart(env);
    expect(again.code).toBe(0);
    expect(again.output).not.toContain('No config at');
  });

  it('does not invent a config when one was named and is missing', async () => {
    home = await mkdtemp(join(tmpdir(), 'vi-first-'));
    const missing = join(home, 'nope.yaml');
    const code = await new Promise<number | null>((done) => {
      const proc = spawn(process.execPath, [BIN, 'start', '--config', missing], {
        env: { PATH: process.env.PATH ?? '', HOME: home },
      });
      proc.on('exit', done);
    });
    expect(code).toBe(2);
    await expect(access(missing)).rejects.toThrow();
  });

  it('status before any config says there is none yet and how to make one (stdout stays the report)', async () => {
    home = await mkdtemp(join(tmpdir(), 'vi-first-'));
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [BIN, 'status'],
        { env: { PATH: process.env.PATH ?? '', HOME: home } },
        (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No jobs yet');
    expect(run.stderr).toContain(`no config at ${join(home, '.config', 'video-inbox', 'config.yaml')} yet`);
    expect(run.stderr).toContain('`video-inbox init`');
  });
});
