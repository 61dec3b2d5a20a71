import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { validateAll } from '../../../src/config/validate-all.js';
import { ConfigError, formatConfigIssue } from '../../../src/core/errors.js';
import type { MediaInfo } from '../../../src/domain/media.js';
import { loadRuleFile } from '../../../src/rules/load-rule.js';
import { matchesRule } from '../../../src/rules/match.js';
import { resolveJob } from '../../../src/rules/resolve-job.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/config');
const fx = (name: string) => join(fixtures, name);

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('fixtures: exact file:line:column', () => {
  it.each([
    [
      'bad-yaml.yaml',
      [
        'bad-yaml.yaml:5:5: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    [
      'unknown-key.yaml',
      [
        'unknown-key.yaml:3:1: concurency: Unknown key "concurency" (did you mean "concurrency"?)',
        'unknown-key.yaml:9:5: folders[0].pol: Unknown key "pol" (did you mean "poll"?)',
      ],
    ],
    [
      'wrong-type.yaml',
      [
        'wrong-type.yaml:1:14: concurrency: Invalid input: expected number, received string',
        'wrong-type.yaml:8:16: settleSeconds: Too small: expected number to be >0',
      ],
    ],
  ])('config %s', async (name, expected) => {
    const err = await configError(loadConfig(fx(name), {}));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.hint).toMatch(/validate/);
    expect(err.issues.map((i) => formatConfigIssue(i).replace(`${fixtures}/`, ''))).toEqual(expected);
    expect(err.message).toBe(err.issues.map(formatConfigIssue).join('\n'));
  });

  it.each([
    ['bad-yaml-rule.yaml', ['bad-yaml-rule.yaml:4:1: YAML syntax: Missing closing "quote']],
    [
      'unknown-key-rule.yaml',
      ['unknown-key-rule.yaml:5:3: output.qualty: Unknown key "qualty" (did you mean "quality"?)'],
    ],
    [
      'wrong-type-rule.yaml',
      [
        'wrong-type-rule.yaml:3:8: after: Invalid option: expected one of "archive"|"delete"|"keep"',
        'wrong-type-rule.yaml:5:16: when[0].maxHeight: Invalid input: expected number, received string',
      ],
    ],
    [
      'unknown-variable-rule.yaml',
      [
        expect.stringMatching(
          /^unknown-variable-rule\.yaml:1:14: instruction: Unknown template variable \{nmae\};/,
        ),
        expect.stringMatching(
          /^unknown-variable-rule\.yaml:3:9: output\.name: Unknown template variable \{size\};/,
        ),
      ],
    ],
  ])('rule %s', async (name, expected) => {
    const err = await configError(loadRuleFile(fx(`rules/${name}`)));
    expect(err.issues.map((i) => formatConfigIssue(i).replace(`${fixtures}/rules/`, ''))).toEqual(expected);
  });

  it('loads the valid config with paths resolved against its own folder', async () => {
    const config = await loadConfig(fx('valid.yaml'), { HOME: '/home/x' }, { home: '/home/x', cores: 2 });
    expect(config.file).toBe(fx('valid.yaml'));
    expect(config.api.language).toBe('de');
    expect(config.limits).toEqual({ uploads: 1, sse: 2, polls: 4, local: 1 });
    expect(config.folders.map((f) => [f.inbox, f.outbox, f.rules, f.poll])).toEqual([
      [fx('inbox/old'), join(root, 'test/fixtures/outbox'), fx('rules/valid-rule.yaml'), false],
      ['/home/x/share/inbox', '/home/x/share/outbox', fx('rules/valid-rule.yaml'), true],
    ]);
  });

  it('loads the valid rule and resolves a job with it', async () => {
    const rule = await loadRuleFile(fx('rules/valid-rule.yaml'));
    const job = resolveJob(rule, { path: '/in/Clip.AVI', sizeBytes: 2048 }, 'old', new Date(2026, 5, 1));
    expect(job).toMatchObject({
      engine: 'nemo',
      outputName: 'old-Clip.mp4',
      quality: 'medium',
      after: 'keep',
      instructions: [
        'Convert Clip.AVI (unknown s, unknownxunknown) to MP4 at 1080p',
        'Keep the original audio',
      ],
    });
  });
});

describe('validateAll', () => {
  it('reports the config and every rule file it names, even the missing one', async () => {
    const issues = await validateAll(fx('with-broken-rules.yaml'), {});
    expect(issues.map((i) => formatConfigIssue(i).replace(`${fixtures}/`, ''))).toEqual([
      'rules/wrong-type-rule.yaml:3:8: after: Invalid option: expected one of "archive"|"delete"|"keep"',
      'rules/wrong-type-rule.yaml:5:16: when[0].maxHeight: Invalid input: expected number, received string',
      'rules/no-such-rule.yaml: File not found',
    ]);
  });

  it('still checks the rule files of a config that has its own issues', async () => {
    const issues = await validateAll(fx('unknown-key.yaml'), {});
    expect(issues.map((i) => i.path)).toEqual(['concurency', 'folders[0].pol']);
    const broken = await validateAll(fx('wrong-type.yaml'), {});
    expect(broken).toHaveLength(2);
  });

  it('reports an unreadable config as one issue', async () => {
    expect(await validateAll(fx('nope.yaml'), {})).toEqual([
      { file: fx('nope.yaml'), message: 'File not found' },
    ]);
  });

  it('accepts config.example.yaml and every rule in rules/', async () => {
    expect(await validateAll(join(root, 'config.example.yaml'), {})).toEqual([]);
    const config = await loadConfig(join(root, 'config.example.yaml'), {});
    const ruleFiles = (await readdir(join(root, 'rules'))).filter((f) => /\.ya?ml$/.test(f));
    expect(ruleFiles).toEqual(
      expect.arrayContaining(['mov-to-mp4.yaml', 'old-formats-to-mp4.yaml', 'promo-clip.yaml']),
    );
    for (const f of config.folders) expect(ruleFiles.map((r) => join(root, 'rules', r))).toContain(f.rules);
    for (const f of ruleFiles) await expect(loadRuleFile(join(root, 'rules', f))).resolves.toBeDefined();
  });

  it.each(['mov-to-mp4.yaml', 'old-formats-to-mp4.yaml', 'promo-clip.yaml'])(
    'example rule %s starts with the schema header',
    async (name) => {
      const text = await readFile(join(root, 'rules', name), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/schema/rule.schema.json');
    },
  );

  it.each([
    ['old-formats-to-mp4.yaml', 'video-converter-best', 'Old.AVI', true],
    ['mov-to-mp4.yaml', 'video-converter-mov-to-mp4', 'IMG_0001.MOV', true],
    ['mov-to-mp4.yaml', 'video-converter-mov-to-mp4', 'clip.avi', false],
    ['promo-clip.yaml', 'video-to-generator', 'demo.mp4', true],
  ])('example rule %s uses %s and takes %s: %s', async (name, skill, file, takes) => {
    const rule = await loadRuleFile(join(root, 'rules', name));
    expect(rule.skill).toBe(skill);
    expect(matchesRule(rule, file)).toBe(takes);
  });
});

describe('the starter rules send what the local engine can remux offline to it, portrait included', () => {
  const media = (codec: string, width: number, height: number, rotation?: number): MediaInfo => ({
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSec: 10,
    sizeBytes: 20 * 1024 * 1024,
    video: { codec, width, height, ...(rotation === undefined ? {} : { rotation }) },
    audio: { codec: 'aac', channels: 2 },
  });
  const engineFor = async (rule: string, name: string, m: MediaInfo) =>
    resolveJob(
      await loadRuleFile(join(root, 'rules', rule)),
      { path: `/in/${name}`, sizeBytes: m.sizeBytes, media: m },
      'f',
      new Date(),
    ).engine;

  it.each([
    ['mov-to-mp4.yaml', 'landscape 1080p H.264', 'local', media('h264', 1920, 1080)],
    [
      'mov-to-mp4.yaml',
      'portrait 1080x1920 H.264 (a phone held upright)',
      'local',
      media('h264', 1080, 1920),
    ],
    [
      'mov-to-mp4.yaml',
      'stored 1280x720, shown upright (rotation 90)',
      'local',
      media('h264', 1280, 720, -90),
    ],
    ['mov-to-mp4.yaml', 'portrait HEVC', 'local', media('hevc', 1080, 1920)],
    ['mov-to-mp4.yaml', 'portrait 4K H.264', 'nemo', media('h264', 2160, 3840)],
    ['mov-to-mp4.yaml', 'landscape 4K HEVC', 'nemo', media('hevc', 3840, 2160)],
    ['mov-to-mp4.yaml', 'ProRes 1080p', 'nemo', media('prores', 1920, 1080)],
    ['old-formats-to-mp4.yaml', 'portrait 1080x1920 H.264', 'local', media('h264', 1080, 1920)],
    ['old-formats-to-mp4.yaml', 'landscape 1080p H.264', 'local', media('h264', 1920, 1080)],
    ['old-formats-to-mp4.yaml', 'portrait 4K H.264', 'nemo', media('h264', 2160, 3840)],
  ])('%s: %s → %s', async (rule, _what, engine, m) => {
    expect(await engineFor(rule, rule === 'mov-to-mp4.yaml' ? 'IMG_0001.MOV' : 'clip.mp4', m)).toBe(engine);
  });

  it('a picture stored 1280x720 but shown upright is taken by the portrait entry (rotation counts)', async () => {
    const m = media('h264', 1280, 720, -90);
    const rule = await loadRuleFile(join(root, 'rules', 'mov-to-mp4.yaml'));
    expect(
      resolveJob(rule, { path: '/in/IMG_0002.MOV', sizeBytes: m.sizeBytes, media: m }, 'f', new Date())
        .whenIndex,
    ).toBe(1);
  });
});

describe('loadConfig on real files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vi-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells a person how to create a missing config', async () => {
    const err = await configError(loadConfig(join(dir, 'config.yaml'), {}));
    expect(err.issues).toEqual([{ file: join(dir, 'config.yaml'), message: 'File not found' }]);
    expect(err.hint).toMatch(/video-inbox init/);
  });

  it('reads a file with only comments as all defaults', async () => {
    await writeFile(join(dir, 'empty.yaml'), '# nothing yet\n');
    const config = await loadConfig(
      join(dir, 'empty.yaml'),
      { XDG_STATE_HOME: '/var/state' },
      { platform: 'linux' },
    );
    expect(config.stateDir).toBe('/var/state/video-inbox');
    expect(config.folders).toEqual([]);
  });
});
