import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  distIsFresh,
  killChildren,
  listFiles,
  makeSandbox,
  sigterm,
  spawnDaemon,
  waitFor,
  type Sandbox,
} from './harness.js';

/**
 * The "could not be converted" notification joins the reason and its advice as a person reads them:
 * a reason that ends in a period is not followed by a second one ("…mov-to-mp4.yaml.. Add").
 */
let sb: Sandbox | undefined;

afterEach(async () => {
  await killChildren();
  await sb?.close();
  sb = undefined;
});

it.skipIf(!distIsFresh())(
  'the failed notice reads as sentences, without a doubled period',
  async () => {
    sb = await makeSandbox({ config: { extra: ['notify: desktop'] }, rule: { match: ['*.avi'] } });
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    await writeFile(join(sb.inbox, 'home.wmv'), 'not really a wmv');
    const entry = await daemon.waitForLog('Notification', 60_000);
    const notice = String(entry.notice);
    expect(notice).toContain("add '*.wmv' to `match`");
    expect(notice).not.toContain('..');
    await sigterm(daemon);
  },
  120_000,
);

it.skipIf(!distIsFresh())(
  "an unreadable video's note names no short list of containers (the daemon takes many more)",
  async () => {
    sb = await makeSandbox({ rule: { match: ['*.avi'] } });
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    await writeFile(join(sb.inbox, 'broken.avi'), noise('broken.avi', 64 * 1024));
    const report = join(sb.inbox, '_failed', 'broken.avi.error.txt');
    await waitFor(
      async () => (await listFiles(join(sb!.inbox, '_failed'))).includes('broken.avi.error.txt'),
      60_000,
      'the report',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${daemon.lines.slice(-8).join('\n')}`);
    });
    const text = await readFile(report, 'utf8');
    expect(text).toContain('NOT_A_VIDEO');
    expect(text).toContain('Check that the file plays in a video player and was copied completely.');
    expect(text).not.toMatch(/Accepted videos/);
    await sigterm(daemon);
  },
  120_000,
);

/**
 * The same bytes every run, which ffprobe cannot read. Fresh random bytes are not that: about one
 * 64 KiB draw in 400 probes as a raw H.263 video (or a JPEG XL picture), and is then converted.
 */
function noise(seed: string, size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++)
    blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}
