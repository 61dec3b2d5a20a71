import { describe, expect, it } from 'vitest';
import {
  parseCredits,
  parseInstant,
  parseRender,
  parseSession,
  parseTokenGrant,
  parseUploadedFiles,
  readEnvelope,
} from '../../../src/engines/nemo/envelope.js';

describe('readEnvelope', () => {
  it.each([
    [
      { code: 0, message: 'ok', data: { a: 1 } },
      { code: 0, message: 'ok', failed: false, data: { a: 1 } },
    ],
    [
      { code: 0, msg: 'ok', data: { a: 1 } },
      { code: 0, message: 'ok', failed: false, data: { a: 1 } },
    ],
    [
      { code: 1001, msg: 'Token expired' },
      { code: 1001, message: 'Token expired', failed: false },
    ],
    [
      { code: '1002', message: 'Session not found' },
      { code: 1002, message: 'Session not found', failed: false },
    ],
    [
      { success: false, error: 'render id exists' },
      { message: 'render id exists', failed: true },
    ],
    [
      { success: true, data: { id: 'r' } },
      { failed: false, data: { id: 'r' } },
    ],
    [
      { errorCode: 'E1', errorMessage: 'agent died' },
      { message: 'agent died', failed: false },
    ],
  ])('reads %j', (body, expected) => {
    expect(readEnvelope(body)).toMatchObject(expected);
  });

  it('treats a non-object body as data', () => {
    expect(readEnvelope('<html>')).toEqual({ failed: false, data: '<html>' });
  });
});

describe('parseUploadedFiles', () => {
  const file = {
    filename: 'a.mov',
    file_type: 'video',
    cdn_url: 'http://cdn/a',
    duration: 2.5,
    width: 320,
    height: 240,
  };
  it.each([
    ['data.files', { files: [file] }],
    ['data.video_infos', { video_infos: [file] }],
    [
      'camelCase fields',
      {
        files: [
          {
            filename: 'a.mov',
            fileType: 'video',
            cdnUrl: 'http://cdn/a',
            duration: '2.5',
            width: 320,
            height: 240,
          },
        ],
      },
    ],
  ])('understands %s', (_name, data) => {
    expect(parseUploadedFiles(data)).toEqual([
      {
        filename: 'a.mov',
        fileType: 'video',
        cdnUrl: 'http://cdn/a',
        durationSec: 2.5,
        width: 320,
        height: 240,
      },
    ]);
  });

  it('accepts a file the service could not probe (no duration)', () => {
    expect(
      parseUploadedFiles({ files: [{ filename: 'x', cdn_url: 'u', duration: null }] })?.[0]?.durationSec,
    ).toBeUndefined();
  });

  it.each([[undefined], [{}], [{ files: 'no' }], [{ files: [{ filename: 'no url' }] }]])(
    'refuses %j',
    (data) => {
      expect(parseUploadedFiles(data)).toBeUndefined();
    },
  );
});

describe('parseRender', () => {
  it('reads the wrapped shape', () => {
    expect(
      parseRender({
        success: true,
        data: { id: 'render_1', status: 'completed', progress: 100, outputUrl: 'http://x/o.mp4' },
      }),
    ).toMatchObject({ id: 'render_1', status: 'completed', progress: 100, outputUrl: 'http://x/o.mp4' });
  });

  it('reads the flat shape', () => {
    expect(
      parseRender({
        taskId: 'render_2',
        status: 'completed',
        progress: 100,
        output: { url: 'http://x/p.mp4', duration: 3, size: 999 },
      }),
    ).toEqual({
      id: 'render_2',
      status: 'completed',
      progress: 100,
      outputUrl: 'http://x/p.mp4',
      durationSec: 3,
      sizeBytes: 999,
      error: undefined,
    });
  });

  it.each([
    ['pending', 'pending'],
    ['processing', 'processing'],
    ['FAILED', 'failed'],
    ['success', 'completed'],
  ])('maps status %s to %s', (status, expected) => {
    expect(parseRender({ success: true, data: { id: 'r', status } })?.status).toBe(expected);
  });

  it('reads a duration in milliseconds as seconds', () => {
    expect(
      parseRender({ taskId: 'r', status: 'completed', output: { url: 'u', duration: 125_000 } })?.durationSec,
    ).toBe(125);
  });

  it('keeps the failure reason', () => {
    expect(
      parseRender({ success: true, data: { id: 'r', status: 'failed', error: 'ffmpeg died' } })?.error,
    ).toBe('ffmpeg died');
  });

  it('refuses an answer without a status', () => {
    expect(parseRender({ success: true, data: { id: 'r' } })).toBeUndefined();
  });
});

describe('token, session and credits', () => {
  it('reads a token grant and its expiry in any documented form', () => {
    expect(
      parseTokenGrant({ token: 'abcdefgh', user_id: 'u1', expires_at: '2030-01-01T00:00:00Z', credits: 100 }),
    ).toEqual({
      token: 'abcdefgh',
      userId: 'u1',
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
      credits: 100,
    });
    expect(parseTokenGrant({ user_id: 'u1' })).toBeUndefined();
  });

  it.each([
    [1_900_000_000, 1_900_000_000_000],
    [1_900_000_000_000, 1_900_000_000_000],
    ['2030-01-01T00:00:00Z', Date.parse('2030-01-01T00:00:00Z')],
    ['soon', undefined],
  ])('parses the instant %j', (value, expected) => {
    expect(parseInstant(value)).toBe(expected);
  });

  it('reads a numeric session id as text', () => {
    expect(parseSession({ task_id: 't', session_id: 8000001234 })).toEqual({
      sessionId: '8000001234',
      taskId: 't',
    });
    expect(parseSession({ task_id: 't' })).toBeUndefined();
  });

  it('reads credits', () => {
    expect(parseCredits({ available: 7, frozen: 1, total: 8 })).toEqual({
      available: 7,
      frozen: 1,
      total: 8,
    });
    expect(parseCredits({ total: 8 })).toBeUndefined();
  });
});
