import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { clearSecrets, redact, registerSecret } from '../../../src/core/secrets.js';

afterEach(() => clearSecrets());

function capture(pretty: boolean) {
  const lines: string[] = [];
  const log = createLogger({ pretty, level: 'debug', destination: { write: (l: string) => lines.push(l) } });
  return { log, lines };
}

describe('logger redaction', () => {
  it.each([false, true])('keeps registered tokens out of every field and message (pretty=%s)', (pretty) => {
    const token = 'nmv_live_abcdef123456';
    registerSecret(token);
    const { log, lines } = capture(pretty);
    log.info({ token }, 'token field');
    log.info({ headers: { authorization: `Bearer ${token}` } }, 'header field');
    log.warn({ detail: `request failed for ${token}` }, 'nested text');
    log.error(`interpolated ${token}`);
    log.error({ err: new Error(`boom ${token}`) }, 'error object');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).toContain('[redacted]');
  });

  it('redacts bearer values even when the token was never registered', () => {
    expect(redact('Authorization: Bearer abc.def-ghi_jkl')).toBe('Authorization: Bearer [redacted]');
  });

  it('leaves ordinary text alone', () => {
    registerSecret('s3cr3t-value');
    expect(redact('/home/me/Videos/old.avi converted')).toBe('/home/me/Videos/old.avi converted');
  });
});

describe('child loggers', () => {
  it('write each field once, the innermost value winning', () => {
    const { log, lines } = capture(false);
    log.child({ module: 'local' }).child({ module: 'local-engine', job: 'j1' }).info({ step: 2 }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"module"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ module: 'local-engine', job: 'j1', step: 2, msg: 'hello' });
  });
});
