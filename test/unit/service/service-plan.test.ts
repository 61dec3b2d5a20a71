import { describe, expect, it } from 'vitest';
import { describePlan } from '../../../src/service/apply-plan.js';
import { serviceLayout } from '../../../src/service/service-layout.js';
import {
  planInstall,
  planUninstall,
  type InstallInput,
  type PlannedCommand,
  type PlannedWrite,
  type ServicePlan,
} from '../../../src/service/service-plan.js';

const TOKEN = 'nv_secret_token_123';

function input(platform: 'linux' | 'darwin', over: Partial<InstallInput> = {}): InstallInput {
  const home = platform === 'linux' ? '/home/ann' : '/Users/ann';
  return {
    layout: serviceLayout(platform, home, {}),
    uid: 1000,
    home,
    nodePath: '/usr/local/bin/node',
    scriptPath: '/opt/vi/dist/src/cli/bin.js',
    configPath: `${home}/.config/video-inbox/config.yaml`,
    stateDir: `${home}/.local/state/video-inbox`,
    folders: [`${home}/Videos/in`, `${home}/Videos/out`],
    env: { NEMO_TOKEN: TOKEN },
    existing: {},
    hardening: true,
    ...over,
  };
}

const commands = (plan: ServicePlan) =>
  plan.steps
    .filter((s): s is PlannedCommand => s.kind === 'run')
    .map((s) => [s.command, ...s.args].join(' '));
const writes = (plan: ServicePlan) => plan.steps.filter((s): s is PlannedWrite => s.kind === 'write');

describe('serviceLayout', () => {
  it.each<[NodeJS.Platform, Record<string, string>, string, string]>([
    ['linux', {}, '/h/.config/systemd/user/video-inbox.service', '/h/.config/video-inbox/service.env'],
    ['linux', { XDG_CONFIG_HOME: '/x' }, '/x/systemd/user/video-inbox.service', '/x/video-inbox/service.env'],
    [
      'linux',
      { XDG_CONFIG_HOME: 'relative' },
      '/h/.config/systemd/user/video-inbox.service',
      '/h/.config/video-inbox/service.env',
    ],
    [
      'darwin',
      {},
      '/h/Library/LaunchAgents/com.video-inbox.agent.plist',
      '/h/.config/video-inbox/service.env',
    ],
  ])('%s %j', (platform, env, serviceFile, envFile) => {
    expect(serviceLayout(platform, '/h', env)).toMatchObject({ serviceFile, envFile });
  });

  it('explains what to do on a platform without a supported service manager', () => {
    expect(() => serviceLayout('win32', 'C:\\Users\\ann')).toThrow(/not supported on win32/);
  });
});

describe('planInstall', () => {
  it('systemd: creates the folders, writes the env file 0600 and the unit, then reloads and enables', () => {
    const plan = planInstall(input('linux'));
    expect(plan.steps.filter((s) => s.kind === 'mkdir').map((s) => s.path)).toEqual([
      '/home/ann/.config/video-inbox',
      '/home/ann/.local/state/video-inbox',
      '/home/ann/.config/systemd/user',
      '/home/ann/Videos/in',
      '/home/ann/Videos/out',
    ]);
    const [env, unit] = writes(plan);
    expect(env).toMatchObject({
      path: '/home/ann/.config/video-inbox/service.env',
      mode: 0o600,
      secret: true,
    });
    expect(env?.content).toContain(`NEMO_TOKEN=${TOKEN}`);
    expect(unit).toMatchObject({ path: '/home/ann/.config/systemd/user/video-inbox.service', mode: 0o644 });
    expect(unit?.content).not.toContain(TOKEN);
    expect(unit?.content).toContain(
      'ReadWritePaths=-/home/ann/.local/state/video-inbox -/home/ann/Videos/in -/home/ann/Videos/out',
    );
    expect(commands(plan)).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now video-inbox.service',
    ]);
  });

  it('systemd: a reinstall that changes the unit restarts the running service', () => {
    const first = planInstall(input('linux'));
    const oldUnit = writes(first)[1]?.content.replace('RestartSec=15', 'RestartSec=5');
    const envText = writes(first)[0]?.content;
    const plan = planInstall(input('linux', { existing: { serviceFile: oldUnit, envFile: envText } }));
    expect(writes(plan).map((w) => w.unchanged)).toEqual([true, false]);
    expect(commands(plan)).toContain('systemctl --user restart video-inbox.service');
  });

  it('systemd: a reinstall with nothing changed rewrites nothing and restarts nothing', () => {
    const first = planInstall(input('linux'));
    const existing = { envFile: writes(first)[0]?.content, serviceFile: writes(first)[1]?.content };
    const plan = planInstall(input('linux', { existing }));
    expect(writes(plan).every((w) => w.unchanged)).toBe(true);
    expect(commands(plan)).not.toContain('systemctl --user restart video-inbox.service');
  });

  it('keeps a token added to the env file by hand when installing from a shell without one', () => {
    const envFile = '# mine\nNEMO_TOKEN=hand_added_token\n';
    const plan = planInstall(input('linux', { env: {}, existing: { envFile } }));
    expect(writes(plan)[0]).toMatchObject({ unchanged: true, content: envFile });
    expect(plan.notes.join('\n')).not.toMatch(/No NEMO_TOKEN/);
  });

  it('says how to add a token when there is none', () => {
    const plan = planInstall(input('linux', { env: {} }));
    expect(plan.notes.join('\n')).toMatch(/No NEMO_TOKEN set.*service\.env/);
  });

  it('launchd: writes the plist and bootstraps it into the GUI domain of the user', () => {
    const plan = planInstall(input('darwin'));
    const plist = writes(plan)[1];
    expect(plist?.path).toBe('/Users/ann/Library/LaunchAgents/com.video-inbox.agent.plist');
    expect(plist?.content).not.toContain(TOKEN);
    expect(plist?.content).toContain('<string>--env-file</string>');
    expect(plist?.content).toContain(
      '<string>/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin</string>',
    );
    expect(plan.steps).toContainEqual({ kind: 'mkdir', path: '/Users/ann/Library/Logs/video-inbox' });
    expect(commands(plan)).toEqual([
      'launchctl enable gui/1000/com.video-inbox.agent',
      'launchctl bootstrap gui/1000 /Users/ann/Library/LaunchAgents/com.video-inbox.agent.plist',
    ]);
  });

  it('launchd: a reinstall unloads the old agent first, tolerating that it was not loaded', () => {
    const plan = planInstall(input('darwin', { existing: { serviceFile: 'old' } }));
    expect(plan.steps.find((s) => s.kind === 'run')).toEqual({
      kind: 'run',
      command: 'launchctl',
      args: ['bootout', 'gui/1000/com.video-inbox.agent'],
      ignoreFailure: true,
    });
  });

  it('the dry-run description shows the unit and the env file keys, never the token', () => {
    const text = describePlan(planInstall(input('linux'))).join('\n');
    expect(text).toContain('would write /home/ann/.config/systemd/user/video-inbox.service (mode 0644)');
    expect(text).toContain('    ExecStart=/usr/local/bin/node /opt/vi/dist/src/cli/bin.js start --config');
    expect(text).toContain('would write /home/ann/.config/video-inbox/service.env (mode 0600)');
    expect(text).toContain('(holds NEMO_TOKEN; values not shown)');
    expect(text).toContain('would run: systemctl --user enable --now video-inbox.service');
    expect(text).not.toContain(TOKEN);
  });
});

describe('planUninstall', () => {
  it('systemd: disables and stops before removing the files, then reloads', () => {
    const layout = serviceLayout('linux', '/home/ann');
    const plan = planUninstall({ layout, uid: 1000, present: { serviceFile: true, envFile: true } });
    expect(
      plan.steps.map((s) => (s.kind === 'run' ? `run ${s.args.join(' ')}` : `${s.kind} ${s.path}`)),
    ).toEqual([
      'run --user disable --now video-inbox.service',
      'remove /home/ann/.config/systemd/user/video-inbox.service',
      'remove /home/ann/.config/video-inbox/service.env',
      'run --user daemon-reload',
      'run --user reset-failed video-inbox.service',
    ]);
  });

  it('launchd: boots the agent out, then removes plist and env file', () => {
    const layout = serviceLayout('darwin', '/Users/ann');
    const plan = planUninstall({ layout, uid: 501, present: { serviceFile: true, envFile: false } });
    expect(commands(plan)).toEqual(['launchctl bootout gui/501/com.video-inbox.agent']);
    expect(plan.steps.filter((s) => s.kind === 'remove').map((s) => s.path)).toEqual([
      '/Users/ann/Library/LaunchAgents/com.video-inbox.agent.plist',
    ]);
  });
});
