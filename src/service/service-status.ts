import type { CommandRunner } from './command-runner.js';
import type { ServiceLayout } from './service-layout.js';

export type ServiceState = 'running' | 'starting' | 'stopped' | 'failed' | 'unknown' | 'not-installed';

export interface ServiceStatus {
  layout: ServiceLayout;
  installed: boolean;
  state: ServiceState;
  /** systemd: is-enabled answer; launchd: whether the label is loaded. */
  enabled: string;
  pid?: number;
  lastExitCode?: number;
  /** Mode bits of the env file when present; anything beyond 0600 is reported. */
  envFileMode?: number;
  /** The command's own message when it could not tell (no user bus, launchctl missing…). */
  problem?: string;
}

export interface StatusProbe {
  run: CommandRunner;
  /** Mode bits of a file, or undefined when it does not exist. */
  modeOf: (path: string) => Promise<number | undefined>;
  uid: number;
}

export async function readServiceStatus(layout: ServiceLayout, probe: StatusProbe): Promise<ServiceStatus> {
  const serviceMode = await probe.modeOf(layout.serviceFile);
  const envFileMode = await probe.modeOf(layout.envFile);
  const base = {
    layout,
    installed: serviceMode !== undefined,
    ...(envFileMode === undefined ? {} : { envFileMode }),
  };
  if (layout.kind === 'systemd') {
    const enabled = await probe.run('systemctl', ['--user', 'is-enabled', layout.name]);
    const active = await probe.run('systemctl', ['--user', 'is-active', layout.name]);
    const show = await probe.run('systemctl', [
      '--user',
      'show',
      layout.name,
      '--property=MainPID,ExecMainStatus',
    ]);
    const props = parseProperties(show.stdout, '=');
    const pid = Number(props.MainPID);
    const exit = Number(props.ExecMainStatus);
    const activeWord = active.stdout.trim();
    const problem = active.code !== 0 && activeWord === '' ? active.stderr.trim() || undefined : undefined;
    return {
      ...base,
      state: base.installed ? systemdState(activeWord) : 'not-installed',
      enabled: enabled.stdout.trim() || 'unknown',
      ...(pid > 0 ? { pid } : {}),
      ...(props.ExecMainStatus !== undefined && Number.isFinite(exit) ? { lastExitCode: exit } : {}),
      ...(problem ? { problem } : {}),
    };
  }
  const printed = await probe.run('launchctl', ['print', `gui/${probe.uid}/${layout.name}`]);
  if (printed.code !== 0) {
    return { ...base, state: base.installed ? 'stopped' : 'not-installed', enabled: 'not loaded' };
  }
  const props = parseProperties(printed.stdout, ' = ');
  const pid = Number(props.pid);
  const exit = Number(props['last exit code']);
  return {
    ...base,
    state: props.state === 'running' ? 'running' : base.installed ? 'stopped' : 'unknown',
    enabled: 'loaded',
    ...(pid > 0 ? { pid } : {}),
    ...(Number.isFinite(exit) && props['last exit code'] !== undefined ? { lastExitCode: exit } : {}),
  };
}

/** systemd `is-active` words to our states. */
export function systemdState(word: string): ServiceState {
  switch (word) {
    case 'active':
    case 'reloading':
      return 'running';
    case 'activating':
      return 'starting';
    case 'inactive':
    case 'deactivating':
      return 'stopped';
    case 'failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** `key=value` (systemctl show) or `key = value` (launchctl print) lines; the first of each key wins. */
export function parseProperties(text: string, separator: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const at = line.indexOf(separator);
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    if (!(key in props)) props[key] = line.slice(at + separator.length).trim();
  }
  return props;
}

/** The lines `video-inbox service status` prints. */
export function formatServiceStatus(status: ServiceStatus): string[] {
  const { layout } = status;
  const lines = [
    `Service: ${layout.kind === 'systemd' ? 'systemd user unit' : 'launchd agent'} ${layout.name}`,
    `File: ${layout.serviceFile} (${status.installed ? 'installed' : 'not installed'})`,
    `State: ${status.state}${status.pid ? ` (pid ${status.pid})` : ''}`,
    `Enabled: ${status.enabled}`,
  ];
  if (status.lastExitCode !== undefined && status.state !== 'running') {
    lines.push(`Last exit code: ${status.lastExitCode}`);
  }
  if (status.envFileMode === undefined) lines.push(`Env file: ${layout.envFile} (absent)`);
  else {
    const loose = (status.envFileMode & 0o077) !== 0;
    lines.push(
      `Env file: ${layout.envFile} (mode 0${status.envFileMode.toString(8)}${loose ? ': readable by others, run chmod 600 on it' : ''})`,
    );
  }
  if (status.problem) lines.push(`Could not ask the service manager: ${status.problem}`);
  if (!status.installed) lines.push('Install it with: video-inbox service install');
  else if (layout.kind === 'systemd') lines.push(`Logs: journalctl --user -u ${layout.name} -f`);
  else lines.push(`Logs: ${layout.logDir}/video-inbox.log and video-inbox.err.log`);
  return lines;
}
