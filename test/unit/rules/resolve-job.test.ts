import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../../src/domain/media.js';
import { parseRule } from '../../../src/rules/load-rule.js';
import { outputName, resolveJob } from '../../../src/rules/resolve-job.js';
import { DEFAULT_INSTRUCTION, type Rule } from '../../../src/rules/rule.js';

function rule(yaml: string): Rule {
  const result = parseRule(yaml, 'rule.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.rule;
}

// Local time on purpose: {date} is the date on the user's clock.
const now = new Date(2026, 0, 5, 23, 59);
const MB = 1024 * 1024;
const hevc4k: MediaInfo = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 83.456,
  sizeBytes: 300 * MB,
  video: { codec: 'hevc', width: 3840, height: 2160 },
  audio: { codec: 'aac' },
};

describe('outputName', () => {
  const vars = { stem: 'Holiday', ext: 'AVI', date: '2026-01-05', folder: 'old' };
  it.each([
    ['{stem}.mp4', 'Holiday.mp4'],
    ['{folder}-{stem}-{date}.mp4', 'old-Holiday-2026-01-05.mp4'],
    ['{stem}-from-{ext}.mp4', 'Holiday-from-AVI.mp4'],
    ['{stem}', 'Holiday.mp4'],
    ['{stem}.MP4', 'Holiday.MP4'],
    ['{stem}.mov', 'Holiday.mov.mp4'],
    ['  {stem}.mp4  ', 'Holiday.mp4'],
  ])('%j → %j', (template, expected) => {
    expect(outputName(template, vars)).toBe(expected);
  });

  it.each([
    [{ stem: 'a/b' }, 'a_b.mp4'],
    [{ stem: 'a\\b' }, 'a_b.mp4'],
    [{ stem: 'line\nbreak' }, 'line_break.mp4'],
    [{ stem: '' }, 'video.mp4'],
    [{ stem: '..' }, 'video.mp4'],
  ])('makes %j a safe single name', (over, expected) => {
    expect(outputName('{stem}', { ...vars, ...over })).toBe(expected);
  });
});

describe('resolveJob', () => {
  it('applies the defaults of an empty rule', () => {
    const job = resolveJob(rule(''), { path: '/in/clip.avi', sizeBytes: 1000 }, 'old', now);
    expect(job).toEqual({
      skill: 'video-converter-best',
      instructions: [DEFAULT_INSTRUCTION],
      engine: 'nemo',
      outputName: 'clip.mp4',
      quality: 'high',
      after: 'archive',
      language: 'en',
      local: {},
    });
  });

  it('renders instruction templates from the file and its probe', () => {
    const r = rule(
      'instructions:\n' +
        '  - "{name}: {size} ({sizeMB} MB), {duration} s, {width}x{height} {codec}"\n' +
        '  - "{stem} {ext} {date} {folder}"\n',
    );
    const job = resolveJob(
      r,
      { path: '/in/Trip 4K.MOV', sizeBytes: 300 * MB + 1, media: hevc4k },
      'phone',
      now,
    );
    expect(job.instructions).toEqual([
      'Trip 4K.MOV: 300 MB (300 MB), 83.5 s, 3840x2160 hevc',
      'Trip 4K MOV 2026-01-05 phone',
    ]);
  });

  it('says "unknown" for probe fields when ffprobe gave nothing', () => {
    const r = rule('instruction: "{duration} s, {width}x{height}, {codec}, {size}"\n');
    const job = resolveJob(r, { path: '/in/a.avi', sizeBytes: 1536 }, 'f', now);
    expect(job.instructions).toEqual(['unknown s, unknownxunknown, unknown, 1.5 KB']);
  });

  it('uses the config language when the rule names none, and the rule language over it', () => {
    const file = { path: '/in/a.avi', sizeBytes: 1 };
    expect(resolveJob(rule(''), file, 'f', now, { language: 'fr' }).language).toBe('fr');
    expect(resolveJob(rule('language: de\n'), file, 'f', now, { language: 'fr' }).language).toBe('de');
  });

  const conditional = rule(
    [
      'instruction: Convert {name}',
      'engine: nemo',
      'local: { height: 720, preset: slow }',
      'output: { name: "{stem}-{date}.mp4", quality: medium }',
      'after: delete',
      'when:',
      '  - codec: [h264, hevc]',
      '    maxHeight: 1080',
      '    engine: local',
      '    local: { crf: 20 }',
      '  - minHeight: 1440',
      '    instructions: ["Downscale {name} to 1080p", "Keep colours"]',
      '    quality: high',
      '    skill: video-converter-mov-to-mp4',
      '    language: ja',
      '  - match: "*.avi"',
      '    engine: local',
      '',
    ].join('\n'),
  );

  it.each<[string, MediaInfo | undefined, string, Partial<ReturnType<typeof resolveJob>>]>([
    [
      'small H.264 goes local, local options merged',
      { ...hevc4k, video: { codec: 'h264', width: 1280, height: 720 } },
      'a.mov',
      { engine: 'local', local: { height: 720, preset: 'slow', crf: 20 }, whenIndex: 0, quality: 'medium' },
    ],
    [
      '4K HEVC takes the second entry',
      hevc4k,
      'a.mov',
      {
        engine: 'nemo',
        instructions: ['Downscale a.mov to 1080p', 'Keep colours'],
        quality: 'high',
        skill: 'video-converter-mov-to-mp4',
        language: 'ja',
        whenIndex: 1,
      },
    ],
    [
      'first match wins even when a later entry also matches',
      { ...hevc4k, video: { codec: 'h264', width: 1280, height: 720 } },
      'a.avi',
      { engine: 'local', whenIndex: 0 },
    ],
    ['unprobed AVI still matches a name-only entry', undefined, 'a.avi', { engine: 'local', whenIndex: 2 }],
    [
      'nothing matches: the rule itself',
      { ...hevc4k, video: { codec: 'mpeg4', width: 640, height: 480 } },
      'a.mkv',
      { engine: 'nemo', instructions: ['Convert a.mkv'], skill: 'video-converter-best', quality: 'medium' },
    ],
  ])('%s', (_label, media, name, expected) => {
    const job = resolveJob(conditional, { path: `/in/${name}`, sizeBytes: 5 * MB, media }, 'f', now);
    expect(job).toMatchObject(expected);
    // Rule-level decisions no entry can change.
    expect(job.after).toBe('delete');
    expect(job.outputName).toBe(`a-2026-01-05.mp4`);
  });

  it('has no whenIndex when no entry applied', () => {
    const job = resolveJob(conditional, { path: '/in/a.mkv', sizeBytes: 1 }, 'f', now);
    expect(job).not.toHaveProperty('whenIndex');
  });

  it('does not share the local options object with the rule', () => {
    const r = rule('local: { height: 720 }\n');
    const job = resolveJob(r, { path: '/in/a.mkv', sizeBytes: 1 }, 'f', now);
    job.local.height = 1;
    expect(r.local.height).toBe(720);
  });
});
