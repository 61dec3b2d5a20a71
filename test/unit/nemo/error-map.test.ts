import { describe, expect, it } from 'vitest';
import { mapAnswerError, parseRetryAfter, type ErrorAudience } from '../../../src/engines/nemo/error-map.js';

const anonymous: ErrorAudience = {
  anonymous: true,
  bindId: 'anon_42',
  registrationUrl: 'https://example.test/register',
  maxUploadBytes: 500 * 1024 * 1024,
};
const registered: ErrorAudience = { anonymous: false, registrationUrl: 'https://example.test/register' };

/** The answer's arrival time, as the injected clock gives it. */
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('mapAnswerError: every row of the error table', () => {
  it.each([
    [
      '1001 as envelope, HTTP 200',
      'session',
      200,
      { code: 1001, msg: 'Token expired' },
      'TOKEN_INVALID',
      false,
    ],
    ['1001 as HTTP 401', 'session', 401, { error: 'Unauthorized' }, 'TOKEN_INVALID', false],
    ['1001 as both', 'state', 401, { code: 1001, message: 'Token expired' }, 'TOKEN_INVALID', false],
    ['1002', 'state', 200, { code: 1002, message: 'Session not found' }, 'SESSION_NOT_FOUND', false],
    ['2001', 'sse', 200, { code: 2001, msg: 'Insufficient credits' }, 'OUT_OF_CREDITS', false],
    ['4001', 'upload', 200, { code: 4001, msg: 'Unsupported' }, 'UNSUPPORTED_FILE', false],
    ['4002', 'upload', 200, { code: 4002, msg: 'Too large' }, 'FILE_TOO_LARGE', false],
    [
      'HTTP 400 on the token call',
      'token',
      400,
      { code: 400, msg: 'X-Client-Id required' },
      'MISSING_CLIENT_ID',
      false,
    ],
    ['HTTP 402', 'render-start', 402, { error: 'Payment Required' }, 'EXPORT_BLOCKED', false],
    ['HTTP 429', 'token', 429, { code: 429, msg: 'slow down' }, 'RATE_LIMITED', true],
    ['HTTP 500', 'state', 500, 'Internal Server Error', 'SERVER_ERROR', true],
    ['HTTP 503', 'upload', 503, undefined, 'SERVER_ERROR', true],
    ['success:false', 'render-start', 200, { success: false, error: 'boom' }, 'API_ERROR', false],
    ['an unknown code', 'state', 200, { code: 9999, msg: 'odd' }, 'API_ERROR', false],
  ])('%s → %s', (_name, endpoint, status, body, code, retryable) => {
    const err = mapAnswerError({ now: NOW, endpoint, status, body }, anonymous);
    expect(err?.code).toBe(code);
    expect(err?.retryable).toBe(retryable);
    expect(err?.status).toBe(status);
  });

  it.each([
    [{ code: 0, data: {} }, 200],
    [{ success: true, data: {} }, 200],
    [{ taskId: 'r', status: 'pending' }, 200],
  ])('reads %j as success', (body, status) => {
    expect(mapAnswerError({ now: NOW, endpoint: 'x', status, body }, anonymous)).toBeUndefined();
  });

  it('lists the accepted formats for 4001', () => {
    const err = mapAnswerError(
      { now: NOW, endpoint: 'upload', status: 200, body: { code: 4001 } },
      anonymous,
    );
    expect(err?.hint).toContain('mp4 mov avi webm mkv');
  });

  it('suggests compressing or trimming for 4002', () => {
    const err = mapAnswerError(
      { now: NOW, endpoint: 'upload', status: 200, body: { code: 4002 } },
      anonymous,
    );
    expect(err?.hint).toMatch(/compress/i);
    expect(err?.hint).toMatch(/trim/i);
    expect(err?.hint).toContain('500 MB');
  });

  it('says register or upgrade for 402, not credits', () => {
    const err = mapAnswerError(
      { now: NOW, endpoint: 'render-start', status: 402, body: undefined },
      anonymous,
    );
    expect(err?.hint).toMatch(/register or upgrade/i);
    expect(err?.hint).toMatch(/not credits/i);
  });

  it('gives anonymous users a registration link with ?bind=<id> for 2001', () => {
    const err = mapAnswerError({ now: NOW, endpoint: 'sse', status: 200, body: { code: 2001 } }, anonymous);
    expect(err?.hint).toContain('https://example.test/register?bind=anon_42');
  });

  it('tells registered users to top up for 2001', () => {
    const err = mapAnswerError({ now: NOW, endpoint: 'sse', status: 200, body: { code: 2001 } }, registered);
    expect(err?.hint).toMatch(/top up/i);
    expect(err?.hint).not.toContain('bind=');
  });

  it('keeps Retry-After on 429', () => {
    const err = mapAnswerError(
      { now: NOW, endpoint: 'token', status: 429, body: {}, retryAfter: '12' },
      anonymous,
    );
    expect(err?.retryAfterSeconds).toBe(12);
  });

  it('never quotes a bearer token the server echoes', () => {
    const err = mapAnswerError(
      { now: NOW, endpoint: 'state', status: 500, body: { message: 'bad header Bearer abcdef123456' } },
      anonymous,
    );
    expect(err?.message).not.toContain('abcdef123456');
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['30', 30],
    [['5'], 5],
    [undefined, undefined],
    ['later', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value as string | string[] | undefined, NOW)).toBe(expected);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:40 GMT', NOW)).toBe(40);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });
});
