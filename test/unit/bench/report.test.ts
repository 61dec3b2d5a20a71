import { describe, expect, it } from 'vitest';
import {
  formatGoal,
  formatMs,
  formatRatio,
  placeSection,
  renderSection,
  type Section,
} from '../../../bench/report.js';

const section = (id: string, oursMs = 437, peerMs = 339): Section => ({
  id,
  title: `Title ${id}`,
  intro: 'Intro.',
  figures: [
    { what: '`video-inbox --version`', oursMs, peer: '`node -e 0`', peerMs, goal: { maxOverMs: 150 } },
  ],
  command: `npm run bench -- --only ${id}`,
  machine: '2 × CPU',
});

describe('BENCHMARKS.md writer', () => {
  it.each([
    [4.26, '4.3 ms'],
    [437.4, '437 ms'],
    [1234, '1.23 s'],
    [-2470, '-2.47 s'],
    [65_400, '65.4 s'],
    [NaN, '–'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('gives the ratio to the peer and whether the goal holds', () => {
    expect(formatRatio(452, 323)).toBe('1.40×');
    expect(formatRatio(1, 0)).toBe('–');
    const f = section('a').figures[0]!;
    expect(formatGoal(f)).toBe('≤ peer + 150 ms: met');
    expect(formatGoal({ ...f, oursMs: 500 })).toBe('≤ peer + 150 ms: missed');
    expect(formatGoal({ ...f, goal: { maxRatio: 1.1 }, oursMs: 372 })).toBe('≤ 1.10×: met');
    expect(formatGoal({ ...f, goal: { maxRatio: 1.1 }, oursMs: 373 })).toBe('≤ 1.10×: missed');
  });

  it('renders a table row with figure, peer, ratio and difference, and the rerun command', () => {
    const text = renderSection(section('cli-startup'));
    expect(text).toContain(
      '| `video-inbox --version` | 437 ms | `node -e 0` | 339 ms | 1.29× | +98 ms | ≤ peer + 150 ms: met |',
    );
    expect(text).toContain('Rerun: `npm run bench -- --only cli-startup`');
    expect(text.startsWith('<!-- bench:cli-startup:start -->')).toBe(true);
    expect(text.endsWith('<!-- bench:cli-startup:end -->')).toBe(true);
  });

  it('replaces only its own section, and puts a new one in the runner order', () => {
    const order = ['a', 'b', 'c'];
    let doc = '# Benchmarks\n\nHand-written text.\n';
    doc = placeSection(doc, section('c'), order);
    doc = placeSection(doc, section('a'), order);
    doc = placeSection(doc, section('b'), order);
    const at = (id: string) => doc.indexOf(`<!-- bench:${id}:start -->`);
    expect(at('a')).toBeGreaterThan(doc.indexOf('Hand-written text.'));
    expect(at('a')).toBeLessThan(at('b'));
    expect(at('b')).toBeLessThan(at('c'));
    const again = placeSection(doc, section('b', 500), order);
    expect(again).toContain('| 500 ms |');
    expect(again.match(/bench:b:start/g)).toHaveLength(1);
    expect(again.replace(/<!-- bench:b:start -->[\s\S]*<!-- bench:b:end -->/, '')).toBe(
      doc.replace(/<!-- bench:b:start -->[\s\S]*<!-- bench:b:end -->/, ''),
    );
  });
});
