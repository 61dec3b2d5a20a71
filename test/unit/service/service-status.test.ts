import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../src/service/command-runner.js';
import { serviceLayout } from '../../../src/service/service-layout.js';
import {
  formatServiceStatus,
  parseProperties,
  readServiceStatus,
  systemdState,
  type ServiceState,
} from '../../../src/service/service-status.js';

const ok = (stdout: string, code = 0): CommandResult => ({ code, stdout, stderr: '' });

function fakeProbe(answers: Record<string, CommandResult>, modes: Record<string, number>) {
  const calls: string[] = [];
  return {
    calls,
    probe: {
      uid: 501,
      modeOf: async (path: string) => modes[path],
      run: async (command: string, args: readonly string[]) => {
        const line = [command, ...args].join(' ');
        calls.push(line);
        return answers[line] ?? { code: 1, stdout: '', stderr: `unexpected: ${line}` };
      },
    },
  };
}

describe('systemdState', () => {
  it.each<[string, ServiceState]>([
    ['active', 'running'],
    ['reloading', 'running'],
    ['activating', 'starting'],
    ['inactive', 'stopped'],
    ['deactivating', 'stopped'],
    ['failed', 'failed'],
    ['', 'unknown'],
  ])('%j → %s', (word, state) => {
    expect(systemdState(word)).toBe(state);
  });
});

describe('parseProperties', () => {
  it('reads launchctl print lines, the first of each key winning', () => {
    const text =
      'gui/501/x = {\n\tstate = running\n\tpid = 4242\n\tlast exit code = 0\n\tsub = {\n\t\tstate = other\n';
    expect(parseProperties(text, ' = ')).toMatchObject({
      state: 'running',
      pid: '4242',
      'last exit code': '0',
    });
  });
});

describe('readServiceStatus', () => {
  const linux = serviceLayout('linux', '/home/ann');
  const mac = serviceLayout('darwin', '/Users/ann');

  it('systemd: a running, enabled unit with its pid', async () => {
    const { probe } = fakeProbe(
      {
        'systemctl --user is-enabled video-inbox.service': ok('enabled\n'),
        'systemctl --user is-active video-inbox.service': ok('active\n'),
        'systemctl --user show video-inbox.service --property=MainPID,ExecMainStatus': ok(
          'MainPID=777\nExecMainStatus=0\n',
        ),
      },
      { [linux.serviceFile]: 0o644, [linux.envFile]: 0o600 },
    );
    const status = await readServiceStatus(linux, probe);
    expect(status).toMatchObject({
      installed: true,
      state: 'running',
      enabled: 'enabled',
      pid: 777,
      envFileMode: 0o600,
    });
    expect(formatServiceStatus(status)).toContain('State: running (pid 777)');
  });

  it('systemd: a failed unit shows its exit code, and a loose env file is called out', async () => {
    const { probe } = fakeProbe(
      {
        'systemctl --user is-enabled video-inbox.service': ok('enabled\n'),
        'systemctl --user is-active video-inbox.service': ok('failed\n', 3),
        'systemctl --user show video-inbox.service --property=MainPID,ExecMainStatus': ok(
          'MainPID=0\nExecMainStatus=2\n',
        ),
      },
      { [linux.serviceFile]: 0o644, [linux.envFile]: 0o644 },
    );
    const lines = formatServiceStatus(await readServiceStatus(linux, probe));
    expect(lines).toContain('State: failed');
    expect(lines).toContain('Last exit code: 2');
    expect(lines.join('\n')).toMatch(/mode 0644: readable by others, run chmod 600/);
  });

  it('systemd: no user bus is reported as a problem, not as "stopped"', async () => {
    const { probe } = fakeProbe(
      {
        'systemctl --user is-active video-inbox.service': {
          code: 1,
          stdout: '',
          stderr: 'Failed to connect to bus: No medium found',
        },
      },
      { [linux.serviceFile]: 0o644 },
    );
    const status = await readServiceStatus(linux, probe);
    expect(status.state).toBe('unknown');
    expect(formatServiceStatus(status)).toContain(
      'Could not ask the service manager: Failed to connect to bus: No medium found',
    );
  });

  it('launchd: parses launchctl print', async () => {
    const { probe, calls } = fakeProbe(
      { 'launchctl print gui/501/com.video-inbox.agent': ok('x = {\n\tstate = running\n\tpid = 99\n}\n') },
      { [mac.serviceFile]: 0o644 },
    );
    const status = await readServiceStatus(mac, probe);
    expect(calls).toEqual(['launchctl print gui/501/com.video-inbox.agent']);
    expect(status).toMatchObject({ installed: true, state: 'running', pid: 99, enabled: 'loaded' });
  });

  it('launchd: nothing installed', async () => {
    const { probe } = fakeProbe({}, {});
    const status = await readServiceStatus(mac, probe);
    expect(status.state).toBe('not-installed');
    expect(formatServiceStatus(status)).toContain('Install it with: video-inbox service install');
  });
});
