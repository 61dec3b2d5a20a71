import { describe, expect, it } from 'vitest';
import { joinSentences } from '../../../src/core/sentences.js';

describe('joinSentences', () => {
  it.each([
    ['Cannot read x', 'Check the path.', 'Cannot read x. Check the path.'],
    [
      "add '*.wmv' to `match` in rules/a.yaml.",
      'Add the pattern.',
      "add '*.wmv' to `match` in rules/a.yaml. Add the pattern.",
    ],
    ['Out of room!', 'Free some space.', 'Out of room! Free some space.'],
    ['The reason:', 'it failed.', 'The reason: it failed.'],
    ['Only a message. ', undefined, 'Only a message.'],
    ['Only a message', '  ', 'Only a message'],
  ])('%j + %j', (first, second, joined) => {
    expect(joinSentences(first, second)).toBe(joined);
  });
});
