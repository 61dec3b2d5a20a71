import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../../../src/http/host-check.js';

describe('Host check (DNS rebinding)', () => {
  it.each<[string | undefined, string, boolean]>([
    ['127.0.0.1:8385', '127.0.0.1', true],
    ['localhost:8385', '127.0.0.1', true],
    ['LOCALHOST', '127.0.0.1', true],
    ['[::1]:8385', '127.0.0.1', true],
    ['127.0.0.1:8385', '::1', true],
    ['evil.example:8385', '127.0.0.1', false],
    ['127.0.0.1.evil.example', '127.0.0.1', false],
    ['localhost.evil.example:8385', 'localhost', false],
    [undefined, '127.0.0.1', false],
    ['', '127.0.0.1', false],
    ['nas.lan:8385', 'nas.lan', true],
    ['localhost:8385', 'nas.lan', false],
    ['anything:8385', '0.0.0.0', true],
  ])('Host %j with host %s → %s', (header, configured, ok) => {
    expect(hostAllowed(header, configured)).toBe(ok);
  });
});
