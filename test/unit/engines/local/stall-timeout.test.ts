import { describe, expect, it } from 'vitest';
import { stallTimeoutFor } from '../../../../src/engines/local/stall-timeout.js';

describe('stallTimeoutFor', () => {
  it.each([
    [0, 600_000],
    [Number.NaN, 600_000],
    [-5, 600_000],
    [50e6, 605_000],
    [4e9, 1_000_000],
    [50e9, 5_600_000],
  ])('%d bytes → %d ms', (size, ms) => {
    expect(stallTimeoutFor(size)).toBe(ms);
  });
});
