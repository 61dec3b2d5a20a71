import { execFileSync } from 'node:child_process';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import { cleanUpAfterAll, makeSandbox, runCli, runDaemonUntil, type Sandbox } from '../daemon/harness.js';

let sb: Sandbox;

beforeAll(async () => {
  sb = await makeSandbox({
    rule: {
      instruction: 'Convert {name} ({width}x{height}) to MP4 at 1080p',
      after: 'keep',
      match: ['*.avi', '*.mov'],
      extra: 'when:\n  - codec: h264\n    audioCodec: [aac, none]\n    engine: local',
    },
  });
});

cleanUpAfterAll();

describe('video-inbox explain', () => {
  it('shows the folder, the probe, the engine chosen by `when`, the output and the source action', async () => {
    const file = await makeVideo(join(sb.inbox, 'phone.mov'));
    const run = await runCli(sb, ['explain', file, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Folder: main');
    expect(run.stdout).toMatch(/Probe: .*h264 320x240, aac/);
    expect(run.stdout).toContain('Engine: local (from when[0])');
    expect(run.stdout).toContain(`Output: ${sb.outbox}/phone.mp4`);
    expect(run.stdout).toContain('Afterwards the source is: kept');
    expect(run.stdout).toContain('Done before: no');
  });

  it('renders the instruction a cloud file would get, with its probe values', async () => {
    const file = await makeVideo(join(sb.inbox, 'old.avi'), {
      videoCodec: 'mpeg4',
      audioCodec: 'libmp3lame',
    });
    const run = await runCli(sb, ['explain', file, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Engine: nemo');
    expect(run.stdout).toContain('1. Convert old.avi (320x240) to MP4 at 1080p');
  });

  it('says when no rule matches, and names the folders for a file outside every inbox', async () => {
    const inside = join(sb.inbox, 'notes.webm');
    await makeVideo(inside, { videoCodec: 'libvpx', audioCodec: null, extra: ['-deadline', 'realtime'] });
    const noMatch = await runCli(sb, ['explain', inside, '--config', sb.configPath]);
    expect(noMatch.stdout).toMatch(
      /No match: No rule in folder "main" matches \*\.webm.*add '\*\.webm' to `match`/,
    );
    expect(noMatch.stdout).toMatch(/sets such a video aside in _failed\//);
    const text = join(sb.inbox, 'notes.txt');
    await writeFile(text, 'my notes\n');
    const notVideo = await runCli(sb, ['explain', text, '--config', sb.configPath]);
    expect(notVideo.stdout).toMatch(/Ignored: notes\.txt is not a video by its name.*leaves it in the inbox/);
    const outside = join(sb.dir, 'elsewhere.avi');
    await copyFile(join(sb.inbox, 'old.avi'), outside);
    const notInInbox = await runCli(sb, ['explain', outside, '--config', sb.configPath]);
    expect(notInInbox.stdout).toContain('is not inside any inbox');
    expect(notInInbox.stdout).toContain('main');
  });

  it('knows a file was done before, once the daemon converted it', async () => {
    await runDaemonUntil(sb, (jobs) => jobs.filter((j) => j.state === 'done').length >= 2);
    const run = await runCli(sb, ['explain', join(sb.inbox, 'phone.mov'), '--config', sb.configPath]);
    expect(run.stdout).toMatch(/Done before: yes, .* → .*phone\.mp4/);
    expect(run.stdout).toContain('video-inbox retry');
  });

  it('says why a file in _failed/ was set aside and prints a retry that runs as printed', async () => {
    // The daemon above set notes.webm aside: no rule of the folder matches *.webm.
    const failed = join(sb.inbox, '_failed', 'notes.webm');
    const run = await runCli(sb, ['explain', failed, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Set aside: .*No rule in folder "main" matches \*\.webm/);
    expect(run.stdout).not.toContain('leaves it in the inbox');
    const retry = /`(video-inbox retry [^`]+)`/.exec(run.stdout)?.[1];
    expect(retry).toBe(`video-inbox retry ${failed} --config ${sb.configPath}`);
    const again = await runCli(sb, retry!.split(' ').slice(1));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('The daemon picks it up within its settle window');
    expect(await readdir(sb.inbox)).toContain('notes.webm');
  });

  it('a file ffprobe cannot read is set aside by the daemon, and explain says so instead of a plan', async () => {
    const garbage = join(sb.inbox, 'broken.avi');
    await writeFile(garbage, Buffer.alloc(64 * 1024, 7));
    const run = await runCli(sb, ['explain', garbage, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Probe: ffprobe cannot read it/);
    expect(run.stdout).toMatch(
      /Set aside: the daemon moves it to _failed\/: broken\.avi is not a video that can be read/,
    );
    expect(run.stdout).not.toContain('Engine:');
    expect(run.stdout).not.toContain('Instructions');
  });

  it('an empty file is set aside as empty, before any probe, as the daemon does', async () => {
    const empty = join(sb.inbox, 'empty.avi');
    await writeFile(empty, '');
    const run = await runCli(sb, ['explain', empty, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Set aside: the daemon moves it to _failed/: the file is empty (0 bytes)');
    expect(run.stdout).not.toContain('Probe:');
  });

  it('shows a turned picture as a player shows it, the size `when` compares', async () => {
    const stored = await makeVideo(join(sb.dir, 'stored.mov'));
    const turned = join(sb.inbox, 'upright.mov');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      stored,
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      turned,
    ]);
    const run = await runCli(sb, ['explain', turned, '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Probe: .*h264 320x240 \(rotated -?90°: shown 240x320\), aac/);
  });
});

describe('video-inbox credits', () => {
  it('prints the balance of the anonymous account, as text and JSON', async () => {
    const text = await runCli(sb, ['credits', '--config', sb.configPath]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Available: \d+ {2}Frozen: \d+ {2}Total: \d+/);
    expect(text.stdout).toContain('anonymous account');
    const json = await runCli(sb, ['credits', '--json', '--config', sb.configPath]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      available: expect.any(Number),
      total: expect.any(Number),
    });
  });
});
