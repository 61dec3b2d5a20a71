import { Command } from 'commander';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerInit, type InitCommandDeps } from '../../../src/cli/init.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { validateAll } from '../../../src/config/validate-all.js';
import { findPackageRoot } from '../../../src/init/package-root.js';
import type { MediaInfo } from '../../../src/domain/media.js';
import { loadRuleFile } from '../../../src/rules/load-rule.js';
import { matchesRule } from '../../../src/rules/match.js';
import { resolveJob } from '../../../src/rules/resolve-job.js';
import { LOCAL_ONLY_VIDEO_EXTENSIONS, VIDEO_EXTENSIONS } from '../../../src/rules/video-extensions.js';

const RULES = ['old-formats-to-mp4.yaml', 'mov-to-mp4.yaml', 'promo-clip.yaml'];
const realRoot = findPackageRoot() as string;

let home: string;
let out: string[];
let exitCode: number | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'vi-init-'));
  out = [];
  exitCode = undefined;
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function init(args: string[], over: Partial<InitCommandDeps> = {}) {
  out = [];
  const program = new Command('video-inbox').exitOverride();
  registerInit(program, () => ({
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    home,
    packageRoot: realRoot,
    out: (line) => out.push(line),
    err: (line) => out.push(`ERR ${line}`),
    setExitCode: (code) => {
      exitCode = code;
    },
    ...over,
  }));
  await program.parseAsync(['init', ...args], { from: 'user' });
}

const configDir = () => join(home, '.config', 'video-inbox');

describe('video-inbox init (temporary HOME)', () => {
  it('writes a config and three rules that validate, creates the folders, prints next steps', async () => {
    await init([]);
    expect(exitCode).toBe(EXIT.OK);
    expect((await readdir(join(configDir(), 'rules'))).sort()).toEqual([...RULES].sort());
    for (const name of ['old-formats-to-mp4', 'mov-to-mp4', 'promo-clip']) {
      for (const box of ['inbox', 'outbox']) {
        expect((await stat(join(home, 'Videos', 'video-inbox', name, box))).isDirectory()).toBe(true);
      }
    }
    const issues = await validateAll(join(configDir(), 'config.yaml'), {}, { home });
    expect(issues).toEqual([]);
    const text = out.join('\n');
    expect(text).toContain(`created  ${join(configDir(), 'config.yaml')}`);
    expect(text).toContain('Next steps:');
    expect(text).toContain(
      `Drop a video into ${join(home, 'Videos', 'video-inbox', 'old-formats-to-mp4', 'inbox')}`,
    );
    expect(text).toContain('video-inbox service install');
  });

  it('the old-formats inbox it sets up takes every video container ffmpeg reads, the cloud-refused ones offline', async () => {
    await init([]);
    const rule = await loadRuleFile(join(configDir(), 'rules', 'old-formats-to-mp4.yaml'));
    const video = (codec: string, width: number, height: number): MediaInfo => ({
      formatName: 'x',
      sizeBytes: 1000,
      durationSec: 10,
      video: { codec, width, height, pixFmt: 'yuv420p' },
      audio: { codec: 'aac' },
    });
    const now = new Date();
    for (const ext of VIDEO_EXTENSIONS) {
      expect(matchesRule(rule, `CLIP.${ext.toUpperCase()}`), ext).toBe(true);
    }
    for (const ext of LOCAL_ONLY_VIDEO_EXTENSIONS) {
      const job = resolveJob(
        rule,
        { path: `/in/clip.${ext}`, sizeBytes: 1000, media: video('mpeg2video', 720, 576) },
        'old',
        now,
      );
      expect(job.engine, ext).toBe('local');
    }
    // An MP4 outside the contract (HEVC 4K) goes to the product; an H.264 1080p one is remuxed offline.
    const hevc = resolveJob(
      rule,
      { path: '/in/a.mp4', sizeBytes: 1000, media: video('hevc', 3840, 2160) },
      'old',
      now,
    );
    expect(hevc.engine).toBe('nemo');
    const h264 = resolveJob(
      rule,
      { path: '/in/b.mp4', sizeBytes: 1000, media: video('h264', 1920, 1080) },
      'old',
      now,
    );
    expect(h264.engine).toBe('local');
  });

  it('points every file at the package’s JSON Schema by absolute path', async () => {
    await init([]);
    const config = await readFile(join(configDir(), 'config.yaml'), 'utf8');
    const configSchema = join(realRoot, 'docs', 'schema', 'config.schema.json');
    expect(config.split('\n')[0]).toBe(`# yaml-language-server: $schema=${configSchema}`);
    await stat(configSchema);
    const ruleSchema = join(realRoot, 'docs', 'schema', 'rule.schema.json');
    await stat(ruleSchema);
    for (const rule of RULES) {
      const copy = await readFile(join(configDir(), 'rules', rule), 'utf8');
      const original = await readFile(join(realRoot, 'rules', rule), 'utf8');
      expect(copy.split('\n')[0]).toBe(`# yaml-language-server: $schema=${ruleSchema}`);
      // Only the header differs from the package's example.
      expect(copy.split('\n').slice(1)).toEqual(
        original.split('\n').slice(original.startsWith('# yaml-language-server') ? 1 : 0),
      );
    }
  });

  it('run twice, never clobbers an edited file: reports "kept", and restores only what is missing', async () => {
    await init([]);
    const configPath = join(configDir(), 'config.yaml');
    const edited = (await readFile(configPath, 'utf8')).replace('concurrency: 3', 'concurrency: 1');
    await writeFile(configPath, edited);
    const rulePath = join(configDir(), 'rules', 'mov-to-mp4.yaml');
    await writeFile(rulePath, 'skill: video-converter-mov-to-mp4\n# mine\n');
    await rm(join(configDir(), 'rules', 'promo-clip.yaml'));
    await init([]);
    expect(exitCode).toBe(EXIT.OK);
    expect(await readFile(configPath, 'utf8')).toBe(edited);
    expect(await readFile(rulePath, 'utf8')).toBe('skill: video-converter-mov-to-mp4\n# mine\n');
    const text = out.join('\n');
    expect(text).toContain(`kept     ${configPath}`);
    expect(text).toContain(`kept     ${rulePath}`);
    expect(text).toContain(`created  ${join(configDir(), 'rules', 'promo-clip.yaml')}`);
    expect(text).toContain('3 file(s) already existed and were kept as they are.');
  });

  it('init DIR puts config, rules and folders under DIR with paths relative to the config', async () => {
    const dir = join(home, 'my inbox');
    await init([dir]);
    expect(exitCode).toBe(EXIT.OK);
    const config = await readFile(join(dir, 'config.yaml'), 'utf8');
    expect(config).toContain('    inbox: mov-to-mp4/inbox\n');
    await stat(join(dir, 'mov-to-mp4', 'outbox'));
    expect(await validateAll(join(dir, 'config.yaml'), {}, { home })).toEqual([]);
    expect(out.join('\n')).toContain(`video-inbox start --config '${join(dir, 'config.yaml')}'`);
  });

  it('init DIR gives the setup its own state dir, so a demo never mixes with a real setup', async () => {
    const dir = join(home, 'demo');
    await init([dir]);
    const config = await loadConfig(join(dir, 'config.yaml'), {}, { home });
    expect(config.stateDir).toBe(join(dir, 'state'));
    // The default setup keeps the standard state dir.
    await init([]);
    expect(await readFile(join(configDir(), 'config.yaml'), 'utf8')).not.toContain('stateDir');
  });

  it('with a package lacking its rules, says so and writes nothing', async () => {
    const fakeRoot = join(home, 'pkg');
    await mkdir(join(fakeRoot, 'rules'), { recursive: true });
    await writeFile(join(fakeRoot, 'rules', 'mov-to-mp4.yaml'), 'skill: video-converter-mov-to-mp4\n');
    await init([], { packageRoot: fakeRoot });
    expect(exitCode).toBe(EXIT.FAILED);
    expect(out.join('\n')).toMatch(/ERR The example rule .*old-formats-to-mp4\.yaml is missing/);
    await expect(stat(configDir())).rejects.toThrow(/ENOENT/);
  });

  it('uses temporary example rules from any package folder (the rules are read, not assumed)', async () => {
    const fakeRoot = join(home, 'pkg');
    await mkdir(join(fakeRoot, 'rules'), { recursive: true });
    for (const rule of RULES)
      await writeFile(join(fakeRoot, 'rules', rule), `# ${rule}\nskill: video-converter-best\n`);
    await init([], { packageRoot: fakeRoot });
    expect(exitCode).toBe(EXIT.OK);
    expect(await readFile(join(configDir(), 'rules', 'promo-clip.yaml'), 'utf8')).toBe(
      `# yaml-language-server: $schema=${join(fakeRoot, 'docs', 'schema', 'rule.schema.json')}\n# promo-clip.yaml\nskill: video-converter-best\n`,
    );
  });
});
