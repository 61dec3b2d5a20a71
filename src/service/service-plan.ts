import { dirname } from 'node:path';
import { mergeServiceEnv, parseEnvFile, renderEnvFile } from './env-file.js';
import { renderLaunchdPlist } from './launchd-plist.js';
import type { ServiceLayout } from './service-layout.js';
import { renderSystemdUnit } from './systemd-unit.js';

/** What install or uninstall will do, in order, computed without touching anything (`--dry-run` prints it). */
export interface ServicePlan {
  steps: PlanStep[];
  /** Things a person should know afterwards. */
  notes: string[];
}

export type PlanStep =
  | { kind: 'mkdir'; path: string; mode?: number }
  | PlannedWrite
  | { kind: 'remove'; path: string }
  | PlannedCommand;

export interface PlannedWrite {
  kind: 'write';
  path: string;
  content: string;
  mode: number;
  /** Holds secrets: never printed, written 0600 from the first byte. */
  secret: boolean;
  /** The file already holds exactly this. */
  unchanged: boolean;
}

export interface PlannedCommand {
  kind: 'run';
  command: string;
  args: string[];
  /** Cleanup steps that fail when there is nothing to clean (e.g. stopping a service not running). */
  ignoreFailure?: boolean;
}

export interface InstallInput {
  layout: ServiceLayout;
  uid: number;
  home: string;
  nodePath: string;
  scriptPath: string;
  configPath: string;
  stateDir: string;
  /** Every inbox and outbox in the config. */
  folders: string[];
  /** The installing environment: NEMO_TOKEN etc. are taken from here. */
  env: Record<string, string | undefined>;
  /** Current text of the service and env files, undefined where absent. */
  existing: { serviceFile?: string; envFile?: string };
  hardening: boolean;
}

const MACOS_PATH = ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

export function planInstall(input: InstallInput): ServicePlan {
  const { layout, existing } = input;
  const envVars = mergeServiceEnv(
    existing.envFile === undefined ? {} : parseEnvFile(existing.envFile),
    input.env,
  );
  // Keep a hand-edited env file byte for byte when the install would not change its values.
  const envUnchanged = existing.envFile !== undefined && sameVars(parseEnvFile(existing.envFile), envVars);
  const envContent = envUnchanged ? (existing.envFile as string) : renderEnvFile(envVars);
  const serviceContent =
    layout.kind === 'systemd'
      ? renderSystemdUnit({
          nodePath: input.nodePath,
          scriptPath: input.scriptPath,
          configPath: input.configPath,
          envFile: layout.envFile,
          writablePaths: [input.stateDir, ...input.folders],
          hardening: input.hardening,
        })
      : renderLaunchdPlist({
          label: layout.name,
          nodePath: input.nodePath,
          scriptPath: input.scriptPath,
          configPath: input.configPath,
          envFile: layout.envFile,
          logDir: layout.logDir ?? `${input.home}/Library/Logs/video-inbox`,
          home: input.home,
          path: [...new Set([dirname(input.nodePath), ...MACOS_PATH])].join(':'),
        });
  const serviceUnchanged = existing.serviceFile === serviceContent;
  const replacing = existing.serviceFile !== undefined && (!serviceUnchanged || !envUnchanged);

  const steps: PlanStep[] = [
    { kind: 'mkdir', path: dirname(layout.envFile), mode: 0o700 },
    { kind: 'mkdir', path: input.stateDir, mode: 0o700 },
    { kind: 'mkdir', path: dirname(layout.serviceFile) },
    // The unit may write only to folders that exist when it starts.
    ...[...new Set(input.folders)].map((path): PlanStep => ({ kind: 'mkdir', path })),
    ...(layout.logDir ? [{ kind: 'mkdir' as const, path: layout.logDir }] : []),
    {
      kind: 'write',
      path: layout.envFile,
      content: envContent,
      mode: 0o600,
      secret: true,
      unchanged: envUnchanged,
    },
    {
      kind: 'write',
      path: layout.serviceFile,
      content: serviceContent,
      mode: 0o644,
      secret: false,
      unchanged: serviceUnchanged,
    },
  ];
  const notes: string[] = [];
  if (!envVars.NEMO_TOKEN) {
    notes.push(
      `No NEMO_TOKEN set: the service will use an anonymous token. To use your own, add NEMO_TOKEN=… to ${layout.envFile} and restart the service.`,
    );
  }
  if (layout.kind === 'systemd') {
    steps.push(systemctl('daemon-reload'), systemctl('enable', '--now', layout.name));
    // enable --now leaves an already running service on its old unit and environment.
    if (replacing) steps.push(systemctl('restart', layout.name));
    notes.push(
      `Logs: journalctl --user -u ${layout.name} -f`,
      'To keep it running while you are logged out: loginctl enable-linger "$USER"',
    );
    return { steps, notes };
  }
  const target = `gui/${input.uid}`;
  // bootstrap refuses a label that is already loaded, so a reinstall unloads the old one first.
  if (existing.serviceFile !== undefined)
    steps.push(launchctl(['bootout', `${target}/${layout.name}`], true));
  steps.push(
    // A label once disabled with `launchctl disable` would not load again until enabled.
    launchctl(['enable', `${target}/${layout.name}`]),
    launchctl(['bootstrap', target, layout.serviceFile]),
  );
  notes.push(`Logs: ${layout.logDir}/video-inbox.log and video-inbox.err.log`);
  return { steps, notes };
}

export interface UninstallInput {
  layout: ServiceLayout;
  uid: number;
  /** Which of the service's files exist now. */
  present: { serviceFile: boolean; envFile: boolean };
}

/** Stops and disables the service, then removes the unit or plist and the env file; the config stays. */
export function planUninstall(input: UninstallInput): ServicePlan {
  const { layout, present } = input;
  const removes: PlanStep[] = [
    ...(present.serviceFile ? [layout.serviceFile] : []),
    ...(present.envFile ? [layout.envFile] : []),
  ].map((path) => ({ kind: 'remove', path }));
  const notes = ['Your config, rules, folders and videos are left as they are.'];
  if (layout.kind === 'systemd') {
    const steps: PlanStep[] = [
      // Without a unit file there is nothing to disable; the command then fails harmlessly.
      { ...systemctl('disable', '--now', layout.name), ignoreFailure: !present.serviceFile },
      ...removes,
      systemctl('daemon-reload'),
      { ...systemctl('reset-failed', layout.name), ignoreFailure: true },
    ];
    return { steps, notes };
  }
  notes.push(`Logs stay in ${layout.logDir}.`);
  return { steps: [launchctl(['bootout', `gui/${input.uid}/${layout.name}`], true), ...removes], notes };
}

function systemctl(...args: string[]): PlannedCommand {
  return { kind: 'run', command: 'systemctl', args: ['--user', ...args] };
}

function launchctl(args: string[], ignoreFailure = false): PlannedCommand {
  return { kind: 'run', command: 'launchctl', args, ...(ignoreFailure ? { ignoreFailure } : {}) };
}

function sameVars(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
