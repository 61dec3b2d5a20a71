import { describe, expect, it } from 'vitest';
import {
  quoteSystemdWord,
  renderSystemdUnit,
  type SystemdUnitOptions,
} from '../../../src/service/systemd-unit.js';

const OPTS: SystemdUnitOptions = {
  nodePath: '/usr/bin/node',
  scriptPath: '/opt/vi/dist/src/cli/bin.js',
  configPath: '/home/ann/.config/video-inbox/config.yaml',
  envFile: '/home/ann/.config/video-inbox/service.env',
  writablePaths: ['/home/ann/.local/state/video-inbox', '/home/ann/Videos/In box', '/home/ann/Videos/out'],
};

const EXPECTED = `# video-inbox as a systemd user service, written by \`video-inbox service install\`.
# Run that command again after adding folders to the config: the service may write only to the
# folders listed in ReadWritePaths below.
[Unit]
Description=video-inbox: turns videos dropped into watched folders into MP4s
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
Type=exec
ExecStart=/usr/bin/node /opt/vi/dist/src/cli/bin.js start --config /home/ann/.config/video-inbox/config.yaml
EnvironmentFile=-/home/ann/.config/video-inbox/service.env
Restart=on-failure
RestartSec=15
# Invalid config (2), another daemon on the same state dir (4), ffmpeg missing (5): a person must act.
RestartPreventExitStatus=2 4 5
# SIGTERM makes the daemon checkpoint its jobs and exit; 130 is that clean stop, not a failure.
SuccessExitStatus=130
# Only the daemon gets SIGTERM, so it can stop ffmpeg itself and remove partial outputs; the daemon
# allows itself 10 s, systemd waits longer before SIGKILL.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=30
StandardOutput=journal
StandardError=journal
SyslogIdentifier=video-inbox
NoNewPrivileges=yes
# Sandboxing a user service can use (it needs unprivileged user namespaces; without them,
# reinstall with \`video-inbox service install --no-sandbox\`).
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=-/home/ann/.local/state/video-inbox "-/home/ann/Videos/In box" -/home/ann/Videos/out
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes

[Install]
WantedBy=default.target
`;

describe('renderSystemdUnit', () => {
  it('renders the user unit for the given paths', () => {
    expect(renderSystemdUnit(OPTS)).toBe(EXPECTED);
  });

  it('leaves out the namespace sandbox when asked, keeping NoNewPrivileges', () => {
    const text = renderSystemdUnit({ ...OPTS, hardening: false });
    expect(text).not.toMatch(/ProtectSystem|ProtectHome|PrivateTmp|ReadWritePaths/);
    expect(text).toContain('NoNewPrivileges=yes');
    expect(text).toContain('TimeoutStopSec=30');
  });

  it('lists each writable folder once', () => {
    const text = renderSystemdUnit({ ...OPTS, writablePaths: ['/a', '/b', '/a'] });
    expect(text).toContain('ReadWritePaths=-/a -/b\n');
  });

  it('never puts a secret in the unit: the token comes from the env file', () => {
    expect(renderSystemdUnit(OPTS)).not.toMatch(/NEMO_TOKEN|Environment=/);
  });

  it('stops after SIGTERM later than the daemon’s own 10 s', () => {
    const timeout = /TimeoutStopSec=(\d+)/.exec(renderSystemdUnit(OPTS))?.[1];
    expect(Number(timeout)).toBeGreaterThan(10);
  });

  it('refuses a path with a line break, which would inject unit settings', () => {
    expect(() => renderSystemdUnit({ ...OPTS, configPath: '/tmp/x\nExecStartPre=/bin/rm' })).toThrow(
      /line break/,
    );
  });
});

describe('quoteSystemdWord', () => {
  it.each<[string, 'exec' | 'path', string]>([
    ['/usr/bin/node', 'exec', '/usr/bin/node'],
    ['/home/a b/bin.js', 'exec', '"/home/a b/bin.js"'],
    ['/home/100%/x', 'exec', '/home/100%%/x'],
    ['/home/$HOME/x', 'exec', '/home/$$HOME/x'],
    ['/home/$HOME/x', 'path', '/home/$HOME/x'],
    ['/q/"x"', 'exec', '"/q/\\"x\\""'],
    ['/b/\\x', 'path', '"/b/\\\\x"'],
    ['-/a b', 'path', '"-/a b"'],
  ])('%s (%s) → %s', (word, kind, expected) => {
    expect(quoteSystemdWord(word, kind)).toBe(expected);
  });
});
