import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { makeVideo, probe } from '../../helpers/media.js';

const BIN = resolve('dist/src/cli/bin.js');
const TOKEN = 'nmv_registered_CONVERT_test_token_1234';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let emu: Emulator;
let dir: string;
let config: string;

function convert(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, 'convert', ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          XDG_STATE_HOME: join(dir, 'state'),
          XDG_CONFIG_HOME: join(dir, 'config'),
          NEMO_API_BASE: emu.url,
          NEMO_TOKEN: TOKEN,
          ...env,
        },
        timeout: 90_000,
      },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const sha = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-convert-'));
  emu = await startEmulator({
    registeredTokens: [TOKEN],
    renderPolls: 1,
    instructionMs: 100,
    heartbeatMs: 20,
    seed: 3,
  });
  config = join(dir, 'config.yaml');
  await writeFile(config, 'api:\n  pollSeconds: 0.5\nfolders: []\n');
  await makeVideo(join(dir, 'old.avi'), {
    videoCodec: 'mpeg4',
    audioCodec: 'libmp3lame',
    width: 640,
    height: 480,
    durationSec: 2,
  });
});

afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('video-inbox convert (built CLI against the emulator)', () => {
  it('turns an old AVI into an H.264 MP4 beside it, prints only the path, and never leaks the token', async () => {
    const run = await convert([join(dir, 'old.avi'), '--config', config]);
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stdout).not.toContain(TOKEN);
    expect(run.code).toBe(0);
    const out = join(dir, 'old.mp4');
    expect(run.stdout.trim()).toBe(out);
    const info = await probe(out);
    expect(info.video?.codec).toBe('h264');
    expect(info.video!.height).toBeLessThanOrEqual(1080);
    expect(info.audio?.codec).toBe('aac');
    // Progress goes to stderr, as plain lines when not on a terminal.
    expect(run.stderr).toMatch(/old\.avi: rendering/);
    // Every request carried the attribution headers, the default skill among them.
    const calls = emu.requests.filter((r) => r.endpoint !== 'other' && r.endpoint !== 'download');
    expect(calls.length).toBeGreaterThan(4);
    for (const r of calls) expect(r.headers['x-skill-source']).toBe('video-converter-best');
  });

  it('never overwrites an existing output: the second run gets a numbered name', async () => {
    const first = join(dir, 'old.mp4');
    const before = await sha(first);
    const out = join(dir, 'second');
    await mkdir(out);
    await writeFile(join(out, 'old.mp4'), 'a file the user already had');
    const run = await convert([join(dir, 'old.avi'), '--out', out, '--config', config]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(join(out, 'old (1).mp4'));
    expect(await readFile(join(out, 'old.mp4'), 'utf8')).toBe('a file the user already had');
    expect(await sha(first)).toBe(before);
    // No temp file is left behind.
    expect((await readdir(out)).sort()).toEqual(['old (1).mp4', 'old.mp4']);
  });

  it('sends the given instruction and skill', async () => {
    const out = join(dir, 'promo');
    await mkdir(out);
    const run = await convert([
      join(dir, 'old.avi'),
      '--out',
      out,
      '--config',
      config,
      '--skill',
      'video-to-generator',
      '--instruction',
      'Turn this into a short promotional clip',
    ]);
    expect(run.code).toBe(0);
    const sse = emu.requests.filter((r) => r.endpoint === 'sse').at(-1)!;
    expect(JSON.stringify(sse.body)).toContain('Turn this into a short promotional clip');
    expect(sse.headers['x-skill-source']).toBe('video-to-generator');
  });

  it('converts offline with --engine local and makes no API request', async () => {
    const before = emu.requests.length;
    const out = join(dir, 'local');
    await mkdir(out);
    const run = await convert([join(dir, 'old.avi'), '--engine', 'local', '--out', out], {
      NEMO_API_BASE: 'http://127.0.0.1:9',
    });
    expect(run.code).toBe(0);
    expect((await probe(run.stdout.trim())).video?.codec).toBe('h264');
    expect(emu.requests.length).toBe(before);
  });

  it('--engine local without ffmpeg on PATH: says so once, with how to install it, exits 5, writes nothing', async () => {
    const out = join(dir, 'no-ffmpeg');
    const emptyBin = join(dir, 'empty-bin');
    await mkdir(emptyBin, { recursive: true });
    const inputs = [join(dir, 'old.avi'), join(dir, 'old.avi')];
    const run = await convert([...inputs, '--engine', 'local', '--out', out], { PATH: emptyBin });
    expect(run.code).toBe(5);
    expect(run.stderr.match(/ffmpeg was not found on PATH/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/apt install ffmpeg/);
    expect(run.stdout).toBe('');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it.each([
    ['ffmpeg', 'ffprobe'],
    ['ffprobe', 'ffmpeg'],
  ])(
    '--engine local with %s missing (only %s on PATH): names the missing one, exits 5',
    async (gone, there) => {
      const bin = join(dir, `only-${there}`);
      await mkdir(bin, { recursive: true });
      const real = execFileSync('sh', ['-c', `command -v ${there}`], { encoding: 'utf8' }).trim();
      await symlink(real, join(bin, there)).catch(() => undefined);
      const out = join(dir, `without-${gone}`);
      const run = await convert([join(dir, 'old.avi'), '--engine', 'local', '--out', out], { PATH: bin });
      expect(run.code).toBe(5);
      expect(run.stderr).toContain(`${gone} was not found on PATH`);
      expect(run.stderr).not.toContain(`${there} was not found`);
      expect(await readdir(out).catch(() => [])).toEqual([]);
    },
  );

  it('--out a missing folder: creates it and its parents, then converts (cloud and local)', async () => {
    const cloudOut = join(dir, 'new', 'nested', 'cloud');
    const cloud = await convert([join(dir, 'old.avi'), '--out', cloudOut, '--config', config]);
    expect(cloud.stderr).not.toMatch(/ENOENT|\.part/);
    expect(cloud.code).toBe(0);
    expect(cloud.stdout.trim()).toBe(join(cloudOut, 'old.mp4'));
    expect((await probe(join(cloudOut, 'old.mp4'))).video?.codec).toBe('h264');

    const localOut = join(dir, 'new', 'nested', 'local');
    const local = await convert([join(dir, 'old.avi'), '--engine', 'local', '--out', localOut]);
    expect(local.stderr).not.toMatch(/forceTranscode|ENOENT|\.part/);
    expect(local.code).toBe(0);
    expect(local.stdout.trim()).toBe(join(localOut, 'old.mp4'));
  });

  it('--out a folder that cannot be made: fails before any upload, naming the folder and what to do', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'a regular file where a folder would go');
    const out = join(blocker, 'videos');
    const uploadsBefore = emu.count('upload');
    const sessionsBefore = emu.count('session');
    const run = await convert([join(dir, 'old.avi'), '--out', out, '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`The output folder ${out} cannot be created`);
    expect(run.stderr).toMatch(/Nothing was uploaded or converted/);
    // Never an internal temp name.
    expect(run.stderr).not.toMatch(/\.part|partial|write-check|\.video-inbox-/);
    expect(emu.count('upload')).toBe(uploadsBefore);
    expect(emu.count('session')).toBe(sessionsBefore);

    const local = await convert([join(dir, 'old.avi'), '--engine', 'local', '--out', out]);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain(`The output folder ${out} cannot be created`);
    expect(local.stderr).not.toMatch(/forceTranscode|ffmpeg's last lines/);
  });

  it('explains an unsupported file and exits 1', async () => {
    const bad = join(dir, 'notes.txt');
    await writeFile(bad, 'not a video');
    const run = await convert([bad, '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/notes\.txt/);
    expect(run.stderr).toMatch(/mp4.*mov.*avi/i);
    expect(run.stdout).toBe('');
  });

  it('exits 3 with the registration link when the account is out of credits', async () => {
    emu.setCredits(0);
    try {
      const run = await convert([join(dir, 'old.avi'), '--out', join(dir, 'none'), '--config', config], {
        NEMO_TOKEN: '',
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/credits/i);
      expect(run.stderr).toMatch(/bind=/);
    } finally {
      emu.setCredits(100);
    }
  });
});
