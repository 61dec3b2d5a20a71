import { describe, expect, it } from 'vitest';
import { parseLockFile } from '../../../src/jobs/lock.js';

describe('parseLockFile', () => {
  it.each([
    ['4242\nstart=987654\n', { pid: 4242, startTime: '987654' }],
    ['4242\nstart=\n', { pid: 4242, startTime: undefined }],
    ['4242\n', { pid: 4242, startTime: undefined }],
    ['4242', { pid: 4242, startTime: undefined }],
    ['', undefined],
    ['abc\n', undefined],
    ['-1\n', undefined],
    ['0\n', undefined],
    ['12.5\n', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseLockFile(text)).toEqual(expected);
  });
});
