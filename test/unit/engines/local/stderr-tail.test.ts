import { describe, expect, it } from 'vitest';
import { createLineTail } from '../../../../src/engines/local/stderr-tail.js';

describe('createLineTail', () => {
  it('keeps only the last lines, joining chunks split mid-line', () => {
    const tail = createLineTail(2);
    tail.push('one\ntw');
    tail.push('o\nthree\nfo');
    expect(tail.text()).toBe('three\nfo');
    tail.push('ur\n');
    expect(tail.text()).toBe('three\nfour');
  });

  it.each([
    ['a\r\nb\r\n', 'a\nb'],
    ['frame=1\rframe=2\rerror\n', 'frame=1\nframe=2\nerror'],
    ['\n\n  \nreal\n\n', 'real'],
  ])('splits %j into lines', (input, expected) => {
    const tail = createLineTail(10);
    tail.push(input);
    expect(tail.text()).toBe(expected);
  });

  it('bounds a line that never ends', () => {
    const tail = createLineTail(3, 10);
    for (let i = 0; i < 100; i++) tail.push('x'.repeat(100));
    expect(tail.text().length).toBeLessThan(100);
  });
});
