import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeAtomicWriteFs } from '../../../src/core/atomic-write.js';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { redact } from '../../../src/core/secrets.js';
import { CredentialsStore } from '../../../src/engines/nemo/credentials-store.js';
import { TokenProvider, type AnonymousTokenFetcher } from '../../../src/engines/nemo/token-provider.js';
import { tokenAnswerMayBeLost } from '../../../src/engines/nemo/token-answer-policy.js';
import { DEFAULT_RETRY } from '../../../src/engines/nemo/options.js';

const BASE = 'http://127.0.0.1:1';
let dir: string;
let now: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-token-'));
  now = Date.parse('2026-01-01T00:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function provider(fetchAnonymous: AnonymousTokenFetcher, envToken?: string) {
  return new TokenProvider({
    baseUrl: BASE,
    envToken,
    store: new CredentialsStore(dir, nodeAtomicWriteFs),
    fetchAnonymous,
    clock: { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) },
    log: silentLogger(),
    retry: { ...DEFAULT_RETRY, baseMs: 1, maxMs: 2 },
  });
}

/** A server with one token per client id (429 after that), whose first answer never arrives. */
function losingFirstAnswer() {
  const calls: string[] = [];
  const issued = new Set<string>();
  const fetcher: AnonymousTokenFetcher = async (clientId) => {
    calls.push(clientId);
    if (issued.has(clientId)) throw new ApiError('RATE_LIMITED', 'one token per client id', { status: 429 });
    issued.add(clientId);
    if (calls.length === 1)
      throw new ApiError('NETWORK', 'timed out', { retryable: true, context: { reason: 'TimeoutError' } });
    return { token: `tok_secret_${calls.length}`, expiresAt: now + 7 * 86_400_000 };
  };
  return { calls, fetcher };
}

function issuing() {
  const calls: string[] = [];
  let n = 0;
  const fetcher: AnonymousTokenFetcher = async (clientId) => {
    calls.push(clientId);
    await new Promise((r) => setTimeout(r, 20));
    n += 1;
    return { token: `tok_secret_${n}`, userId: 'anon_1', expiresAt: now + 7 * 86_400_000 };
  };
  return { calls, fetcher };
}

describe('TokenProvider', () => {
  it('uses NEMO_TOKEN as is, never asking for an anonymous one, and registers it as a secret', async () => {
    const { calls, fetcher } = issuing();
    const p = provider(fetcher, 'env_token_value_123');
    expect(await p.token()).toBe('env_token_value_123');
    expect(p.anonymous).toBe(false);
    expect(calls).toEqual([]);
    expect(redact('x env_token_value_123 y')).toBe('x [redacted] y');
    expect(await p.invalidate('env_token_value_123')).toBe(false);
  });

  it('acquires one token for concurrent callers and persists it with mode 0600', async () => {
    const { calls, fetcher } = issuing();
    const p = provider(fetcher);
    const tokens = await Promise.all([p.token(), p.token(), p.token()]);
    expect(new Set(tokens)).toEqual(new Set(['tok_secret_1']));
    expect(calls).toHaveLength(1);
    const file = join(dir, 'nemo-credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({
      clientId: calls[0],
      token: 'tok_secret_1',
      userId: 'anon_1',
      baseUrl: BASE,
    });
    expect(redact('tok_secret_1')).toBe('[redacted]');
  });

  it('reuses the stored client id and token in a new instance until expiry', async () => {
    const { calls, fetcher } = issuing();
    await provider(fetcher).token();
    const second = provider(fetcher);
    expect(await second.token()).toBe('tok_secret_1');
    expect(calls).toHaveLength(1);
    now += 7 * 86_400_000;
    expect(await provider(fetcher).token()).toBe('tok_secret_2');
    expect(calls).toEqual([calls[0], calls[0]]);
  });

  it('does not send a token stored for another server', async () => {
    const { calls, fetcher } = issuing();
    await writeFile(
      join(dir, 'nemo-credentials.json'),
      JSON.stringify({ clientId: 'c1', token: 'tok_other_server', baseUrl: 'https://elsewhere' }),
    );
    expect(await provider(fetcher).token()).toBe('tok_secret_1');
    expect(calls).toEqual(['c1']);
  });

  it('gets a new token after a refusal, once, even when several jobs report the same token', async () => {
    const { calls, fetcher } = issuing();
    const p = provider(fetcher);
    const first = await p.token();
    await Promise.all([p.invalidate(first), p.invalidate(first)]);
    const [a, b] = await Promise.all([p.token(), p.token()]);
    expect(a).toBe('tok_secret_2');
    expect(b).toBe('tok_secret_2');
    expect(calls).toHaveLength(2);
    await p.invalidate(first); // a late report about the old token changes nothing
    expect(await p.token()).toBe('tok_secret_2');
  });

  it('keeps the refused token when the server says it is still live (429)', async () => {
    let n = 0;
    const p = provider(async (_id, o) => {
      n += 1;
      if (n === 1) return { token: 'tok_first_one', expiresAt: now + 86_400_000 };
      expect(o.retryRateLimit).toBe(false);
      throw new ApiError('RATE_LIMITED', 'one token per client id', { retryAfterSeconds: 30 });
    });
    const first = await p.token();
    await p.invalidate(first);
    expect(await p.token()).toBe('tok_first_one');
  });

  it('generates a new client id when the server asks for one (HTTP 400)', async () => {
    const ids: string[] = [];
    const p = provider(async (clientId) => {
      ids.push(clientId);
      if (ids.length === 1) throw new ApiError('MISSING_CLIENT_ID', 'need id', { status: 400 });
      return { token: 'tok_after_400' };
    });
    expect(await p.token()).toBe('tok_after_400');
    expect(ids).toHaveLength(2);
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(await readFile(join(dir, 'nemo-credentials.json'), 'utf8')).clientId).toBe(ids[1]);
  });

  it('shares one acquisition between two processes (instances) through a lock file', async () => {
    const { calls, fetcher } = issuing();
    const [a, b] = await Promise.all([provider(fetcher).token(), provider(fetcher).token()]);
    expect(a).toBe('tok_secret_1');
    expect(b).toBe('tok_secret_1');
    expect(calls).toHaveLength(1);
  });

  it('takes over a lock left behind by a crashed process', async () => {
    await mkdir(dir, { recursive: true });
    const lock = join(dir, 'nemo-credentials.json.lock');
    await writeFile(lock, '99999');
    const old = new Date(now - 10 * 60_000); // ten minutes old by the provider's clock
    await utimes(lock, old, old);
    const { fetcher } = issuing();
    expect(await provider(fetcher).token()).toBe('tok_secret_1');
  });

  it('asks under a new, persisted client id after a token answer was lost (the old id is spent)', async () => {
    const { calls, fetcher } = losingFirstAnswer();
    const p = provider(fetcher);
    expect(await p.token()).toBe('tok_secret_2');
    expect(calls).toHaveLength(2);
    expect(calls[1]).not.toBe(calls[0]);
    const saved = JSON.parse(await readFile(join(dir, 'nemo-credentials.json'), 'utf8'));
    expect(saved).toMatchObject({ clientId: calls[1], token: 'tok_secret_2' });
    expect(saved.tokenRequestedAt).toBeUndefined();
  });

  it('after a crash mid-request (the request recorded, no answer), the next run uses a new client id', async () => {
    await writeFile(
      join(dir, 'nemo-credentials.json'),
      JSON.stringify({ clientId: 'spent-id', baseUrl: BASE, tokenRequestedAt: now - 60_000 }),
    );
    const { calls, fetcher } = issuing();
    expect(await provider(fetcher).token()).toBe('tok_secret_1');
    expect(calls).toHaveLength(1);
    expect(calls[0]).not.toBe('spent-id');
  });

  it('keeps the client id when the server did answer (a 5xx), or the connection was never made', async () => {
    const ids: string[] = [];
    const p = provider(async (clientId) => {
      ids.push(clientId);
      if (ids.length === 1)
        throw new ApiError('NETWORK', 'refused', { retryable: true, context: { reason: 'ECONNREFUSED' } });
      if (ids.length === 2) throw new ApiError('SERVER_ERROR', 'down', { status: 503, retryable: true });
      return { token: 'tok_kept_id' };
    });
    await expect(p.token()).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    expect(await p.token()).toBe('tok_kept_id');
    expect(new Set(ids).size).toBe(1);
    const saved = JSON.parse(await readFile(join(dir, 'nemo-credentials.json'), 'utf8'));
    expect(saved.tokenRequestedAt).toBeUndefined();
  });

  it('starts over with a new client id when the stored file is damaged', async () => {
    await writeFile(join(dir, 'nemo-credentials.json'), '{"clientId": ');
    const { calls, fetcher } = issuing();
    expect(await provider(fetcher).token()).toBe('tok_secret_1');
    expect(calls[0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('tokenAnswerMayBeLost', () => {
  const network = (reason: string) => new ApiError('NETWORK', 'x', { context: { reason } });
  it.each<[string, unknown, boolean]>([
    ['a timeout', network('TimeoutError'), true],
    ['a reset', network('ECONNRESET'), true],
    ['a socket closed mid-body', network('UND_ERR_SOCKET'), true],
    ['a stop mid-request (abort)', new DOMException('aborted', 'AbortError'), true],
    ['a refused connection', network('ECONNREFUSED'), false],
    ['an unknown host', network('ENOTFOUND'), false],
    ['a connect timeout', network('UND_ERR_CONNECT_TIMEOUT'), false],
    ['a 429', new ApiError('RATE_LIMITED', 'x', { status: 429 }), false],
    ['a 5xx', new ApiError('SERVER_ERROR', 'x', { status: 503 }), false],
    ['an answer in no known shape', new ApiError('PROTOCOL', 'x'), false],
  ])('%s → %s', (_name, err, lost) => {
    expect(tokenAnswerMayBeLost(err)).toBe(lost);
  });
});
