import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  cleanUpAfterEach,
  listFiles,
  startInProcess,
  waitFor,
  waitForJobs,
  type InProcess,
} from '../daemon/harness.js';
import { drop, localSandbox, useClips } from './user-config.js';

const clips = useClips('vi-blocked-media-', 2);

cleanUpAfterEach();

const blockedReports = (p: InProcess) =>
  p.logs.entries().filter((e) => e.code === 'FOLDER_BLOCKED' && String(e.msg).includes('_done'));

// Defect 8: a regular file named `_done` in an inbox blocked every archive forever (EEXIST at every
// rescan). It is reported once, with what to do; outputs keep coming; sources stay in the inbox.
it('a file named _done: reported once (log and notification), outputs placed, sources left in the inbox', async () => {
  const sb = await localSandbox();
  await writeFile(join(sb.inbox, '_done'), 'a note someone saved here\n');
  let d = await startInProcess(sb);
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
  // Reason and advice are joined as sentences: never "…_done.. Rename".
  expect(notices[0]!.message).not.toMatch(/\.\. /);
  // Each source that stays says so.
  expect(d.logs.entries().filter((e) => String(e.msg).includes('left in place'))).toHaveLength(2);

  // After a restart the kept sources are known content: no error loop at each rescan, one report.
  await d.daemon.stop();
  d = await startInProcess(sb);
  await waitFor(() => blockedReports(d).length > 0, 30_000, 'the report after the restart');
  await new Promise((r) => setTimeout(r, 4000)); // several rescans (rescanSeconds: 1)
  expect(blockedReports(d)).toHaveLength(1);
  expect(d.logs.entries().filter((e) => String(e.msg).includes('Could not take the file'))).toEqual([]);
  expect(await listFiles(sb.outbox)).toEqual(['one.mp4', 'two.mp4']);
});
