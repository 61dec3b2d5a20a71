import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../src/core/errors.js';
import { clientWithSession, closeWorldAfterEach, makeClient, startWorld, type World } from './harness.js';
import type { EmulatorOptions } from '../../emulator/index.js';

let world: World;
closeWorldAfterEach(() => world);

async function ready(options: EmulatorOptions = {}, extra = {}) {
  world = await startWorld(options);
  return clientWithSession(world, extra);
}

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as ApiError,
  );

describe('the error table, row by row, over loopback', () => {
  it.each([['envelope'], ['http'], ['both']] as const)(
    '1001 reported as %s → a new token and one retry',
    async (authErrorStyle) => {
      const { client, sessionId } = await ready({ authErrorStyle });
      world.emu.expireTokens();
      const state = await client.state(sessionId);
      expect(state.draft).toBeDefined();
      expect(world.emu.count('token')).toBe(2);
      expect(world.emu.count('state')).toBe(2);
      const saved = JSON.parse(await readFile(join(world.stateDir, 'nemo-credentials.json'), 'utf8'));
      const last = world.emu.requests.filter((r) => r.endpoint === 'state').at(-1);
      expect(last?.headers.authorization).toBe(`Bearer ${saved.token}`);
    },
  );

  it('1001 for a token the server still counts as live → keeps it (the new-token call says 429) and retries', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('state', { kind: 'envelope', code: 1001 });
    await client.state(sessionId);
    expect(world.emu.count('token')).toBe(2);
    expect(world.emu.count('state')).toBe(2);
  });

  it('1001 again after the renewal → TOKEN_INVALID, retried only once', async () => {
    const { client, sessionId } = await ready({ authErrorStyle: 'envelope' });
    world.emu.expireTokens();
    world.emu.inject('state', { kind: 'envelope', code: 1001 }, 2);
    const err = await fail(client.state(sessionId));
    expect(err.code).toBe('TOKEN_INVALID');
    expect(world.emu.count('state')).toBe(2);
  });

  it('1002 → SESSION_NOT_FOUND, not retried here (the engine starts a new session)', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('state', { kind: 'envelope', code: 1002 });
    const err = await fail(client.state(sessionId));
    expect(err.code).toBe('SESSION_NOT_FOUND');
    expect(world.emu.count('state')).toBe(1);
  });

  it.each([['message'], ['msg']] as const)(
    '2001 (%s field) → OUT_OF_CREDITS with a ?bind= registration link, no retry',
    async (messageField) => {
      const { client, sessionId } = await ready({ messageField });
      world.emu.setCredits(0);
      const err = await fail(client.instruct(sessionId, 'convert'));
      expect(err.code).toBe('OUT_OF_CREDITS');
      expect(err.message).toMatch(/credits/i);
      expect(err.hint).toMatch(/\?bind=anon_/);
      expect(err.retryable).toBe(false);
      expect(world.emu.count('sse')).toBe(1);
    },
  );

  it.each([
    [4001, 'UNSUPPORTED_FILE', /mp4 mov avi/],
    [4002, 'FILE_TOO_LARGE', /compress/i],
  ])('%i as an envelope → %s, no retry', async (code, expected, hint) => {
    const { client, sessionId } = await ready();
    world.emu.inject('upload', { kind: 'envelope', code });
    const err = await fail(client.uploadUrls(sessionId, ['http://example.test/a.mp4']));
    expect(err.code).toBe(expected);
    expect(err.hint).toMatch(hint);
    expect(world.emu.count('upload')).toBe(1);
  });

  it('HTTP 400 on the token call → a new client id, then success', async () => {
    world = await startWorld();
    world.emu.inject('token', { kind: 'http', status: 400 });
    const client = makeClient(world);
    await client.credits();
    const calls = world.emu.requests.filter((r) => r.endpoint === 'token');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers['x-client-id']).not.toBe(calls[0]?.headers['x-client-id']);
    const saved = JSON.parse(await readFile(join(world.stateDir, 'nemo-credentials.json'), 'utf8'));
    expect(saved.clientId).toBe(calls[1]?.headers['x-client-id']);
  });

  it('a token answer lost in transit (slow body past the timeout) → a new, persisted client id, then success', async () => {
    world = await startWorld();
    world.emu.inject('token', { kind: 'slow', bytesPerSecond: 16 });
    const client = makeClient(world, { requestTimeoutMs: 1000 });
    await client.credits();
    const calls = world.emu.requests.filter((r) => r.endpoint === 'token');
    // The first token was issued, but its answer never arrived: that client id is spent for 7 days.
    expect(calls).toHaveLength(2);
    expect(calls[0]?.fault).toMatchObject({ kind: 'slow' });
    expect(calls[1]?.headers['x-client-id']).not.toBe(calls[0]?.headers['x-client-id']);
    const saved = JSON.parse(await readFile(join(world.stateDir, 'nemo-credentials.json'), 'utf8'));
    expect(saved.clientId).toBe(calls[1]?.headers['x-client-id']);
    expect(saved.tokenRequestedAt).toBeUndefined();
    // A later client (the next run) reuses the new id's token: no request is refused with 429.
    await makeClient(world).credits();
    expect(world.emu.count('token')).toBe(2);
  });

  it('HTTP 402 on export → EXPORT_BLOCKED with "register or upgrade", no retry', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('render-start', { kind: 'http', status: 402 });
    const err = await fail(
      client.startRender({ renderId: 'render_1_x', sessionId, draft: { t: [] }, quality: 'high' }),
    );
    expect(err.code).toBe('EXPORT_BLOCKED');
    expect(err.hint).toMatch(/register or upgrade/i);
    expect(world.emu.count('render-start')).toBe(1);
  });

  it('HTTP 429 with Retry-After → waits that long, then retries', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('state', { kind: 'http', status: 429, retryAfter: 1 });
    await client.state(sessionId);
    const [first, second] = world.emu.requests.filter((r) => r.endpoint === 'state');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('HTTP 429 without Retry-After → waits the configured default (30 s in production)', async () => {
    const { client, sessionId } = await ready({}, { retry: { baseMs: 10, maxMs: 20, rateLimitMs: 600 } });
    world.emu.inject('state', { kind: 'http', status: 429 });
    await client.state(sessionId);
    const [first, second] = world.emu.requests.filter((r) => r.endpoint === 'state');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(550);
  });

  it.each([[500], [502], [503]])('HTTP %i → bounded backoff, then success', async (status) => {
    const { client, sessionId } = await ready();
    world.emu.inject('state', { kind: 'http', status }, 3);
    await client.state(sessionId);
    expect(world.emu.count('state')).toBe(4);
  });

  it('5xx that never ends → SERVER_ERROR after maxAttempts', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('credits', { kind: 'http', status: 500 }, Infinity);
    const err = await fail(client.credits());
    expect(err.code).toBe('SERVER_ERROR');
    expect(world.emu.count('credits')).toBe(5);
    void sessionId;
  });

  it('a reset connection → retried', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('state', { kind: 'reset' }, 2);
    await client.state(sessionId);
    expect(world.emu.count('state')).toBe(3);
  });

  it('a stalled answer → timeout, retried', async () => {
    const { client, sessionId } = await ready({}, { requestTimeoutMs: 400 });
    world.emu.inject('state', { kind: 'stall' });
    await client.state(sessionId);
    expect(world.emu.count('state')).toBe(2);
  });

  it('a network that never answers → NETWORK with a hint', async () => {
    world = await startWorld();
    const client = makeClient(world, {
      baseUrl: 'http://127.0.0.1:9',
      retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
    });
    const err = await fail(client.credits());
    expect(err.code).toBe('NETWORK');
    expect(err.hint).toMatch(/network/i);
  });

  it('an upload that breaks off is sent again from disk', async () => {
    const { client, sessionId } = await ready();
    const { makeVideo } = await import('../../helpers/media.js');
    const video = await makeVideo(join(world.dir, 'a.mp4'));
    world.emu.inject('upload', { kind: 'reset' });
    const files = await client.uploadFile(sessionId, video);
    expect(files).toHaveLength(1);
    expect(world.emu.count('upload')).toBe(2);
  });
});
