import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linuxWriters, openForReading } from '../../../src/watch/file-access.js';
import { readInotifyLimit } from '../../../src/watch/inotify-limit.js';

let dir: string;
let proc: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-fa-'));
  proc = join(dir, 'proc');
  await mkdir(proc);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** One descriptor in a fake /proc: a link to the file and its fdinfo with the open flags (octal). */
async function fd(pid: number, n: number, target: string, flags: string): Promise<void> {
  await mkdir(join(proc, String(pid), 'fd'), { recursive: true });
  await mkdir(join(proc, String(pid), 'fdinfo'), { recursive: true });
  await symlink(target, join(proc, String(pid), 'fd', String(n)));
  await writeFile(join(proc, String(pid), 'fdinfo', String(n)), `pos:\t0\nflags:\t${flags}\nmnt_id:\t30\n`);
}

describe('linuxWriters (against a fake /proc)', () => {
  it('finds files open for writing (O_WRONLY, O_RDWR) and ignores read-only opens and other files', async () => {
    const writing = join(dir, 'writing.mov');
    const rdwr = join(dir, 'rdwr.mov');
    const reading = join(dir, 'reading.mov');
    const idle = join(dir, 'idle.mov');
    for (const f of [writing, rdwr, reading, idle]) await writeFile(f, 'x');
    await fd(100, 3, writing, '0100001'); // O_WRONLY|O_LARGEFILE
    await fd(101, 4, rdwr, '0100002'); // O_RDWR
    await fd(102, 5, reading, '0100000'); // O_RDONLY
    await fd(102, 6, join(dir, 'unrelated'), '01');
    await mkdir(join(proc, 'self')); // non-numeric entries are not processes
    const found = await linuxWriters([writing, rdwr, reading, idle], proc);
    expect([...found].sort()).toEqual([rdwr, writing].sort());
  });

  it('answers "no writers" when /proc cannot be read, and skips files that vanished', async () => {
    expect((await linuxWriters([join(dir, 'gone.mov')], join(dir, 'no-proc'))).size).toBe(0);
  });
});

describe('openForReading', () => {
  it('says ok for a readable file and gives the code otherwise', async () => {
    await writeFile(join(dir, 'a.mov'), 'x');
    expect(await openForReading(join(dir, 'a.mov'))).toEqual({ ok: true });
    expect(await openForReading(join(dir, 'missing.mov'))).toEqual({ ok: false, code: 'ENOENT' });
  });
});

describe('readInotifyLimit', () => {
  it('reads the number, and answers undefined when the file is missing or garbage', async () => {
    await writeFile(join(dir, 'ok'), '65536\n');
    await writeFile(join(dir, 'bad'), 'lots\n');
    expect(await readInotifyLimit(join(dir, 'ok'))).toBe(65536);
    expect(await readInotifyLimit(join(dir, 'bad'))).toBeUndefined();
    expect(await readInotifyLimit(join(dir, 'missing'))).toBeUndefined();
  });
});
