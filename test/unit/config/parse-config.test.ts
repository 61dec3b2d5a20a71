import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../../../src/core/secrets.js';
import { parseConfig } from '../../../src/config/load-config.js';

const home = '/home/ann';
const file = '/etc/vi/config.yaml';
const opts = { home, cores: 8, platform: 'linux' as const };

function ok(yaml: string, env: Record<string, string> = {}) {
  const result = parseConfig(yaml, file, env, opts);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

function issues(yaml: string, env: Record<string, string> = {}) {
  const result = parseConfig(yaml, file, env, opts);
  if (result.ok) throw new Error('expected issues');
  return result.issues.map((i) => `${i.file}:${i.line ?? ''}:${i.column ?? ''} ${i.path ?? ''} ${i.message}`);
}

const folder = (name: string, inbox: string, outbox: string) =>
  `  - name: ${name}\n    inbox: ${inbox}\n    outbox: ${outbox}\n    rules: r.yaml\n`;

afterEach(() => clearSecrets());

describe('parseConfig', () => {
  it('fills every default for an empty file', () => {
    expect(ok('')).toEqual({
      file,
      api: {
        baseUrl: 'https://mega-api-prod.nemovideo.ai',
        language: 'en',
        pollSeconds: 30,
        creditsCheckSeconds: 300,
        platform: 'unknown',
        requestTimeoutSeconds: 60,
        transferIdleSeconds: 120,
        token: undefined,
      },
      stateDir: '/home/ann/.local/state/video-inbox',
      concurrency: 3,
      limits: { uploads: 2, sse: 3, polls: 4, local: 4 },
      notify: 'desktop',
      channels: { webhooks: [], ntfy: [] },
      http: { host: '127.0.0.1', port: 8385, allowRemote: false },
      schedule: undefined,
      settleSeconds: 2,
      rescanSeconds: 60,
      poll: false,
      ffmpegPath: undefined,
      ffprobePath: undefined,
      retrySeconds: 30,
      maxUploadMB: 500,
      folders: [],
    });
  });

  it.each([
    [1, 1],
    [2, 1],
    [3, 1],
    [8, 4],
    [16, 8],
  ])('local limit with %i cores is %i', (cores, expected) => {
    const result = parseConfig('', file, {}, { ...opts, cores });
    expect(result.ok && result.config.limits.local).toBe(expected);
  });

  it('reads http, schedules and notification channels (top level and per folder)', () => {
    expect(ok('http: false\n').http).toBe(false);
    expect(ok('http: { port: 0 }\n').http).toEqual({ host: '127.0.0.1', port: 0, allowRemote: false });
    const c = ok(
      [
        'schedule: [weekdays 22:00-07:00, weekends]',
        'notify:',
        '  desktop: false',
        '  webhooks: [{ url: http://127.0.0.1:9/h, secret: a-long-enough-secret }]',
        '  ntfy: [{ url: http://127.0.0.1:9/topic, events: [failed] }]',
      ].join('\n'),
    );
    expect(c.notify).toBe('none');
    expect(c.schedule).toEqual(['weekdays 22:00-07:00', 'weekends']);
    expect(c.channels).toEqual({
      webhooks: [
        {
          url: 'http://127.0.0.1:9/h',
          secret: 'a-long-enough-secret',
          events: ['done', 'failed', 'held', 'paused'],
        },
      ],
      ntfy: [{ url: 'http://127.0.0.1:9/topic', events: ['failed'] }],
    });
    expect(ok('notify: { webhooks: [] }\n').notify).toBe('desktop');
  });

  it('takes the sse limit from concurrency unless set', () => {
    expect(ok('concurrency: 5\n').limits.sse).toBe(5);
    expect(ok('concurrency: 5\nlimits: { sse: 2 }\n').limits.sse).toBe(2);
  });

  it('resolves folder paths against the config file and expands ~', () => {
    const config = ok(
      'poll: true\nstateDir: state\nffmpegPath: ffmpeg\nffprobePath: ~/bin/ffprobe\nfolders:\n' +
        folder('a', 'in/a', '~/out') +
        '    poll: false\n' +
        folder('b', '/abs/in', '../out/b'),
    );
    expect(config.stateDir).toBe('/etc/vi/state');
    expect(config.ffmpegPath).toBe('ffmpeg');
    expect(config.ffprobePath).toBe('/home/ann/bin/ffprobe');
    expect(config.folders).toEqual([
      { name: 'a', inbox: '/etc/vi/in/a', outbox: '/home/ann/out', rules: '/etc/vi/r.yaml', poll: false },
      { name: 'b', inbox: '/abs/in', outbox: '/etc/out/b', rules: '/etc/vi/r.yaml', poll: true },
    ]);
  });

  it('lets NEMO_API_BASE and NEMO_TOKEN win and registers the token as a secret', () => {
    const config = ok('api:\n  baseUrl: https://example.com\n  token: file-token-123\n', {
      NEMO_API_BASE: 'http://127.0.0.1:4010',
      NEMO_TOKEN: 'env-token-456',
    });
    expect(config.api.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.api.token).toBe('env-token-456');
    expect(redact('token env-token-456')).toBe('token [redacted]');
  });

  it.each<[string, string, Record<string, string>, unknown]>([
    ['picks the port from VIDEO_INBOX_HTTP_PORT', '', { VIDEO_INBOX_HTTP_PORT: '0' }, 0],
    ['over the file', 'http:\n  port: 9000\n', { VIDEO_INBOX_HTTP_PORT: '9001' }, 9001],
    ['keeps the file port when it is empty', 'http:\n  port: 9000\n', { VIDEO_INBOX_HTTP_PORT: '' }, 9000],
    ['leaves http: false off', 'http: false\n', { VIDEO_INBOX_HTTP_PORT: '0' }, undefined],
  ])('%s', (_name, yaml, env, port) => {
    const { http } = ok(yaml, env);
    expect(http === false ? undefined : http.port).toBe(port);
  });

  it('uses and redacts a token from the file when the environment has none', () => {
    const config = ok('api:\n  token: file-token-123\n');
    expect(config.api.token).toBe('file-token-123');
    expect(redact('file-token-123')).toBe('[redacted]');
  });

  it.each<[string, string, Record<string, string>, string[]]>([
    [
      'a non-URL NEMO_API_BASE',
      '',
      { NEMO_API_BASE: 'localhost:8080' },
      ['$NEMO_API_BASE::  Expected an http:// or https:// URL, got "localhost:8080"'],
    ],
    [
      'a VIDEO_INBOX_HTTP_PORT that is no port',
      '',
      { VIDEO_INBOX_HTTP_PORT: '80a' },
      ['$VIDEO_INBOX_HTTP_PORT::  Expected a port number from 0 to 65535, got "80a"'],
    ],
    [
      'a non-http base URL',
      'api:\n  baseUrl: ftp://x\n',
      {},
      [`${file}:2:12 api.baseUrl Expected an http:// or https:// URL`],
    ],
    [
      'zero concurrency',
      'concurrency: 0\n',
      {},
      [`${file}:1:14 concurrency Too small: expected number to be >=1`],
    ],
    [
      'a fractional limit',
      'limits:\n  uploads: 1.5\n',
      {},
      [`${file}:2:12 limits.uploads Invalid input: expected int, received number`],
    ],
    [
      'an unknown notify',
      'notify: email\n',
      {},
      [
        `${file}:1:9 notify Expected "desktop", "none", or channels: { desktop, webhooks: [...], ntfy: [...] }`,
      ],
    ],
    [
      'a schedule window that is not one',
      'schedule: [weekdays 22-07]\n',
      {},
      [`${file}:1:12 schedule[0] Schedule window "weekdays 22-07": "22-07" is not HH:MM-HH:MM`],
    ],
    [
      'a short webhook secret',
      'notify: { webhooks: [{ url: http://127.0.0.1:9/h, secret: short }] }\n',
      {},
      [`${file}:1:59 notify.webhooks[0].secret Too small: expected string to have >=16 characters`],
    ],
    [
      'a misspelt top key',
      'concurency: 3\n',
      {},
      [`${file}:1:1 concurency Unknown key "concurency" (did you mean "concurrency"?)`],
    ],
    [
      'a misspelt api key',
      'api:\n  pollSecond: 3\n',
      {},
      [`${file}:2:3 api.pollSecond Unknown key "pollSecond" (did you mean "pollSeconds"?)`],
    ],
    [
      'a folder missing its keys',
      'folders:\n  - name: a\n    inbox: in\n',
      {},
      [
        `${file}:2:5 folders[0].outbox Missing required key "outbox"`,
        `${file}:2:5 folders[0].rules Missing required key "rules"`,
      ],
    ],
    [
      'an empty value',
      'folders:\n  - name: a\n    inbox:\n    outbox: out\n    rules: r.yaml\n',
      {},
      [`${file}:3:5 folders[0].inbox Invalid input: expected string, received null`],
    ],
    [
      'a folder name with a slash',
      'folders:\n' + folder('a/b', 'in', 'out'),
      {},
      [`${file}:2:11 folders[0].name Use letters, digits, spaces, dots, dashes or underscores (no slashes)`],
    ],
    [
      'two folders with one name',
      'folders:\n' + folder('a', 'in1', 'out') + folder('A', 'in2', 'out'),
      {},
      [`${file}:6:11 folders[1].name Folder name "A" is already used by folders[0]`],
    ],
    [
      'an outbox inside its own inbox',
      'folders:\n' + folder('a', 'in', 'in/done'),
      {},
      [
        `${file}:4:13 folders[0].outbox The outbox is inside the inbox of "a"; outputs would be converted again. Put the outbox outside every inbox`,
      ],
    ],
    [
      'an outbox equal to another inbox',
      'folders:\n' + folder('a', 'in1', 'in2') + folder('b', '~/../../etc/vi/in2', 'out'),
      {},
      [
        `${file}:4:13 folders[0].outbox The outbox is inside the inbox of "b"; outputs would be converted again. Put the outbox outside every inbox`,
      ],
    ],
    [
      'two folders on one inbox',
      'folders:\n' + folder('a', 'in', 'out') + folder('b', './in', 'out'),
      {},
      [
        `${file}:7:12 folders[1].inbox The inbox is already watched by "a"; each folder needs its own folder as inbox`,
      ],
    ],
    [
      'an inbox inside another inbox',
      'folders:\n' + folder('a', 'in', 'out') + folder('b', 'in/sub', 'out'),
      {},
      [
        `${file}:7:12 folders[1].inbox The inbox is inside the inbox of "a"; its files would be taken twice. Give each folder its own folder, outside the other inboxes`,
      ],
    ],
    [
      'a list instead of a mapping',
      '- a\n',
      {},
      [`${file}:1:1  Invalid input: expected object, received array`],
    ],
  ])('reports %s', (_label, yaml, env, expected) => {
    expect(issues(yaml, env)).toEqual(expected);
  });

  it('accepts an outbox beside the inbox whose name starts the same', () => {
    expect(ok('folders:\n' + folder('a', 'in', 'in-out')).folders[0]?.outbox).toBe('/etc/vi/in-out');
  });
});
