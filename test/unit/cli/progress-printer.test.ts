import { describe, expect, it } from 'vitest';
import { createProgressPrinter, formatProgress } from '../../../src/cli/progress-printer.js';
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
});
