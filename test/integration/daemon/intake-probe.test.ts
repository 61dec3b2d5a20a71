import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { examineFile, type ExamineDeps } from '../../../src/intake/examine.js';
import { nodeOutboxFs } from '../../../src/outbox/outbox-fs.js';
import { parseRule } from '../../../src/rules/load-rule.js';

/**
 * examineFile runs ffprobe beside the content hash rather than after it (the probe's process start is
 * most of intake's time), with the same guarantees: a link intake refuses is never probed, and a probe
 * nobody needs any more (the hash step ended intake) is stopped. A real ffprobe stand-in (a shell
 * script) records that it started and its pid; no timing is asserted, only order and outcome.
 */

let dir: string;
let inbox: string;
let started: string;
let ffprobe: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-intake-probe-'));
  inbox = join(dir, 'inbox');
  await mkdir(inbox);
  started = join(dir, 'probe-started');
  ffprobe = join(dir, 'fake-ffprobe');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in ffprobe: records its pid, then `then` (a shell command; it must print ffprobe's JSON). */
async function fakeFfprobe(then: string): Promise<void> {
  await writeFile(
    ffprobe,
    `#!/bin/sh\necho $$ > '${started}.tmp' && mv '${started}.tmp' '${started}'\n${then}\n`,
  );
  await chmod(ffprobe, 0o755);
}

const videoJson = JSON.stringify({
  format: { format_name: 'matroska,webm', duration: '1.0' },
  streams: [{ codec_type: 'video', codec_name: 'h264', width: 160, height: 120 }],
});

async function waitFor(what: () => boolean, ms = 30_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function examine(path: string, afterHash: () => Promise<string | undefined>) {
  const parsed = parseRule('match: ["*.mkv"]\nafter: keep\n', join(dir, 'rule.yaml'));
  if (!parsed.ok) throw new Error('rule did not parse');
  const folder = {
    name: 'f',
    inbox,
    outbox: join(dir, 'outbox'),
    rules: join(dir, 'rule.yaml'),
    poll: false,
  };
  const deps: ExamineDeps = { fs: nodeOutboxFs, language: 'en', ffprobe, clock: systemClock };
  const st = await stat(path);
  const file = { folder: 'f', path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  return examineFile<string>(file, folder, parsed.rule, deps, { afterHash });
}

describe('intake probes a file beside its content hash', () => {
  it('has the probe started before the hash step is done, and plans with what it found', async () => {
    await fakeFfprobe(`printf '%s' '${videoJson}'`);
    const path = join(inbox, 'clip.mkv');
    await writeFile(path, Buffer.alloc(64 * 1024, 7));
    // The hash step waits for the probe to have started: a probe started only after it never would.
    const result = await examine(path, async () =>
      (await waitFor(() => existsSync(started))) ? undefined : 'the probe had not started',
    );
    expect(result.kind, JSON.stringify(result)).toBe('planned');
    if (result.kind === 'planned') {
      expect(result.plan.sourceDurationSec).toBe(1);
      expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  }, 60_000);

  it('stops the probe when the hash step ends intake (content converted before)', async () => {
    await fakeFfprobe('exec sleep 60');
    const path = join(inbox, 'clip.mkv');
    await writeFile(path, Buffer.alloc(1024, 1));
    const result = await examine(path, async () => {
      await waitFor(() => existsSync(started));
      return 'duplicate';
    });
    expect(result).toEqual({ kind: 'stopped', result: 'duplicate' });
    const pid = Number(await readFile(started, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => !isRunning(pid)), `probe ${pid} still running`).toBe(true);
  }, 60_000);

  it('stops the probe when the hash step fails', async () => {
    await fakeFfprobe('exec sleep 60');
    const path = join(inbox, 'clip.mkv');
    await writeFile(path, Buffer.alloc(1024, 2));
    await expect(
      examine(path, async () => {
        await waitFor(() => existsSync(started));
        throw new Error('the record of jobs cannot be reached');
      }),
    ).rejects.toThrow(/cannot be reached/);
    const pid = Number(await readFile(started, 'utf8'));
    expect(await waitFor(() => !isRunning(pid)), `probe ${pid} still running`).toBe(true);
  }, 60_000);

  it('sets aside a file ffprobe cannot read, after the hash step let it through', async () => {
    await fakeFfprobe(`echo 'Invalid data found when processing input' >&2; exit 1`);
    const path = join(inbox, 'clip.mkv');
    await writeFile(path, Buffer.alloc(1024, 3));
    let hashStep = false;
    const result = await examine(path, async () => {
      hashStep = true;
      return undefined;
    });
    expect(hashStep).toBe(true);
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') {
      expect(result.error.message).toMatch(/Invalid data found/);
      expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  }, 60_000);

  it('neither probes nor hashes a link out of its inbox', async () => {
    await fakeFfprobe(`printf '%s' '${videoJson}'`);
    const outside = join(dir, 'elsewhere.mkv');
    await writeFile(outside, Buffer.alloc(1024, 4));
    const link = join(inbox, 'link.mkv');
    await symlink(outside, link);
    let hashStep = false;
    const result = await examine(link, async () => {
      hashStep = true;
      return undefined;
    });
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') expect(result.error.code).toBe('LINK_REFUSED');
    expect(hashStep).toBe(false);
    // Give a wrongly started probe every chance to show itself before saying it never ran.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(started)).toBe(false);
  }, 60_000);
});
