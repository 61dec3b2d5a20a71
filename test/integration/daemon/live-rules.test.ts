import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  cleanUpAfterEach,
  listFiles,
  makeSandbox,
  readJobs,
  startInProcess,
  waitFor,
  waitForJobs,
  sentInstructions,
  useMedia,
  type InProcess,
} from './harness.js';
import { makeMixedSet } from './media-set.js';

const clips = useMedia('vi-live-media-', (dir) => makeMixedSet(dir, 3)).files;
cleanUpAfterEach();

const loads = (p: InProcess) => p.logs.entries().filter((e) => e.msg === 'Rule file loaded').length;

async function drop(src: string, name: string, box: string): Promise<void> {
  await copyFile(src, join(box, name));
}

/**
 * Issue 3, "Done when" 4: a rule edit applies to the next file (the instruction the API receives
 * changes), a broken edit is reported with file:line:column and the last good rule keeps working.
 */
it('applies a rule edit live, reports a broken edit by position and keeps the last good rule', async () => {
  const sb = await makeSandbox({ rule: { instruction: 'Version one: convert {name}' } });
  const d = await startInProcess(sb);
  const done = (n: number) =>
    waitForJobs(sb, (j) => j.filter((x) => x.state === 'done').length === n, 60_000, `${n} done`);

  await drop(clips[0]!, 'first.avi', sb.inbox);
  await done(1);
  expect(sentInstructions(sb.emu)).toEqual(['Version one: convert first.avi']);

  const before = loads(d);
  await sb.writeRule({ instruction: 'Version two: make {name} an MP4' });
  await waitFor(() => loads(d) > before, 30_000, 'the edited rule loaded');
  await drop(clips[1]!, 'second.mov', sb.inbox);
  await done(2);
  expect(sentInstructions(sb.emu).at(-1)).toBe('Version two: make second.mov an MP4');

  // A half-typed edit: the YAML breaks on line 2.
  await sb.writeRule('skill: video-converter-best\ninstruction: [Version three\n');
  const report = await waitFor(
    () =>
      d.logs
        .entries()
        .find((e) =>
          String(e.msg).startsWith('Settings file has errors; the last good version stays in force'),
        ),
    30_000,
    'the broken rule reported',
  );
  expect(report.file).toBe(sb.rulePath());
  expect(String(report.issues)).toMatch(new RegExp(`^${sb.rulePath()}:\\d+:\\d+: `));
  const notice = await waitFor(
    () => d.notices.find((n) => n.kind === 'config' && n.message.includes(sb.rulePath())),
    30_000,
    'the broken rule notified',
  );
  expect(notice.message).toContain('The last good version stays in force');

  await drop(clips[2]!, 'third.mkv', sb.inbox);
  await done(3);
  expect(sentInstructions(sb.emu).at(-1)).toBe('Version two: make third.mkv an MP4');

  // A schema mistake (a misspelt key) is reported by position as well.
  const errorsBefore = d.logs
    .entries()
    .filter((e) => String(e.msg).startsWith('Settings file has errors')).length;
  await sb.writeRule('skill: video-converter-best\ninstrution: Version four\n');
  const schemaReport = await waitFor(
    () =>
      d.logs
        .entries()
        .filter((e) => String(e.msg).startsWith('Settings file has errors'))
        .at(errorsBefore),
    30_000,
    'the misspelt key reported',
  );
  expect(String(schemaReport.issues)).toContain(`${sb.rulePath()}:2:1`);
  expect(await listFiles(sb.outbox)).toEqual(['first.mp4', 'second.mp4', 'third.mp4']);
});

it('holds the files of a folder whose rule file never loaded, and converts them once it is fixed', async () => {
  const sb = await makeSandbox({ config: { folders: ['later'] } });
  await sb.writeRule('skill: [broken\n', 'later');
  const d = await startInProcess(sb);
  const laterInbox = sb.inboxOf('later');
  await mkdir(laterInbox, { recursive: true });
  await drop(clips[0]!, 'waiting.avi', laterInbox);
  const [held] = await waitForJobs(sb, (j) => j[0]?.state === 'held', 30_000, 'a held job');
  expect(held?.heldReason).toBe('rules');
  expect(await listFiles(laterInbox)).toEqual(['waiting.avi']);
  // There never was a good version of this rule file: nothing may claim one stays in force.
  const notice = d.notices.find((n) => n.kind === 'config' && n.message.includes(sb.rulePath('later')));
  expect(notice?.message).toContain('files in its folder wait until it loads');
  expect(notice?.message).not.toContain('last good version');
  const logged = d.logs.entries().find((e) => e.file === sb.rulePath('later'));
  expect(String(logged?.msg)).not.toContain('last good version');
  expect(sb.emu.count('upload')).toBe(0);

  await sb.writeRule({ instruction: 'Fixed rule for {name}' }, 'later');
  const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 60_000, 'the held file done');
  expect(jobs).toHaveLength(1);
  expect(sentInstructions(sb.emu)).toEqual(['Fixed rule for waiting.avi']);
  expect(await listFiles(sb.outbox)).toEqual(['waiting.mp4']);
  expect(await listFiles(join(laterInbox, '_done'))).toEqual(['waiting.avi']);
});

it('applies a config edit live (a new folder is watched) and keeps the last good config after a broken edit', async () => {
  const sb = await makeSandbox();
  const d = await startInProcess(sb);
  const added = sb.inboxOf('added');
  await mkdir(added, { recursive: true });
  await sb.writeRule({ instruction: 'Added folder: {name}' }, 'added');
  const loadsBefore = loads(d);
  await sb.writeConfig({ folders: ['added'] });
  await waitFor(
    () => d.logs.entries().some((e) => e.msg === 'Rule file loaded' && e.folder === 'added') || undefined,
    30_000,
    'the new folder loaded',
  );
  expect(loads(d)).toBeGreaterThan(loadsBefore);
  await drop(clips[0]!, 'new-folder.avi', added);
  await waitForJobs(sb, (j) => j[0]?.state === 'done', 60_000, 'the file in the new folder done');
  expect(sentInstructions(sb.emu)).toEqual(['Added folder: new-folder.avi']);

  // A broken config edit: reported by position; both folders keep working.
  const text = await readFile(sb.configPath, 'utf8');
  await writeFile(sb.configPath, text.replace(/^concurrency: \d+$/m, 'concurrency: lots'));
  const report = await waitFor(
    () => d.logs.entries().find((e) => String(e.msg).startsWith('Settings file has errors')),
    30_000,
    'the broken config reported',
  );
  expect(String(report.issues)).toMatch(new RegExp(`^${sb.configPath}:\\d+:\\d+: concurrency`));
  await drop(clips[1]!, 'still-main.mov', sb.inbox);
  await drop(clips[2]!, 'still-added.mkv', added);
  await waitForJobs(sb, (j) => j.length === 3 && j.every((x) => x.state === 'done'), 60_000, 'three done');
  expect(await listFiles(sb.outbox)).toEqual(['new-folder.mp4', 'still-added.mp4', 'still-main.mp4']);
});

it('an edit of one folder rule file leaves the other folders working', async () => {
  const sb = await makeSandbox({ config: { folders: ['other'] } });
  const d = await startInProcess(sb);
  const before = loads(d);
  await sb.writeRule({ instruction: 'Other folder, edited: {name}' }, 'other');
  await waitFor(() => loads(d) > before, 30_000, 'the edited rule loaded');
  await drop(clips[0]!, 'main-after-edit.avi', sb.inbox);
  await waitForJobs(sb, (j) => j[0]?.state === 'done', 60_000, 'the file in the untouched folder done');
  expect(sentInstructions(sb.emu)).toEqual(['Convert main-after-edit.avi to MP4 at 1080p']);
  expect(await listFiles(sb.outbox)).toEqual(['main-after-edit.mp4']);
});

it('a file no rule could take is left alone, and taken once an edit widens the rule to its name', async () => {
  const sb = await makeSandbox({ config: { rescanSeconds: 1 } });
  await mkdir(join(sb.inbox, 'notes'), { recursive: true });
  await writeFile(join(sb.inbox, 'notes', 'todo.txt'), 'not a video, kept beside them');
  const d = await startInProcess(sb);
  await drop(clips[0]!, 'first.avi', sb.inbox);
  await waitForJobs(sb, (j) => j.some((x) => x.state === 'done'), 60_000, 'the video done');
  // Several rescans later the note is still where it was, and nothing was recorded for it.
  await new Promise((r) => setTimeout(r, 2500));
  expect((await readJobs(sb)).map((j) => j.source)).toEqual([join(sb.inbox, 'first.avi')]);
  expect(await listFiles(join(sb.inbox, 'notes'))).toEqual(['todo.txt']);

  const before = loads(d);
  await sb.writeRule({ match: ['*.avi', '*.txt'] });
  await waitFor(() => loads(d) > before, 30_000, 'the widened rule loaded');
  // Now a rule takes it: intake probes it, finds no video and sets it aside with the reason.
  const jobs = await waitForJobs(
    sb,
    (j) => j.some((x) => x.source.endsWith('todo.txt') && x.state === 'failed'),
    60_000,
    'the note taken and set aside',
  );
  expect(jobs.find((x) => x.source.endsWith('todo.txt'))?.error?.code).toBe('NOT_A_VIDEO');
  expect(await listFiles(join(sb.inbox, '_failed', 'notes'))).toEqual(
    expect.arrayContaining(['todo.txt', 'todo.txt.error.txt']),
  );
});
