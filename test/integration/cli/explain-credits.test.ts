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
