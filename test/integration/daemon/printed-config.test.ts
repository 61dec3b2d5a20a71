import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { shellWord } from '../../../src/core/cli-command.js';
import { readEndpoint } from '../../../src/http/endpoint-file.js';
import { makeVideo } from '../../helpers/media.js';
import {
  bin,
  cleanUpAfterEach,
  distIsFresh,
  listFiles,
  makeSandbox,
  parseLine,
  type Sandbox,
  sigterm,
  spawnDaemon,
  waitFor,
} from './harness.js';

/**
 * Issue 10, point 4: "Every hint that names a command carries the `--config` it needs". A daemon
 * started with its own config writes commands (the `.error.txt` retry, the log's hints) that, run as
 * printed by a person whose shell knows nothing of that config, work.
 */
cleanUpAfterEach();

/** Runs a printed command line in a shell, with `video-inbox` on PATH as an installed one would be. */
async function runAsPrinted(s: Sandbox, line: string): Promise<{ code: number; out: string }> {
  const shims = join(s.dir, 'bin');
  await mkdir(shims, { recursive: true });
  const shim = join(shims, 'video-inbox');
  await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`);
  await chmod(shim, 0o755);
  return new Promise((resolve) =>
    execFile(
      '/bin/sh',
      ['-c', line],
      { env: { ...s.env, PATH: `${shims}:${s.env.PATH}` }, cwd: s.dir },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

it.skipIf(!distIsFresh())(
  'the commands a daemon with its own config writes carry --config, and run as printed',
  async () => {
    const sb = await makeSandbox();
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    await writeFile(join(sb.inbox, 'empty.avi'), '');
    const failed = join(sb.inbox, '_failed');
    await waitFor(
      async () => (await listFiles(failed)).includes('empty.avi.error.txt'),
      60_000,
      'the report',
    );
    const report = await readFile(join(failed, 'empty.avi.error.txt'), 'utf8');
    const lines = report.split('\n');
    const retry = lines[lines.indexOf('To try again once the cause is fixed:') + 1]!.trim();
    expect(retry).toBe(`video-inbox retry ${join(failed, 'empty.avi')} --config ${sb.configPath}`);

    // Every command the log names (the page's sign-in hint among them) carries the config too.
    const logged = daemon.lines
      .map((l) => parseLine(l))
      .flatMap((e) => (e ? Object.values(e).filter((v): v is string => typeof v === 'string') : []))
      .flatMap((text) => [...text.matchAll(/`(video-inbox [^`]+)`/g)].map((m) => m[1]!));
    expect(logged).toContain(`video-inbox open --config ${sb.configPath}`);
    for (const command of logged) expect(command).toContain(`--config ${sb.configPath}`);

    // The page's answer to a used sign-in link names it too.
    const endpoint = await readEndpoint(sb.stateDir);
    const page = await fetch(`${endpoint!.url}/open?t=used-or-expired`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain(`\`video-inbox open --config ${sb.configPath}\``);

    // The signed-out page tells a browser the same command, with the config it needs.
    const home = await fetch(`${endpoint!.url}/`);
    expect(home.status).toBe(200);
    const signin = /<section id="signin"[\s\S]*?<\/section>/.exec(await home.text())?.[0] ?? '';
    expect(signin).toContain(`<code id="open-command">video-inbox open --config ${sb.configPath}</code>`);

    await sigterm(daemon);
    const run = await runAsPrinted(sb, retry);
    expect(run.out).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(await listFiles(sb.inbox)).toContain('empty.avi');
  },
  120_000,
);

it.skipIf(!distIsFresh())(
  'content converted before is archived with a retry hint that names the file and runs as printed',
  async () => {
    const sb = await makeSandbox({ rule: { after: 'archive' } });
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    const clip = await makeVideo(join(sb.dir, 'clip.mov'), { durationSec: 1 });
    await copyFile(clip, join(sb.inbox, 'clip.mov'));
    await waitFor(async () => (await listFiles(sb.outbox)).includes('clip.mp4'), 60_000, 'the first output');
    // The same content again, under another name: archived, not converted or paid for twice.
    await copyFile(clip, join(sb.inbox, 'again.mov'));
    const entry = await daemon.waitForLog('Already converted earlier');
    const hint = /`(video-inbox retry [^`]+)`/.exec(String(entry.msg))?.[1];
    const archived = join(sb.inbox, '_done', 'again.mov');
    expect(hint).toBe(`video-inbox retry ${archived} --config ${sb.configPath}`);

    await sigterm(daemon);
    const run = await runAsPrinted(sb, hint!);
    expect(run.out).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(await listFiles(sb.inbox)).toContain('again.mov');
  },
  120_000,
);

it.skipIf(!distIsFresh())(
  'the retry hint of a file whose name holds a backtick and " -c " still names the config and runs as printed',
  async () => {
    const sb = await makeSandbox({ rule: { after: 'archive' } });
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    const clip = await makeVideo(join(sb.dir, 'clip.mov'), { durationSec: 1 });
    await copyFile(clip, join(sb.inbox, 'clip.mov'));
    await waitFor(async () => (await listFiles(sb.outbox)).includes('clip.mp4'), 60_000, 'the first output');
    // The same content under a name a shell would misread unquoted: a backtick, and a word "-c".
    const name = 'take `2` -c b.mov';
    await copyFile(clip, join(sb.inbox, name));
    const msg = String((await daemon.waitForLog('Already converted earlier')).msg);
    const hint = msg.slice(msg.indexOf('(use `') + '(use `'.length, msg.lastIndexOf('` to force)'));
    const archived = join(sb.inbox, '_done', name);
    expect(hint).toBe(`video-inbox retry ${shellWord(archived)} --config ${sb.configPath}`);

    await sigterm(daemon);
    const run = await runAsPrinted(sb, hint);
    expect(run.out).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(await listFiles(sb.inbox)).toContain(name);
  },
  120_000,
);
