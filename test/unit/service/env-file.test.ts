import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mergeServiceEnv, parseEnvFile, renderEnvFile } from '../../../src/service/env-file.js';

describe('renderEnvFile', () => {
  it.each<[string, string, string]>([
    ['plain token', 'nv_abc.DEF-123_456', 'NEMO_TOKEN=nv_abc.DEF-123_456'],
    ['URL', 'http://127.0.0.1:8080/api', 'NEMO_TOKEN=http://127.0.0.1:8080/api'],
    ['space', 'two words', 'NEMO_TOKEN="two words"'],
    ['hash, which would start a comment', 'a#b', 'NEMO_TOKEN="a#b"'],
    ['dollar', 'a$b', 'NEMO_TOKEN="a$b"'],
    ['empty', '', 'NEMO_TOKEN='],
  ])('%s', (_name, value, line) => {
    const text = renderEnvFile({ NEMO_TOKEN: value });
    expect(text.split('\n')).toContain(line);
    // Read back the same way by our parser and by Node's (what `start --env-file` may use).
    expect(parseEnvFile(text)).toEqual({ NEMO_TOKEN: value });
    expect(parseEnv(text)).toEqual({ NEMO_TOKEN: value });
  });

  it.each(['has "quotes"', 'back\\slash', 'line\nbreak'])(
    'refuses %j, which systemd and Node read differently',
    (value) => {
      expect(() => renderEnvFile({ NEMO_TOKEN: value })).toThrow(/quote, backslash or line break/);
    },
  );

  it('never quotes the value in its error message', () => {
    expect(() => renderEnvFile({ NEMO_TOKEN: 'secret"value' })).toThrow(/^(?!.*secret).*$/s);
  });

  it('refuses a key that is not a variable name', () => {
    expect(() => renderEnvFile({ 'BAD KEY': 'x' })).toThrow(/variable name/);
  });
});

describe('parseEnvFile', () => {
  it('reads hand edits: comments, blanks, export, single quotes', () => {
    const text = "# mine\n\nexport NEMO_TOKEN=abc123\nNEMO_API_BASE='http://x'\nnot a line\n";
    expect(parseEnvFile(text)).toEqual({ NEMO_TOKEN: 'abc123', NEMO_API_BASE: 'http://x' });
  });
});

describe('mergeServiceEnv', () => {
  it.each<[string, Record<string, string>, Record<string, string | undefined>, Record<string, string>]>([
    ['takes the token from the shell', {}, { NEMO_TOKEN: 'tok-new' }, { NEMO_TOKEN: 'tok-new' }],
    [
      'keeps a hand-added token when the shell has none',
      { NEMO_TOKEN: 'tok-old' },
      {},
      { NEMO_TOKEN: 'tok-old' },
    ],
    [
      'the shell wins over the file',
      { NEMO_TOKEN: 'tok-old' },
      { NEMO_TOKEN: 'tok-new' },
      { NEMO_TOKEN: 'tok-new' },
    ],
    [
      'an empty shell value does not erase',
      { NEMO_TOKEN: 'tok-old' },
      { NEMO_TOKEN: '' },
      { NEMO_TOKEN: 'tok-old' },
    ],
    ['keeps other hand-added keys', { HTTPS_PROXY: 'http://p' }, {}, { HTTPS_PROXY: 'http://p' }],
    [
      'ignores unrelated shell variables',
      {},
      { HOME: '/h', NEMO_API_BASE: 'http://a' },
      { NEMO_API_BASE: 'http://a' },
    ],
    // The daemon derives its default state dir from it; the service must use the one install opened.
    ['takes XDG_STATE_HOME', {}, { XDG_STATE_HOME: '/data/state' }, { XDG_STATE_HOME: '/data/state' }],
  ])('%s', (_name, existing, env, expected) => {
    expect(mergeServiceEnv(existing, env)).toEqual(expected);
  });
});
