import { VideoInboxError } from '../core/errors.js';

/** The LaunchAgent label; the plist lives at `~/Library/LaunchAgents/<label>.plist`. */
export const LAUNCHD_LABEL = 'com.video-inbox.agent';

export interface LaunchdPlistOptions {
  label?: string;
  /** Absolute path of the node binary (launchd has no shell PATH). */
  nodePath: string;
  /** Absolute path of the CLI script (dist/src/cli/bin.js). */
  scriptPath: string;
  configPath: string;
  /**
   * Secrets stay out of the plist (anyone who can read ~/Library/LaunchAgents could read them):
   * `start --env-file` loads NEMO_TOKEN and friends from this 0600 file instead.
   */
  envFile: string;
  /** `~/Library/Logs/video-inbox`; launchd does not create it, `service install` does. */
  logDir: string;
  home: string;
  /** PATH for the daemon, so it finds ffmpeg from Homebrew; never secrets. */
  path: string;
}

/** The LaunchAgent plist for `video-inbox start`; pure, so tests compare it with expected text. */
export function renderLaunchdPlist(opts: LaunchdPlistOptions): string {
  const label = opts.label ?? LAUNCHD_LABEL;
  const args = [
    opts.nodePath,
    opts.scriptPath,
    'start',
    '--config',
    opts.configPath,
    '--env-file',
    opts.envFile,
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- video-inbox as a LaunchAgent, written by `video-inbox service install`. -->',
    '<plist version="1.0">',
    '<dict>',
    ...entry('Label', str(label)),
    ...entry('ProgramArguments', ['<array>', ...args.map((a) => `  ${str(a)}`), '</array>']),
    ...entry('WorkingDirectory', str(opts.home)),
    ...entry('EnvironmentVariables', ['<dict>', ...entry('PATH', str(opts.path)), '</dict>']),
    ...entry('RunAtLoad', '<true/>'),
    // Restart after a crash or a failing exit, but not after a clean stop (exit 0).
    ...entry('KeepAlive', ['<dict>', ...entry('SuccessfulExit', '<false/>'), '</dict>']),
    // Backoff: launchd waits at least this many seconds between two starts.
    ...entry('ThrottleInterval', '<integer>30</integer>'),
    // Seconds between SIGTERM and SIGKILL: longer than the daemon's own 10 s to checkpoint jobs.
    ...entry('ExitTimeOut', '<integer>30</integer>'),
    ...entry('ProcessType', str('Standard')),
    ...entry('StandardOutPath', str(`${opts.logDir}/video-inbox.log`)),
    ...entry('StandardErrorPath', str(`${opts.logDir}/video-inbox.err.log`)),
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

function entry(key: string, value: string | string[]): string[] {
  const lines = typeof value === 'string' ? [value] : value;
  return [`  <key>${xml(key)}</key>`, ...lines.map((l) => `  ${l}`)];
}

function str(value: string): string {
  return `<string>${xml(value)}</string>`;
}

/** XML text escaping; characters XML 1.0 cannot carry at all are refused rather than dropped. */
export function xml(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) {
    throw new VideoInboxError(
      'CONFIG_INVALID',
      `A plist cannot hold control characters: ${JSON.stringify(value)}`,
      {
        hint: 'Rename the folder or file so its name has no control characters, then install the service again.',
      },
    );
  }
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
