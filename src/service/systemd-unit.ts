import { VideoInboxError } from '../core/errors.js';

/** The name of the user unit, in `~/.config/systemd/user/`. */
export const SYSTEMD_UNIT_NAME = 'video-inbox.service';

export interface SystemdUnitOptions {
  /** Absolute path of the node binary (nvm and distro installs differ; systemd has no shell PATH). */
  nodePath: string;
  /** Absolute path of the CLI script (dist/src/cli/bin.js). */
  scriptPath: string;
  configPath: string;
  /** Holds NEMO_TOKEN and friends, mode 0600; optional for systemd so a missing file is no crash loop. */
  envFile: string;
  /** The state dir and every watched inbox/outbox: the only places the service may write. */
  writablePaths: readonly string[];
  /** Namespace sandboxing; off for systems without unprivileged user namespaces. Default true. */
  hardening?: boolean;
}

/**
 * Quotes one word for a unit file: `%` starts a specifier everywhere, and in ExecStart `$` expands
 * variables, so both are doubled there; anything beyond a plain path goes in double quotes with
 * C-style escapes.
 */
export function quoteSystemdWord(word: string, kind: 'exec' | 'path' = 'path'): string {
  let escaped = escapeSpecifiers(word);
  if (kind === 'exec') escaped = escaped.replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_/.:,+@=%$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** For settings that take the rest of the line verbatim (EnvironmentFile): no quoting, specifiers only. */
export function escapeSpecifiers(value: string): string {
  if (/[\n\r\0]/.test(value)) {
    throw new VideoInboxError(
      'CONFIG_INVALID',
      `A path in the unit holds a line break: ${JSON.stringify(value)}`,
      {
        hint: 'Rename the folder or file so its name has no line break, then install the service again.',
      },
    );
  }
  return value.replace(/%/g, '%%');
}

/** The unit text for `video-inbox start` as a user service; pure, so tests compare it with expected text. */
export function renderSystemdUnit(opts: SystemdUnitOptions): string {
  const hardening = opts.hardening ?? true;
  const exec = [opts.nodePath, opts.scriptPath, 'start', '--config', opts.configPath].map((w) =>
    quoteSystemdWord(w, 'exec'),
  );
  // A leading '-' keeps a folder that is missing at start from failing the whole service: the daemon
  // reports that folder as missing instead, and `service install` creates them all beforehand.
  const writable = unique(opts.writablePaths).map((p) => quoteSystemdWord(`-${p}`, 'path'));
  const lines = [
    '# video-inbox as a systemd user service, written by `video-inbox service install`.',
    ...(hardening
      ? [
          '# Run that command again after adding folders to the config: the service may write only to the',
          '# folders listed in ReadWritePaths below.',
        ]
      : ['# Run that command again after moving the config, node or video-inbox.']),
    '[Unit]',
    'Description=video-inbox: turns videos dropped into watched folders into MP4s',
    // Backoff: RestartSec between tries, and at most 5 starts in 10 minutes before systemd gives up
    // (then `systemctl --user status video-inbox` shows why and `reset-failed` + `start` tries again).
    'StartLimitIntervalSec=600',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec.join(' ')}`,
    `EnvironmentFile=-${escapeSpecifiers(opts.envFile)}`,
    'Restart=on-failure',
    'RestartSec=15',
    '# Invalid config (2), another daemon on the same state dir (4), ffmpeg missing (5): a person must act.',
    'RestartPreventExitStatus=2 4 5',
    '# SIGTERM makes the daemon checkpoint its jobs and exit; 130 is that clean stop, not a failure.',
    'SuccessExitStatus=130',
    '# Only the daemon gets SIGTERM, so it can stop ffmpeg itself and remove partial outputs; the daemon',
    '# allows itself 10 s, systemd waits longer before SIGKILL.',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'StandardOutput=journal',
    'StandardError=journal',
    'SyslogIdentifier=video-inbox',
    'NoNewPrivileges=yes',
  ];
  if (hardening) {
    lines.push(
      '# Sandboxing a user service can use (it needs unprivileged user namespaces; without them,',
      '# reinstall with `video-inbox service install --no-sandbox`).',
      'PrivateTmp=yes',
      'ProtectSystem=strict',
      'ProtectHome=read-only',
    );
    if (writable.length > 0) lines.push(`ReadWritePaths=${writable.join(' ')}`);
    lines.push('LockPersonality=yes', 'RestrictRealtime=yes', 'RestrictSUIDSGID=yes');
  }
  lines.push('', '[Install]', 'WantedBy=default.target', '');
  return lines.join('\n');
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}
