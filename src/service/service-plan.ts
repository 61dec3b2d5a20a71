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
  const env = envFilePlan(input);
  const serviceContent = serviceFileContent(input);
  const serviceUnchanged = existing.serviceFile === serviceContent;
  const replacing = existing.serviceFile !== undefined && (!serviceUnchanged || !env.unchanged);
  const steps: PlanStep[] = [
    ...folderSteps(input),
    {
      kind: 'write',
      path: layout.envFile,
      content: env.content,
      mode: 0o600,
      secret: true,
      unchanged: env.unchanged,
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
  if (!env.vars.NEMO_TOKEN) {
    notes.push(
      `No NEMO_TOKEN set: the service will use an anonymous token. To use your own, add NEMO_TOKEN=… to ${layout.envFile} and restart the service.`,
    );
  }
  const start = layout.kind === 'systemd' ? systemdStart(input, replacing) : launchdStart(input);
  return { steps: [...steps, ...start.steps], notes: [...notes, ...start.notes] };
}

/** The env file's variables and text; a hand-edited file is kept byte for byte when its values stay. */
function envFilePlan(input: InstallInput): {
  vars: Record<string, string>;
  content: string;
  unchanged: boolean;
} {
  const { existing } = input;
  const vars = mergeServiceEnv(
    existing.envFile === undefined ? {} : parseEnvFile(existing.envFile),
    input.env,
  );
  const unchanged = existing.envFile !== undefined && sameVars(parseEnvFile(existing.envFile), vars);
  return { vars, content: unchanged ? (existing.envFile as string) : renderEnvFile(vars), unchanged };
}

function serviceFileContent(input: InstallInput): string {
  const { layout } = input;
  if (layout.kind === 'systemd') {
    return renderSystemdUnit({
      nodePath: input.nodePath,
      scriptPath: input.scriptPath,
      configPath: input.configPath,
      envFile: layout.envFile,
      writablePaths: [input.stateDir, ...input.folders],
      hardening: input.hardening,
    });
  }
  return renderLaunchdPlist({
    label: layout.name,
    nodePath: input.nodePath,
    scriptPath: input.scriptPath,
    configPath: input.configPath,
    envFile: layout.envFile,
    logDir: layout.logDir ?? `${input.home}/Library/Logs/video-inbox`,
    home: input.home,
    path: [...new Set([dirname(input.nodePath), ...MACOS_PATH])].join(':'),
  });
}

function folderSteps(input: InstallInput): PlanStep[] {
  const { layout } = input;
  return [
    { kind: 'mkdir', path: dirname(layout.envFile), mode: 0o700 },
    { kind: 'mkdir', path: input.stateDir, mode: 0o700 },
    { kind: 'mkdir', path: dirname(layout.serviceFile) },
    // The unit may write only to folders that exist when it starts.
    ...[...new Set(input.folders)].map((path): PlanStep => ({ kind: 'mkdir', path })),
    ...(layout.logDir ? [{ kind: 'mkdir' as const, path: layout.logDir }] : []),
  ];
}

function systemdStart(input: InstallInput, replacing: boolean): ServicePlan {
  const { name } = input.layout;
  const steps = [systemctl('daemon-reload'), systemctl('enable', '--now', name)];
  // enable --now leaves an already running service on its old unit and environment.
  if (replacing) steps.push(systemctl('restart', name));
  const notes = [
    `Logs: journalctl --user -u ${name} -f`,
    'To keep it running while you are logged out: loginctl enable-linger "$USER"',
  ];
  return { steps, notes };
}

function launchdStart(input: InstallInput): ServicePlan {
  const { layout } = input;
  const target = `gui/${input.uid}`;
  const steps: PlanStep[] = [];
  // bootstrap refuses a label that is already loaded, so a reinstall unloads the old one first.
  if (input.existing.serviceFile !== undefined)
    steps.push(launchctl(['bootout', `${target}/${layout.name}`], true));
  steps.push(
    // A label once disabled with `launchctl disable` would not load again until enabled.
    launchctl(['enable', `${target}/${layout.name}`]),
    launchctl(['bootstrap', target, layout.serviceFile]),
  );
  return { steps, notes: [`Logs: ${layout.logDir}/video-inbox.log and video-inbox.err.log`] };
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
