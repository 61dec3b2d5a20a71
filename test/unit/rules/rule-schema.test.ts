import { describe, expect, it } from 'vitest';
import { parseRule } from '../../../src/rules/load-rule.js';
import { DEFAULT_MATCH } from '../../../src/rules/rule-schema.js';

function issues(yaml: string) {
  const result = parseRule(yaml, 'r.yaml');
  if (result.ok) throw new Error('expected issues');
  return result.issues.map((i) => `${i.line}:${i.column} ${i.path ?? ''} ${i.message}`);
}

describe('rule YAML validation', () => {
  it('accepts an empty file with every default', () => {
    const result = parseRule('', 'r.yaml');
    expect(result.ok && result.rule).toMatchObject({
      skill: 'video-converter-best',
      match: DEFAULT_MATCH,
      output: { name: '{stem}.mp4', quality: 'high' },
      after: 'archive',
      engine: 'nemo',
      when: [],
    });
  });

  it('normalises a single glob and lower-cases codec names', () => {
    const result = parseRule("match: '*.AVI'\nwhen:\n  - codec: H264\n    engine: local\n", 'r.yaml');
    expect(result.ok && result.rule.match).toEqual(['*.AVI']);
    expect(result.ok && result.rule.when[0]?.conditions.codec).toEqual(['h264']);
  });

  it.each([
    [
      'instruction: a\ninstructions: [b]\n',
      ['2:15 instructions Use either "instruction" or "instructions", not both'],
    ],
    ['instructions: []\n', ['1:15 instructions Too small: expected array to have >=1 items']],
    ["skill: ''\n", [expect.stringMatching(/^1:8 skill A skill name is letters/)]],
    ['skill: video converter\n', [expect.stringMatching(/^1:8 skill A skill name is letters/)]],
    ['match: 3\n', ['1:8 match Expected a text or a list of texts']],
    ['engine: cloud\n', ['1:9 engine Invalid option: expected one of "nemo"|"local"']],
    ["output:\n  name: 'sub/{stem}.mp4'\n", ['2:9 output.name An output name cannot contain / or \\']],
    ['local:\n  height: 721\n', ['2:11 local.height Must be even (H.264 needs even sizes)']],
    ['local:\n  preset: quick\n', [expect.stringMatching(/^2:11 local.preset Invalid option/)]],
    [
      'when:\n  - engine: local\n',
      [expect.stringMatching(/^2:5 when\[0\] A "when" entry needs a condition/)],
    ],
    [
      'when:\n  - codec: h264\n',
      [expect.stringMatching(/^2:5 when\[0\] A "when" entry needs something to change/)],
    ],
    [
      'when:\n  - minHeight: 1080\n    maxHeight: 720\n    engine: local\n',
      ['2:16 when[0].minHeight minHeight is larger than maxHeight; nothing could match'],
    ],
    [
      'when:\n  - codec: h264\n    engin: local\n',
      [
        expect.stringMatching(/^2:5 when\[0\] A "when" entry needs something to change/),
        '3:5 when[0].engin Unknown key "engin" (did you mean "engine"?)',
      ],
    ],
    [
      'skil: x\nafter: archve\n',
      [
        '1:1 skil Unknown key "skil" (did you mean "skill"?)',
        expect.stringMatching(/^2:8 after Invalid option/),
      ],
    ],
    [
      'when:\n  - codec: h264\n    instruction: "Make {foo}"\n',
      [expect.stringMatching(/^3:18 when\[0\]\.instruction Unknown template variable \{foo\}/)],
    ],
    ['- a\n- b\n', ['1:1  Invalid input: expected object, received array']],
    ['a: [\n', [expect.stringMatching(/^2:1 +YAML syntax:/)]],
    ['skill: a\nskill: b\n', [expect.stringMatching(/^2:1 +YAML syntax: Map keys must be unique/)]],
  ])('%j → %j', (yaml, expected) => {
    expect(issues(yaml)).toEqual(expected);
  });

  it('does not suggest a key that is nothing like the typo', () => {
    expect(issues('zzzzzz: 1\n')).toEqual(['1:1 zzzzzz Unknown key "zzzzzz"']);
  });

  it('takes local.keepHevc, also in a when entry', () => {
    const result = parseRule(
      'local: { keepHevc: true }\nwhen:\n  - codec: hevc\n    local: { keepHevc: false }\n',
      'r.yaml',
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.rule.local).toEqual({ keepHevc: true });
      expect(result.rule.when[0]?.local).toEqual({ keepHevc: false });
    }
  });

  it('refuses CRF 0: lossless x264 is High 4:4:4, outside the MP4 contract', () => {
    expect(parseRule('local: { crf: 0 }\n', 'r.yaml').ok).toBe(false);
    expect(parseRule('local: { crf: 1 }\n', 'r.yaml').ok).toBe(true);
  });
});
