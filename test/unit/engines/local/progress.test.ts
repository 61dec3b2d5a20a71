import { describe, expect, it } from 'vitest';
import {
  createProgressReader,
  outTimeMicros,
  parseProgressLine,
  progressPercent,
} from '../../../../src/engines/local/progress.js';

describe('parseProgressLine', () => {
  it.each([
    ['out_time_us=1500000', { key: 'out_time_us', value: '1500000' }],
    ['progress=continue', { key: 'progress', value: 'continue' }],
    ['bitrate= 203.7kbits/s', { key: 'bitrate', value: '203.7kbits/s' }],
    ['speed=N/A', { key: 'speed', value: 'N/A' }],
    ['', undefined],
    ['garbage', undefined],
    ['=value', undefined],
  ])('%j', (line, expected) => {
    expect(parseProgressLine(line)).toEqual(expected);
  });
});

describe('outTimeMicros', () => {
  it.each([
    ['out_time_us', '960078', 960078],
    ['out_time_ms', '960078', 960078],
    ['out_time', '00:00:00.960078', 960078],
    ['out_time', '01:02:03.5', 3723.5e6],
    ['out_time_us', 'N/A', undefined],
    ['out_time_us', '', undefined],
    ['out_time_us', '-23220', undefined],
    ['out_time', '-00:00:00.023220', undefined],
    ['out_time', 'N/A', undefined],
    ['frame', '25', undefined],
  ])('%s=%s → %s', (key, value, expected) => {
    expect(outTimeMicros(key, value)).toBe(expected);
  });
});

describe('progressPercent', () => {
  it.each([
    [0, 10, 0],
    [5e6, 10, 50],
    [9.999e6, 10, 99],
    [10e6, 10, 99],
    [12e6, 10, 99],
    [1e6, 3, 33],
    [5e6, undefined, undefined],
    [5e6, 0, undefined],
    [5e6, Number.NaN, undefined],
  ])('%d µs of %s s → %s', (micros, duration, expected) => {
    expect(progressPercent(micros, duration)).toBe(expected);
  });
});

describe('createProgressReader', () => {
  const block = (us: string, state = 'continue') =>
    `frame=1\nout_time_us=${us}\nout_time=00:00:00.000000\nprogress=${state}\n`;

  // out_time is deliberately stale in these blocks: the microsecond keys must win over it.
  it('reports each new whole percent once per block, across split chunks', () => {
    const seen: number[] = [];
    const reader = createProgressReader(4, (p) => seen.push(p));
    const text = block('N/A') + block('1000000') + block('1000000') + block('2000000') + block('3990000');
    for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
    expect(seen).toEqual([25, 50, 99]);
  });

  it('never reports 100 (that is said once the output is in place) nor goes backwards', () => {
    const seen: number[] = [];
    const reader = createProgressReader(2, (p) => seen.push(p));
    reader.push(block('1500000') + block('1000000') + block('2000000', 'end'));
    expect(seen).toEqual([75, 99]);
  });

  it('falls back to out_time when this ffmpeg prints no microsecond keys', () => {
    const seen: number[] = [];
    createProgressReader(10, (p) => seen.push(p)).push('out_time=00:00:02.500000\nprogress=continue\n');
    expect(seen).toEqual([25]);
  });

  it('says nothing when the duration is unknown', () => {
    const seen: number[] = [];
    const reader = createProgressReader(undefined, (p) => seen.push(p));
    reader.push(block('1000000') + block('2000000', 'end'));
    expect(seen).toEqual([]);
  });

  it('handles CRLF line ends', () => {
    const seen: number[] = [];
    createProgressReader(10, (p) => seen.push(p)).push('out_time_us=5000000\r\nprogress=continue\r\n');
    expect(seen).toEqual([50]);
  });
});
