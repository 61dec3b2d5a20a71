import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  listFiles,
  startInProcess,
  waitFor,
  waitForJobs,
  type InProcess,
  type Sandbox,
} from '../daemon/harness.js';
import { makeVideo } from '../../helpers/media.js';
import { drop, localSandbox } from './user-config.js';

let sb: Sandbox | undefined;
let d: InProcess | undefined;
let mediaDir: string;
const clips: string[] = [];

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-blocked-media-'));
  for (let i = 0; i < 2; i++)
    clips.push(
      await makeVideo(join(mediaDir, `c${i}.avi`), { videoCodec: 'mpeg4', durationSec: 1, fps: 20 + i }),
    );
});

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

afterEach(async () => {
  await d?.daemon.stop();
  await sb?.close();
  d = sb = undefined;
});

const blockedReports = (p: InProcess) =>
  p.logs.entries().filter((e) => e.code === 'FOLDER_BLOCKED' && String(e.msg).includes('_done'));

// Defect 8: a regular file named `_done` in an inbox blocked every archive forever (EEXIST at every
// rescan). It is reported once, with what to do; outputs keep coming; sources stay in the inbox.
it('a file named _done: reported once (log and notification), outputs placed, sources left in the inbox', async () => {
  sb = await localSandbox();
  await writeFile(join(sb.inbox, '_done'), 'a note someone saved here\n');
  d = await startInProcess(sb);
  await drop(clips[0]!, sb.inbox, 'one.avi');
  await drop(clips[1]!, sb.inbox, 'two.avi');
  await waitForJobs(sb, (j) => j.filter((x) => x.state === 'done').length === 2, 60_000, 'two done');
  expect(await listFiles(sb.outbox)).toEqual(['one.mp4', 'two.mp4']);
  expect(await listFiles(sb.inbox)).toEqual(['_done', 'one.avi', 'two.avi']);

  const reports = blockedReports(d);
  expect(reports).toHaveLength(1);
  expect(String(reports[0]!.hint)).toMatch(/Rename or move the file .*_done/);
  const notices = d.notices.filter((n) => n.message.includes('_done'));
  expect(notices).toHaveLength(1);
  expect(notices[0]!.message).toMatch(/Rename or move/);
  // Each source that stays says so.
  expect(d.logs.entries().filter((e) => String(e.msg).includes('left in place'))).toHaveLength(2);

  // After a restart the kept sources are known content: no error loop at each rescan, one report.
  await d.daemon.stop();
  d = await startInProcess(sb);
  await waitFor(() => blockedReports(d!).length > 0, 30_000, 'the report after the restart');
  await new Promise((r) => setTimeout(r, 4000)); // several rescans (rescanSeconds: 1)
  expect(blockedReports(d)).toHaveLength(1);
  expect(d.logs.entries().filter((e) => String(e.msg).includes('Could not take the file'))).toEqual([]);
  expect(await listFiles(sb.outbox)).toEqual(['one.mp4', 'two.mp4']);
});
