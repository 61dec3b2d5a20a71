import { describe, expect, it } from 'vitest';
import { renderTemplate, templateVariables, unknownVariables } from '../../../src/rules/template.js';

describe('renderTemplate', () => {
  const vars = { stem: 'holiday', ext: 'avi', duration: 12.5, width: undefined, n: 0 };
  it.each([
    ['{stem}.mp4', 'holiday.mp4'],
    ['{stem}-{ext}.mp4', 'holiday-avi.mp4'],
    ['a {duration} s clip', 'a 12.5 s clip'],
    ['{width} wide', 'unknown wide'],
    ['zero is {n}', 'zero is 0'],
    ['{{stem}} is literal', '{stem} is literal'],
    ['{{{stem}}}', '{holiday}'],
    ['{nope} stays', '{nope} stays'],
    ['no braces', 'no braces'],
    ['a { lone brace', 'a { lone brace'],
    ['{stem}{stem}', 'holidayholiday'],
  ])('%j → %j', (template, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it('does not read inherited properties as variables', () => {
    expect(renderTemplate('{constructor} {toString}', {})).toBe('{constructor} {toString}');
  });
});

describe('templateVariables / unknownVariables', () => {
  it.each([
    ['{stem}.mp4', ['stem']],
    ['{a}{b}{a}', ['a', 'b']],
    ['{{a}} {b}', ['b']],
    ['plain', []],
  ])('%j uses %j', (template, expected) => {
    expect(templateVariables(template)).toEqual(expected);
  });

  it('lists only names outside the allowed set', () => {
    expect(unknownVariables('{stem} {nmae} {ext} {size}', ['stem', 'ext'])).toEqual(['nmae', 'size']);
  });
});
