import { describe, expect, it } from 'vitest';
import { parseRule } from '../../../src/rules/load-rule.js';
import type { Rule } from '../../../src/rules/rule.js';
import { canonicalJson, ruleVersion } from '../../../src/rules/rule-version.js';

function rule(yaml: string): Rule {
  const result = parseRule(yaml, 'rule.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.rule;
}

const base = 'skill: video-converter-best\ninstruction: Convert it\n';

describe('ruleVersion', () => {
  it('is a 16-hex-digit hash', () => {
    expect(ruleVersion(rule(base))).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    [
      'comments and blank lines',
      '# a comment\n\nskill: video-converter-best\ninstruction: Convert it # why\n',
    ],
    ['key order', 'instruction: Convert it\nskill: video-converter-best\n'],
    ['instruction vs a one-item list', 'skill: video-converter-best\ninstructions: [Convert it]\n'],
    ['a default written out', `${base}engine: nemo\noutput: { quality: high }\n`],
    ['match (which files, not what is done)', `${base}match: '*.avi'\n`],
    ['after (what happens to the source)', `${base}after: keep\n`],
    ['output name (where it goes)', `${base}output: { name: '{stem}-x.mp4' }\n`],
  ])('does not change with %s', (_label, yaml) => {
    expect(ruleVersion(rule(yaml))).toBe(ruleVersion(rule(base)));
  });

  it.each([
    ['the instruction', 'skill: video-converter-best\ninstruction: Convert it well\n'],
    ['the skill', 'skill: video-to-generator\ninstruction: Convert it\n'],
    ['a second instruction', 'skill: video-converter-best\ninstructions: [Convert it, Add music]\n'],
    ['the engine', `${base}engine: local\n`],
    ['the quality', `${base}output: { quality: low }\n`],
    ['the language', `${base}language: de\n`],
    ['local options', `${base}local: { crf: 20 }\n`],
    ['a when entry', `${base}when:\n  - codec: h264\n    engine: local\n`],
  ])('changes with %s', (_label, yaml) => {
    expect(ruleVersion(rule(yaml))).not.toBe(ruleVersion(rule(base)));
  });

  it('depends on instruction order', () => {
    const a = rule('instructions: [One, Two]\n');
    const b = rule('instructions: [Two, One]\n');
    expect(ruleVersion(a)).not.toBe(ruleVersion(b));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
  });
});
