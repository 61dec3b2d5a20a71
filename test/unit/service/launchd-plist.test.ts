import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { renderLaunchdPlist, type LaunchdPlistOptions } from '../../../src/service/launchd-plist.js';

const OPTS: LaunchdPlistOptions = {
  nodePath: '/opt/homebrew/bin/node',
  scriptPath: '/opt/vi/dist/src/cli/bin.js',
  configPath: '/Users/ann/.config/video-inbox/config.yaml',
  envFile: '/Users/ann/.config/video-inbox/service.env',
  logDir: '/Users/ann/Library/Logs/video-inbox',
  home: '/Users/ann',
  path: '/opt/homebrew/bin:/usr/bin:/bin',
};

const EXPECTED = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- video-inbox as a LaunchAgent, written by \`video-inbox service install\`. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>com.video-inbox.agent</string>
  <key>ProgramArguments</key>
  <array>
    <string>/opt/homebrew/bin/node</string>
    <string>/opt/vi/dist/src/cli/bin.js</string>
    <string>start</string>
    <string>--config</string>
    <string>/Users/ann/.config/video-inbox/config.yaml</string>
    <string>--env-file</string>
    <string>/Users/ann/.config/video-inbox/service.env</string>
  </array>
  <key>WorkingDirectory</key>
  <string>/Users/ann</string>
  <key>EnvironmentVariables</key>
  <dict>
    <key>PATH</key>
    <string>/opt/homebrew/bin:/usr/bin:/bin</string>
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>30</integer>
  <key>ExitTimeOut</key>
  <integer>30</integer>
  <key>ProcessType</key>
  <string>Standard</string>
  <key>StandardOutPath</key>
  <string>/Users/ann/Library/Logs/video-inbox/video-inbox.log</string>
  <key>StandardErrorPath</key>
  <string>/Users/ann/Library/Logs/video-inbox/video-inbox.err.log</string>
</dict>
</plist>
`;

describe('renderLaunchdPlist', () => {
  it('renders the LaunchAgent for the given paths', () => {
    expect(renderLaunchdPlist(OPTS)).toBe(EXPECTED);
  });

  it('parses as a property list with the keys launchd needs', () => {
    const doc = parse(renderLaunchdPlist(OPTS)) as Record<string, unknown>;
    expect(doc.Label).toBe('com.video-inbox.agent');
    expect(doc.ProgramArguments).toEqual([
      OPTS.nodePath,
      OPTS.scriptPath,
      'start',
      '--config',
      OPTS.configPath,
      '--env-file',
      OPTS.envFile,
    ]);
    expect(doc.RunAtLoad).toBe(true);
    expect(doc.KeepAlive).toEqual({ SuccessfulExit: false });
    expect(doc.StandardOutPath).toMatch(/^\/Users\/ann\/Library\/Logs\/video-inbox\//);
    expect(doc.StandardErrorPath).toMatch(/^\/Users\/ann\/Library\/Logs\/video-inbox\//);
    expect(doc.ExitTimeOut).toBeGreaterThan(10);
    expect(doc.EnvironmentVariables).toEqual({ PATH: OPTS.path });
  });

  it('escapes XML so odd folder names survive a round trip', () => {
    const configPath = '/Users/ann/Tom & Jerry <clips>/config.yaml';
    const doc = parse(renderLaunchdPlist({ ...OPTS, configPath, label: 'com.example.test' })) as Record<
      string,
      unknown
    >;
    expect((doc.ProgramArguments as string[])[4]).toBe(configPath);
    expect(doc.Label).toBe('com.example.test');
  });

  it('refuses control characters XML cannot carry', () => {
    expect(() => renderLaunchdPlist({ ...OPTS, home: '/Users/a\u0001b' })).toThrow(/control characters/);
  });
});
