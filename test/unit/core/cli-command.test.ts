import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cliCommand, shellWord, withConfigFlag } from '../../../src/core/cli-command.js';
import { errorReportText } from '../../../src/outbox/error-report.js';
import { printedConfigOf } from '../../../src/cli/settings.js';
import { namingConfig } from '../../../src/run/job-records.js';

describe('printed commands name the config they need', () => {
  it.each([
    ['retry --failed', undefined, 'video-inbox retry --failed'],
    ['retry --failed', '/cfg/my config.yaml', "video-inbox retry --failed --config '/cfg/my config.yaml'"],
    ['open', '/cfg/c.yaml', 'video-inbox open --config /cfg/c.yaml'],
  ])('cliCommand(%j, %j)', (args, config, expected) => {
    expect(cliCommand(args, config)).toBe(expected);
  });

  it.each([
    [
      'Free some space, then run `video-inbox retry --failed`.',
      'Free some space, then run `video-inbox retry --failed --config /c.yaml`.',
    ],
    [
      'Run `video-inbox retry <file>` or `video-inbox validate` again.',
      'Run `video-inbox retry <file> --config /c.yaml` or `video-inbox validate --config /c.yaml` again.',
    ],
    [
      'Already named: `video-inbox start --config /x.yaml`',
      'Already named: `video-inbox start --config /x.yaml`',
    ],
    ['No command here: restart video-inbox.', 'No command here: restart video-inbox.'],
    // A quoted path is one word, whatever it holds: a backtick does not end the command, and a
    // " -c " or " --config " inside it does not name a config.
    [
      "Archived (use `video-inbox retry '/in/_done/take `2`.mov'` to force)",
      "Archived (use `video-inbox retry '/in/_done/take `2`.mov' --config /c.yaml` to force)",
    ],
    [
      "Run `video-inbox retry '/in/_done/a -c b.mov'` again.",
      "Run `video-inbox retry '/in/_done/a -c b.mov' --config /c.yaml` again.",
    ],
    [
      "Run `video-inbox retry '/in/x --config=y.mov'`.",
      "Run `video-inbox retry '/in/x --config=y.mov' --config /c.yaml`.",
    ],
    [
      "Run `video-inbox retry '/in/it'\\''s -c.mov'` now.",
      "Run `video-inbox retry '/in/it'\\''s -c.mov' --config /c.yaml` now.",
    ],
    [
      'Already named: `video-inbox retry -c /x.yaml a.mov`',
      'Already named: `video-inbox retry -c /x.yaml a.mov`',
    ],
    [
      'Already named: `video-inbox open --config=/x.yaml`',
      'Already named: `video-inbox open --config=/x.yaml`',
    ],
  ])('withConfigFlag(%j)', (text, expected) => {
    expect(withConfigFlag(text, '/c.yaml')).toBe(expected);
    expect(withConfigFlag(text, undefined)).toBe(text);
  });

  it('a command naming any file, as shellWord quotes it, gets the config after the whole path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.string(), (path, config) => {
        const text = `Archived (use \`video-inbox retry ${shellWord(path)}\` to force)`;
        expect(withConfigFlag(text, config)).toBe(
          `Archived (use \`${cliCommand(`retry ${shellWord(path)}`, config)}\` to force)`,
        );
      }),
    );
  });

  it('a .error.txt names the config in its retry line and in its hint', () => {
    const text = errorReportText({
      fileName: 'a.avi',
      failedPath: '/in/_failed/a.avi',
      code: 'DISK_FULL',
      message: 'The disk is full',
      hint: 'Free some space on that disk, then run `video-inbox retry --failed`.',
      config: '/c.yaml',
    });
    expect(text).toContain('  video-inbox retry /in/_failed/a.avi --config /c.yaml\n');
    expect(text).toContain('`video-inbox retry --failed --config /c.yaml`');
  });

  it('the config is named unless it is the default one', () => {
    const env = { HOME: '/home/u', XDG_CONFIG_HOME: '/home/u/.config' };
    expect(printedConfigOf({}, env)).toBeUndefined();
    expect(printedConfigOf({ config: '/home/u/.config/video-inbox/config.yaml' }, env)).toBeUndefined();
    expect(printedConfigOf({ config: '/tmp/c.yaml' }, env)).toBe('/tmp/c.yaml');
    // A service has $VIDEO_INBOX_CONFIG; the shell a person pastes the command into does not.
    expect(printedConfigOf({}, { ...env, VIDEO_INBOX_CONFIG: '/srv/c.yaml' })).toBe('/srv/c.yaml');
  });
});

describe('job records name the config in the hints they keep', () => {
  it('a retry or hold recorded by the daemon keeps a hint that runs as printed', async () => {
    const patches: unknown[] = [];
    const records = namingConfig({ update: (_id, patch) => Promise.resolve(patches.push(patch)) }, '/c.yaml');
    await records.update('j', {
      state: 'queued',
      error: {
        code: 'DISK_FULL',
        message: 'full',
        hint: 'Free space, then run `video-inbox retry --failed`.',
      },
    });
    await records.update('j', { state: 'rendering', percent: 5 });
    expect(patches).toEqual([
      {
        state: 'queued',
        error: {
          code: 'DISK_FULL',
          message: 'full',
          hint: 'Free space, then run `video-inbox retry --failed --config /c.yaml`.',
        },
      },
      { state: 'rendering', percent: 5 },
    ]);
  });
});
