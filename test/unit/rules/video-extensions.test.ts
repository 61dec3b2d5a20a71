import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH } from '../../../src/rules/rule-schema.js';
import {
  isCloudContainer,
  LOCAL_ONLY_VIDEO_EXTENSIONS,
  unmatchedVideoMessage,
  VIDEO_EXTENSIONS,
  videoExtensionOf,
} from '../../../src/rules/video-extensions.js';

describe('video extensions', () => {
  it('lists every container the issue names, and the five the API takes', () => {
    for (const ext of [
      'mts',
      'm2ts',
      'ts',
      'mpg',
      'mpeg',
      'vob',
      'wmv',
      'asf',
      'flv',
      '3gp',
      'dv',
      'mxf',
      'm4v',
      'ogv',
    ]) {
      expect(VIDEO_EXTENSIONS).toContain(ext);
      expect(LOCAL_ONLY_VIDEO_EXTENSIONS).toContain(ext);
    }
    expect(DEFAULT_MATCH).toEqual(['*.mp4', '*.mov', '*.avi', '*.webm', '*.mkv']);
    expect(new Set(VIDEO_EXTENSIONS).size).toBe(VIDEO_EXTENSIONS.length);
  });

  it.each([
    ['CLIP.MTS', 'mts', false],
    ['holiday.mp4', 'mp4', true],
    ['a.b.wmv', 'wmv', false],
    ['notes.txt', undefined, false],
    ['noext', undefined, false],
  ])('%s → %s, cloud container: %s', (name, ext, cloud) => {
    expect(videoExtensionOf(name)).toBe(ext);
    expect(isCloudContainer(name)).toBe(cloud);
  });
});

describe('unmatchedVideoMessage', () => {
  it.each<[string, string, string[], string | undefined]>([
    [
      'a .wmv no rule takes',
      'old.WMV',
      DEFAULT_MATCH,
      `No rule in folder "family" matches *.wmv (it takes *.mp4, *.mov, *.avi, *.webm, *.mkv); add '*.wmv' to \`match\` in rules/family.yaml.`,
    ],
    ['a taken .mp4', 'a.mp4', DEFAULT_MATCH, undefined],
    ['a .mts taken case-insensitively', 'B.MTS', ['*.mts'], undefined],
    ['not a video', 'notes.txt', DEFAULT_MATCH, undefined],
    [
      'a rule with an empty match',
      'x.flv',
      [],
      `No rule in folder "family" matches *.flv; add '*.flv' to \`match\` in rules/family.yaml.`,
    ],
  ])('%s', (_name, fileName, match, message) => {
    expect(unmatchedVideoMessage({ folder: 'family', fileName, match, ruleFile: 'rules/family.yaml' })).toBe(
      message,
    );
  });
});
