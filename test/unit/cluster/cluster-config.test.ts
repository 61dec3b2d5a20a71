import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { clearSecrets, redact } from '../../../src/core/secrets.js';

const file = '/etc/vi/config.yaml';
const opts = { home: '/home/ann', cores: 8, platform: 'linux' as const };

afterEach(() => clearSecrets());

describe('the cluster block of the config', () => {
  it('is absent unless configured: a single host needs no Redis', () => {
    const result = parseConfig('', file, {}, opts);
    expect(result.ok && result.config.cluster).toBeUndefined();
  });

  it('fills the node name from the host and reads the password from the named variable, as a secret', () => {
    const result = parseConfig(
      'cluster:\n  redis: redis://nas.local:6379/0\n  passwordEnv: VI_REDIS_PASSWORD\n',
      file,
      { VI_REDIS_PASSWORD: 'hunter2-hunter2' },
      opts,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.cluster).toEqual({
      redis: 'redis://nas.local:6379/0',
      node: hostname().split('.')[0],
      password: 'hunter2-hunter2',
      passwordEnv: 'VI_REDIS_PASSWORD',
      maxCloudJobs: undefined,
      maxUploads: undefined,
      lockSeconds: 30,
    });
    expect(redact('auth failed with hunter2-hunter2')).toBe('auth failed with [redacted]');
  });

  it('treats a password written into the URL as a secret too', () => {
    parseConfig('cluster:\n  redis: redis://:pw-in-the-url@h:6379/0\n', file, {}, opts);
    expect(redact('redis://:pw-in-the-url@h')).not.toContain('pw-in-the-url');
  });

  it.each([
    [
      'cluster:\n  redis: http://nas:6379\n',
      '/etc/vi/config.yaml:2:10 cluster.redis Expected a redis:// or rediss:// URL',
    ],
    [
      'cluster:\n  redis: redis://h\n  node: "a b"\n',
      '/etc/vi/config.yaml:3:9 cluster.node Use letters, digits',
    ],
    [
      'cluster:\n  redis: redis://h\n  passwordEnv: NOT_SET_ANYWHERE\n',
      '/etc/vi/config.yaml:3:16 cluster.passwordEnv $NOT_SET_ANYWHERE is not set',
    ],
    ['cluster:\n  redis: redis://h\n  rediss: true\n', '/etc/vi/config.yaml:3:3'],
  ])('points at a bad cluster setting: %j', (yaml, expected) => {
    const result = parseConfig(yaml, file, {}, opts);
    if (result.ok) throw new Error('expected issues');
    const lines = result.issues.map(
      (i) => `${i.file}:${i.line ?? ''}:${i.column ?? ''} ${i.path ?? ''} ${i.message}`,
    );
    expect(lines.some((l) => l.startsWith(expected))).toBe(true);
  });
});
