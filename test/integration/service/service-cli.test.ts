import { Command } from 'commander';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerService, type ServiceCommandDeps } from '../../../src/cli/service.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { CommandResult } from '../../../src/service/command-runner.js';

const TOKEN = 'nv_test_token_0123456789';

let home: string;
let calls: string[];
let out: string[];
let exitCode: number | undefined;
let answers: Record<string, CommandResult>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'vi-home-'));
  calls = [];
  out = [];
  exitCode = undefined;
  answers = {};
  await mkdir(join(home, '.config', 'video-inbox'), { recursive: true });
  await writeFile(join(home, '.config', 'video-inbox', 'mov.yaml'), 'skill: video-converter-mov-to-mp4\n');
  await writeFile(
    join(home, '.config', 'video-inbox', 'config.yaml'),
    [
      'folders:',
      '  - name: mov',
      '    inbox: ~/Videos/mov/inbox',
      '    outbox: ~/Videos/mov/outbox',
      '    rules: mov.yaml',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function deps(
  platform: NodeJS.Platform = 'linux',
  env: Record<string, string> = { NEMO_TOKEN: TOKEN },
): ServiceCommandDeps {
  return {
    // Only what a login shell would have; HOME and XDG_* point into the temporary home.
    env: { HOME: home, ...env },
    home,
    uid: 1234,
    platform,
    nodePath: process.execPath,
    scriptPath: '/opt/video-inbox/dist/src/cli/bin.js',
    run: async (command, args) => {
      const line = [command, ...args].join(' ');
      calls.push(line);
      return answers[line] ?? { code: 0, stdout: '', stderr: '' };
    },
    out: (line) => out.push(line),
    err: (line) => out.push(`ERR ${line}`),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
}

async function cli(args: string[], platform: NodeJS.Platform = 'linux', env?: Record<string, string>) {
  const program = new Command('video-inbox').exitOverride();
  registerService(program, () => deps(platform, env));
  await program.parseAsync(['service', ...args], { from: 'user' });
}

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows = await Promise.all(
    entries.map(async (e) => {
      const path = join(e.parentPath, e.name);
      const s = await stat(path);
      return `${path} ${s.size} ${s.mtimeMs}`;
    }),
  );
  return rows.sort();
}

const unitPath = () => join(home, '.config', 'systemd', 'user', 'video-inbox.service');
const envPath = () => join(home, '.config', 'video-inbox', 'service.env');

describe('video-inbox service (systemd, temporary HOME)', () => {
  it('install --dry-run does not claim to create folders that exist', async () => {
    const inbox = join(home, 'Videos', 'mov', 'inbox');
    await mkdir(inbox, { recursive: true });
    await cli(['install', '--dry-run']);
    const text = out.join('\n');
    expect(text).not.toContain(`would create folder ${inbox}`);
    expect(text).toContain(`folder ${inbox} exists`);
    expect(text).toContain(`would create folder ${join(home, 'Videos', 'mov', 'outbox')}`);
  });

  it('install --dry-run prints the unit and the commands and touches nothing', async () => {
    const before = await tree(home);
    await cli(['install', '--dry-run']);
    expect(exitCode).toBe(EXIT.OK);
    expect(calls).toEqual([]);
    expect(await tree(home)).toEqual(before);
    const text = out.join('\n');
    expect(text).toContain(`would write ${unitPath()} (mode 0644)`);
    expect(text).toContain(
      `    ExecStart=${process.execPath} /opt/video-inbox/dist/src/cli/bin.js start --config ${home}/.config/video-inbox/config.yaml`,
    );
    expect(text).toContain(
      `    ReadWritePaths=-${home}/.local/state/video-inbox -${home}/Videos/mov/inbox -${home}/Videos/mov/outbox`,
    );
    expect(text).toContain(`would write ${envPath()} (mode 0600)`);
    expect(text).toContain('would run: systemctl --user daemon-reload');
    expect(text).toContain('would run: systemctl --user enable --now video-inbox.service');
    expect(text).not.toContain(TOKEN);
  });

  it('install writes the unit, the 0600 env file and the folders, then enables; a second run changes nothing', async () => {
    await cli(['install']);
    expect(exitCode).toBe(EXIT.OK);
    expect(calls).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now video-inbox.service',
    ]);
    const unit = await readFile(unitPath(), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} /opt/video-inbox/dist/src/cli/bin.js start --config`,
    );
    expect(unit).not.toContain(TOKEN);
    expect((await stat(envPath())).mode & 0o777).toBe(0o600);
    expect(await readFile(envPath(), 'utf8')).toContain(`NEMO_TOKEN=${TOKEN}`);
    expect((await stat(join(home, 'Videos', 'mov', 'inbox'))).isDirectory()).toBe(true);
    expect((await stat(join(home, 'Videos', 'mov', 'outbox'))).isDirectory()).toBe(true);
    expect((await stat(join(home, '.local', 'state', 'video-inbox'))).mode & 0o777).toBe(0o700);
    expect(out.join('\n')).not.toContain(TOKEN);

    calls = [];
    out = [];
    const before = await tree(home);
    await cli(['install']);
    expect(exitCode).toBe(EXIT.OK);
    expect(calls).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now video-inbox.service',
    ]);
    expect(out.join('\n')).toContain(`wrote ${unitPath()} (mode 0644) (unchanged)`);
    expect(await tree(home)).toEqual(before);
  });

  it('a reinstall after a config change restarts the service, and a token added by hand survives', async () => {
    await cli(['install'], 'linux', {});
    await writeFile(envPath(), `NEMO_TOKEN=${TOKEN}\n`, { mode: 0o644 });
    const config = join(home, '.config', 'video-inbox', 'config.yaml');
    await writeFile(config, (await readFile(config, 'utf8')) + 'stateDir: ~/vi-state\n');
    calls = [];
    await cli(['install'], 'linux', {});
    expect(calls).toContain('systemctl --user restart video-inbox.service');
    expect(await readFile(unitPath(), 'utf8')).toContain(`ReadWritePaths=-${home}/vi-state `);
    expect(await readFile(envPath(), 'utf8')).toBe(`NEMO_TOKEN=${TOKEN}\n`);
    // Loosened by hand, tightened again.
    expect((await stat(envPath())).mode & 0o777).toBe(0o600);
  });

  it('status reports a running unit and exits 0; a stopped one exits 1', async () => {
    await cli(['install']);
    answers['systemctl --user is-active video-inbox.service'] = { code: 0, stdout: 'active\n', stderr: '' };
    answers['systemctl --user is-enabled video-inbox.service'] = { code: 0, stdout: 'enabled\n', stderr: '' };
    out = [];
    await cli(['status']);
    expect(exitCode).toBe(EXIT.OK);
    expect(out).toContain('State: running');
    expect(out).toContain(`File: ${unitPath()} (installed)`);
    expect(out).toContain(`Env file: ${envPath()} (mode 0600)`);
    answers['systemctl --user is-active video-inbox.service'] = { code: 3, stdout: 'inactive\n', stderr: '' };
    await cli(['status']);
    expect(exitCode).toBe(EXIT.FAILED);
  });

  it('uninstall stops and disables, removes unit and env file, keeps config and folders', async () => {
    await cli(['install']);
    calls = [];
    await cli(['uninstall', '--dry-run']);
    expect(calls).toEqual([]);
    await stat(unitPath());
    await cli(['uninstall']);
    expect(exitCode).toBe(EXIT.OK);
    expect(calls).toEqual([
      'systemctl --user disable --now video-inbox.service',
      'systemctl --user daemon-reload',
      'systemctl --user reset-failed video-inbox.service',
    ]);
    await expect(stat(unitPath())).rejects.toThrow(/ENOENT/);
    await expect(stat(envPath())).rejects.toThrow(/ENOENT/);
    await stat(join(home, '.config', 'video-inbox', 'config.yaml'));
    await stat(join(home, 'Videos', 'mov', 'inbox'));
  });

  it('a config that does not validate stops install before anything is written (exit 2)', async () => {
    await writeFile(
      join(home, '.config', 'video-inbox', 'config.yaml'),
      'folders:\n  - name: x\n    inbx: a\n',
    );
    const before = await tree(home);
    await cli(['install']);
    expect(exitCode).toBe(EXIT.USAGE);
    expect(out.join('\n')).toMatch(/config\.yaml:\d+:\d+/);
    expect(calls).toEqual([]);
    expect(await tree(home)).toEqual(before);
  });

  it('a failing systemctl is reported with what to do (exit 1)', async () => {
    answers['systemctl --user daemon-reload'] = {
      code: 1,
      stdout: '',
      stderr: 'Failed to connect to bus: No medium found',
    };
    await cli(['install']);
    expect(exitCode).toBe(EXIT.FAILED);
    expect(calls).toEqual(['systemctl --user daemon-reload']);
    expect(out.join('\n')).toMatch(/ERR .*your own login session/);
  });
});

describe('video-inbox service (launchd, temporary HOME)', () => {
  it('install writes a plist that parses, creates the log folder, and bootstraps the agent', async () => {
    await cli(['install'], 'darwin');
    expect(exitCode).toBe(EXIT.OK);
    const plistPath = join(home, 'Library', 'LaunchAgents', 'com.video-inbox.agent.plist');
    expect(calls).toEqual([
      'launchctl enable gui/1234/com.video-inbox.agent',
      `launchctl bootstrap gui/1234 ${plistPath}`,
    ]);
    const doc = parse(await readFile(plistPath, 'utf8')) as Record<string, unknown>;
    expect(doc.ProgramArguments).toEqual([
      process.execPath,
      '/opt/video-inbox/dist/src/cli/bin.js',
      'start',
      '--config',
      join(home, '.config', 'video-inbox', 'config.yaml'),
      '--env-file',
      envPath(),
    ]);
    expect(JSON.stringify(doc)).not.toContain(TOKEN);
    expect((await stat(join(home, 'Library', 'Logs', 'video-inbox'))).isDirectory()).toBe(true);
    expect((await stat(envPath())).mode & 0o777).toBe(0o600);

    calls = [];
    await cli(['uninstall'], 'darwin');
    expect(calls).toEqual(['launchctl bootout gui/1234/com.video-inbox.agent']);
    await expect(stat(plistPath)).rejects.toThrow(/ENOENT/);
  });
});
