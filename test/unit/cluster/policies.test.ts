import { describe, expect, it } from 'vitest';
import { clusterJobId, doneKey } from '../../../src/cluster/job-id.js';
import { displayRedisUrl, redisOptions } from '../../../src/cluster/redis-connection.js';
import { intakeRetryDelayMs, redisReconnectDelayMs } from '../../../src/cluster/redis-retry.js';
import type { ClusterConfig } from '../../../src/config/cluster-config.js';

const hash = 'ab'.repeat(32);

describe('clusterJobId', () => {
  it('is the same for the same content and rule version, whoever computes it', () => {
    expect(clusterJobId(hash, '0123456789abcdef')).toBe(clusterJobId(hash, '0123456789abcdef'));
    expect(clusterJobId(hash, '0123456789abcdef')).toBe(`v1-${hash}-0123456789abcdef`);
  });

  it.each([
    ['another rule version', hash, 'fedcba9876543210'],
    ['another content', 'cd'.repeat(32), '0123456789abcdef'],
  ])('differs for %s', (_what, h, v) => {
    expect(clusterJobId(h, v)).not.toBe(clusterJobId(hash, '0123456789abcdef'));
  });

  it.each([
    ['a:b', 'v1-a_b-x'],
    ['12', 'v1-12-x'],
  ])('never holds a colon nor is an integer (%s)', (h, id) => {
    const made = clusterJobId(h, 'x');
    expect(made).toBe(id);
    expect(made).not.toContain(':');
    expect(Number.isInteger(Number(made))).toBe(false);
  });

  it('pairs with a done-set field of the same content and version', () => {
    expect(doneKey(hash, 'v')).toBe(`${hash}:v`);
  });
});

describe('Redis retry policies', () => {
  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [5, 3200],
    [6, 5000],
    [100, 5000],
  ])('reconnect attempt %i waits %i ms', (attempt, ms) => {
    expect(redisReconnectDelayMs(attempt)).toBe(ms);
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 30_000],
    [50, 30_000],
  ])('a file not taken %i time(s) is offered again after %i ms', (attempt, ms) => {
    expect(intakeRetryDelayMs(attempt)).toBe(ms);
  });
});

const cfg = (redis: string, password?: string): ClusterConfig => ({
  redis,
  node: 'studio-1',
  password,
  passwordEnv: password ? 'P' : undefined,
  maxCloudJobs: undefined,
  maxUploads: undefined,
  apiCallsPerMinute: undefined,
  lockSeconds: 30,
});

describe('redisOptions', () => {
  it.each([
    ['redis://nas.local:6380/2', { host: 'nas.local', port: 6380, db: 2, tls: undefined }],
    ['redis://nas.local', { host: 'nas.local', port: 6379, db: 0, tls: undefined }],
    [
      'rediss://r.example.net:6390/1',
      { host: 'r.example.net', port: 6390, db: 1, tls: { servername: 'r.example.net' } },
    ],
  ])('%s', (url, expected) => {
    expect(redisOptions(cfg(url), 'client')).toMatchObject(expected);
  });

  it('takes the password from the environment over one in the URL', () => {
    expect(redisOptions(cfg('redis://:inurl@h:1/0', 'fromenv'), 'client').password).toBe('fromenv');
    expect(redisOptions(cfg('redis://:inurl@h:1/0'), 'client').password).toBe('inurl');
  });

  it('lets workers retry commands forever (BullMQ requires it) and intake fail fast', () => {
    expect(redisOptions(cfg('redis://h'), 'worker')).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    expect(redisOptions(cfg('redis://h'), 'client')).toMatchObject({
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
  });

  it('shows a URL without its credentials', () => {
    expect(displayRedisUrl('redis://user:s3cret-pass@h:6379/0')).toBe('redis://h:6379/0');
  });
});
