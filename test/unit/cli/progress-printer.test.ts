import { describe, expect, it } from 'vitest';
import { createProgressPrinter, formatDuration, formatProgress } from '../../../src/cli/progress-printer.js';
import { fakeClock } from '../../helpers/fake-clock.js';

describe('progress printer', () => {
  it.each([
    [{ stage: 'rendering' as const, percent: 40.4 }, 'a.avi: rendering 40%'],
    [{ stage: 'uploading' as const }, 'a.avi: uploading'],
    [{ stage: 'instructing' as const, message: 'Still working…' }, 'a.avi: instructing — Still working…'],
  ])('formats %o', (p, text) => {
    expect(formatProgress('a.avi', p)).toBe(text);
  });

  it('prints plain lines only when something changes on a pipe', () => {
    const out: string[] = [];
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: false }, fakeClock());
    printer.update('a.avi', { stage: 'rendering', percent: 10 });
    printer.update('a.avi', { stage: 'rendering', percent: 20 });
    printer.update('a.avi', { stage: 'downloading' });
    expect(out).toEqual(['a.avi: rendering 10%\n', 'a.avi: downloading\n']);
  });

  it('says it is still working at least every two minutes', () => {
    const out: string[] = [];
    const clock = fakeClock();
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: false }, clock);
    printer.update('a.avi', { stage: 'rendering', percent: 10 });
    clock.advance(60_000);
    printer.tick('a.avi');
    expect(out).toHaveLength(1);
    clock.advance(60_000);
    printer.tick('a.avi');
    expect(out[1]).toBe('a.avi: still working…\n');
  });

  it('rewrites one live line on a terminal and ends it cleanly', () => {
    const out: string[] = [];
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: true }, fakeClock());
    printer.update('a.avi', { stage: 'rendering', percent: 10 });
    printer.update('a.avi', { stage: 'rendering', percent: 20 });
    printer.done();
    expect(out.slice(0, 2).every((l) => l.startsWith('\r'))).toBe(true);
    expect(out.at(-1)).toBe('\n');
  });

  it('on a pipe, prints real percentages at most every 10 s per file, and every stage change', () => {
    const out: string[] = [];
    const clock = fakeClock();
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: false }, clock);
    for (let pct = 0; pct <= 100; pct += 5) {
      printer.update('a.avi', { stage: 'converting', percent: pct });
      clock.advance(1000);
    }
    printer.update('a.avi', { stage: 'placing' });
    const converting = out.filter((l) => l.includes('converting'));
    // 21 updates over 21 s: the first, then one per 10 s.
    expect(converting).toHaveLength(3);
    expect(converting.map((l) => /converting (\d+)%/.exec(l)?.[1])).toEqual(['0', '50', '100']);
    expect(out.at(-1)).toBe('a.avi: placing\n');
  });

  it('shows speed and time left on the live line: MB/s while bytes move, × realtime while converting', () => {
    const out: string[] = [];
    const clock = fakeClock();
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: true }, clock);
    printer.describe('a.avi', { sizeBytes: 100e6, durationSec: 60 });
    printer.update('a.avi', { stage: 'uploading', percent: 0 });
    clock.advance(10_000);
    printer.update('a.avi', { stage: 'uploading', percent: 20 });
    expect(out.at(-1)).toBe('\r\x1b[2Ka.avi: uploading 20% · 2.0 MB/s · 40s left');
    printer.update('a.avi', { stage: 'converting', percent: 0 });
    clock.advance(10_000);
    printer.update('a.avi', { stage: 'converting', percent: 50 });
    expect(out.at(-1)).toBe('\r\x1b[2Ka.avi: converting 50% · 3.0× realtime · 10s left');
  });

  it('never lets a log line glue onto the live line', () => {
    const out: string[] = [];
    const printer = createProgressPrinter({ write: (t) => out.push(t), isTTY: true }, fakeClock());
    printer.update('a.avi', { stage: 'rendering', percent: 10 });
    printer.interleave('{"level":40,"msg":"retrying"}\n');
    const screen = out.join('');
    // The log line starts on a cleared line and the live line is redrawn after it.
    expect(screen).toContain('\r\x1b[2K{"level":40,"msg":"retrying"}\na.avi: rendering 10%');
  });

  it('formats time left for people', () => {
    expect([formatDuration(4_000), formatDuration(185_000), formatDuration(3_720_000)]).toEqual([
      '4s',
      '3m05s',
      '1h02m',
    ]);
  });
});
