/**
 * Reproductions of defects of issue 9 in intake, the job runner, the outbox and the watcher. Each ran
 * as `it.fails` until its fix landed; now each holds the fixed behaviour, so the defect cannot come
 * back unnoticed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  listFiles,
  makeSandbox,
  startInProcess,
  waitFor,
  waitForJobs,
  cleanUpAfterEach,
} from '../daemon/harness.js';
import { drop, localSandbox, useClips } from './user-config.js';

const run = promisify(execFile);

const clips = useClips('vi-known-media-', 3);

cleanUpAfterEach();

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('known defects: files and names', () => {
  it('defect 2: a same-size, same-mtime replacement during a job is not archived as if it were converted', async () => {
    const sb = await makeSandbox({ emulator: { instructionMs: 3000 } });
    await startInProcess(sb);
    const source = await drop(clips[0]!, sb.inbox, 'swap.avi');
    const original = await sha256(source);
    await waitForJobs(sb, (j) => j.some((x) => x.state === 'instructing'), 60_000, 'instructing');
    // Content D: the same bytes with a few changed in the middle, the same size and (touch -r) mtime.
    const bytes = await readFile(source);
    for (let i = 0; i < 16; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xff;
    const other = join(sb.inbox, '.swap-d');
    await writeFile(other, bytes);
    await run('touch', ['-r', source, other]);
    await rename(other, source);
    const replacement = await sha256(source);
    expect(replacement).not.toBe(original);
    // C's job finishes; D is kept for a job of its own, which converts it and only then archives it.
    const jobs = await waitForJobs(
      sb,
      (j) => j.filter((x) => x.state === 'done').length === 2,
      120_000,
      'both contents converted',
    );
    const converted = new Set(jobs.filter((x) => x.state === 'done').map((x) => x.contentHash));
    expect(converted).toEqual(new Set([original, replacement]));
    const archived = await listFiles(join(sb.inbox, '_done'));
    expect(archived).toEqual(['swap.avi']);
    // _done/ holds only content that was converted: D, archived by its own job.
    expect(await sha256(join(sb.inbox, '_done', 'swap.avi'))).toBe(replacement);
    expect((await listFiles(sb.outbox)).length).toBe(2);
  }, 180_000);

  it('defect 5: a 250-byte name set aside gets its .error.txt', async () => {
    const sb = await localSandbox();
    const d = await startInProcess(sb);
    const name = `${'n'.repeat(246)}.avi`;
    await writeFile(join(sb.inbox, name), 'this is not a video\n'.repeat(50));
    const jobs = await waitForJobs(sb, (j) => j.some((x) => x.state === 'failed'), 60_000, 'failed');
    expect(jobs.filter((x) => x.state === 'failed').length).toBe(1);
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_failed'))).some((n) => n.endsWith('.error.txt')),
      30_000,
      'an .error.txt in _failed/',
    );
    // Set aside once, not retried, and the log never says it stayed in the inbox.
    expect(d.logs.entries().some((e) => /stays in the inbox/.test(String(e.msg)))).toBe(false);
    expect(d.logs.entries().some((e) => e.msg === 'Job failed for now; it will be retried')).toBe(false);
  });

  // A name with a known video extension that no rule matches is set aside at once, saying which
  // pattern to add (issue 10: no video sits silently). A name the daemon cannot tell is a video
  // (here `.vid`) is left alone in the inbox: a rule change that now matches it must take it.
  it('defect 6: a rule change that now matches a file already in the inbox takes it without a restart', async () => {
    const sb = await localSandbox();
    await sb.writeRule('engine: local\nmatch: ["*.avi"]\n');
    const d = await startInProcess(sb);
    await drop(clips[1]!, sb.inbox, 'late.vid');
    await new Promise((r) => setTimeout(r, 2500)); // seen and left alone: no rule matched
    expect(await listFiles(sb.outbox)).toEqual([]);
    await sb.writeRule('engine: local\nmatch: ["*.avi", "*.vid"]\n');
    // The reload happens (the rule version does not change: `match` does not alter an output).
    await waitFor(
      () => d.logs.entries().some((e) => e.msg === 'Settings changed; reloading'),
      30_000,
      'the reload',
    );
    await waitFor(async () => (await listFiles(sb.outbox)).length > 0, 60_000, 'late.vid converted');
    // Only `match` changed, and that is still said.
    const loaded = d.logs.entries().filter((e) => e.msg === 'Rule file loaded');
    expect(loaded.length).toBe(2);
  });

  it('defect 12: a symlink in an inbox to a file outside it is set aside, not followed', async () => {
    const sb = await localSandbox();
    await startInProcess(sb);
    await symlink(clips[2]!, join(sb.inbox, 'elsewhere.avi'));
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_failed'))).includes('elsewhere.avi.error.txt'),
      20_000,
      'the link set aside with its reason',
    );
    // The link itself moved, the file it points to untouched, nothing converted.
    expect((await lstat(join(sb.inbox, '_failed', 'elsewhere.avi'))).isSymbolicLink()).toBe(true);
    expect(existsSync(clips[2]!)).toBe(true);
    expect(await listFiles(sb.outbox)).toEqual([]);
  });
});
