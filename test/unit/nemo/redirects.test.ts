import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/core/errors.js';
import { MAX_REDIRECTS, nextHop } from '../../../src/engines/nemo/redirects.js';

// Where a redirected download goes next (the network side is in
// test/integration/nemo/bulk-transfers.test.ts › "downloads sent on by a redirect").

const from = {
  url: 'https://api.example.com/render/r1/file.mp4',
  headers: { authorization: 'Bearer tok-secret', 'X-Skill-Source': 'video-inbox' },
};

const refusal = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a refusal');
};

describe('nextHop', () => {
  it('is undefined for an answer that is not a redirect, or a redirect with no Location', () => {
    expect(nextHop(from, 200, 'https://elsewhere/x', 0)).toBeUndefined();
    expect(nextHop(from, 304, 'https://elsewhere/x', 0)).toBeUndefined();
    expect(nextHop(from, 302, undefined, 0)).toBeUndefined();
    expect(nextHop(from, 302, '', 0)).toBeUndefined();
  });

  it('resolves a relative Location against the address it came from, keeping the token on the same origin', () => {
    expect(nextHop(from, 307, '../r2/file.mp4?sig=a', 0)).toEqual({
      url: 'https://api.example.com/render/r2/file.mp4?sig=a',
      headers: from.headers,
    });
  });

  it('drops the token (whatever its case) on the way to another origin, and keeps the other headers', () => {
    for (const name of ['authorization', 'Authorization', 'AUTHORIZATION']) {
      const hop = nextHop(
        { url: from.url, headers: { [name]: 'Bearer tok-secret', 'X-Skill-Source': 'video-inbox' } },
        302,
        'https://cdn.example.net/file.mp4?X-Amz-Signature=abc',
        0,
      );
      expect(hop).toEqual({
        url: 'https://cdn.example.net/file.mp4?X-Amz-Signature=abc',
        headers: { 'X-Skill-Source': 'video-inbox' },
      });
    }
    // Another port or scheme is another origin too.
    expect(nextHop(from, 302, 'https://api.example.com:8443/f.mp4', 0)?.headers).not.toHaveProperty(
      'authorization',
    );
    expect(
      nextHop({ ...from, url: 'http://api.example.com/f' }, 302, 'https://api.example.com/f', 0)?.headers,
    ).not.toHaveProperty('authorization');
  });

  it('refuses https to plain http, and any scheme but http(s), naming the host but never the signed query', () => {
    const down = refusal(() => nextHop(from, 302, 'http://cdn.example.net/f.mp4?sig=secret', 0));
    expect(down).toBeInstanceOf(ApiError);
    expect(down.code).toBe('PROTOCOL');
    expect(down.message).toBe(
      'The download from api.example.com was redirected from https to plain http (refused: the video would travel unencrypted)',
    );
    const file = refusal(() => nextHop(from, 302, 'file:///etc/passwd', 0));
    expect(file.message).toMatch(/redirected to a file: address/);
    for (const err of [down, file])
      expect(JSON.stringify({ m: err.message, c: err.context })).not.toMatch(/secret/);
    // Plain http to https is an upgrade, and followed.
    expect(
      nextHop({ ...from, url: 'http://api.example.com/f' }, 301, 'https://api.example.com/f', 0)?.url,
    ).toBe('https://api.example.com/f');
  });

  it(`follows ${MAX_REDIRECTS} redirects and refuses the next one`, () => {
    expect(nextHop(from, 302, '/a', MAX_REDIRECTS - 1)?.url).toBe('https://api.example.com/a');
    const loop = refusal(() => nextHop(from, 302, '/a', MAX_REDIRECTS));
    expect(loop.message).toBe(
      `The download from api.example.com was redirected more than ${MAX_REDIRECTS} times`,
    );
    expect(loop.retryable).toBe(true);
  });
});
