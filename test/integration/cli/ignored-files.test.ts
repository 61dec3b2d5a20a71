import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsFresh, makeSandbox, runCli, type Sandbox } from '../daemon/harness.js';

/**
 * Issue 10, point 2: "`status` and `explain` show ignored files and why". A file that is not a video
 * and that no rule takes stays in the inbox by design; a person asking must see it and the reason.
 */
let sb: Sandbox;

beforeAll(async () => {
  sb = await makeSandbox({ config: { folders: ['second'] }, rule: { match: ['*.avi', '*.mov'] } });
  await writeFile(join(sb.inbox, 'notes.txt'), 'my notes\n');
  await writeFile(join(sb.inbox, 'photo.jpg'), 'not really a jpeg\n');
  await mkdir(join(sb.inbox, 'trip'), { recursive: true });
  await writeFile(join(sb.inbox, 'trip', 'list.csv'), 'a,b\n');
  await writeFile(join(sb.inbox, 'copy.avi.part'), 'half a copy');
  await writeFile(join(sb.inbox, '.DS_Store'), 'clutter');
  for (let i = 0; i < 7; i += 1) await writeFile(join(sb.inboxOf('second'), `page-${i}.pdf`), `page ${i}\n`);
});

afterAll(async () => {
  await sb.close();
});

describe.skipIf(!distIsFresh())('ignored files', () => {
  it('status lists per folder the files no rule takes, with a count, a few names and why', async () => {
    const run = await runCli(sb, ['status', '--config', sb.configPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Ignored (left in the inbox: not a video, and no rule matches):');
    expect(run.stdout).toMatch(/ {2}main: 3 files \(notes\.txt, photo\.jpg, trip\/list\.csv\)/);
    // A few names, not all of them.
    expect(run.stdout).toMatch(
      / {2}second: 7 files \(page-0\.pdf, page-1\.pdf, page-2\.pdf, page-3\.pdf, page-4\.pdf, …\)/,
    );
    // Partial copies and clutter are not the person's files to worry about.
    expect(run.stdout).not.toContain('copy.avi.part');
    expect(run.stdout).not.toContain('.DS_Store');

    const json = await runCli(sb, ['status', '--config', sb.configPath, '--json']);
    const report = JSON.parse(json.stdout) as {
      ignored?: { folder: string; count: number; names: string[] }[];
    };
    expect(report.ignored?.find((g) => g.folder === 'main')).toMatchObject({
      count: 3,
      names: ['notes.txt', 'photo.jpg', 'trip/list.csv'],
    });
  });

  it('explain says a file is ignored and why', async () => {
    const notes = await runCli(sb, ['explain', join(sb.inbox, 'notes.txt'), '--config', sb.configPath]);
    expect(notes.code).toBe(0);
    expect(notes.stdout).toMatch(
      /Ignored: notes\.txt is not a video by its name, and no rule in folder "main" matches it \(match: \*\.avi, \*\.mov\)/,
    );
    const part = await runCli(sb, ['explain', join(sb.inbox, 'copy.avi.part'), '--config', sb.configPath]);
    expect(part.stdout).toMatch(/Ignored: copy\.avi\.part .*partial/);
  });
});
