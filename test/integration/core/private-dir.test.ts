import { chmod, lstat, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateDir } from '../../../src/core/private-dir.js';

/** privateDir on real folders: what the CLI's compiled-code cache may live in (see bin.ts). */
let dir: string;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'vi-private-dir-')));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('privateDir', () => {
  it('makes a missing folder for this user alone (0700) and returns it', async () => {
    const wanted = join(dir, 'a', 'cache', 'video-inbox');
    expect(privateDir(wanted, 0)).toBe(wanted);
    const st = await lstat(wanted);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(process.getuid?.());
  });

  it('refuses a relative path (an empty or relative HOME) and makes nothing', () => {
    expect(privateDir('.cache/video-inbox', 0)).toBeUndefined();
    expect(privateDir('', 0)).toBeUndefined();
  });

  it('refuses a folder others may write to, or one below such a folder', async () => {
    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    expect(privateDir(open, 0)).toBeUndefined();
    expect(privateDir(join(open, 'inside'), 0)).toBeUndefined();
    await expect(lstat(join(open, 'inside'))).rejects.toThrow();
    const groupWritable = join(dir, 'group');
    await mkdir(groupWritable);
    await chmod(groupWritable, 0o770);
    expect(privateDir(groupWritable, 0)).toBeUndefined();
  });

  it('an own folder others may read or enter (a loose umask) is made 0700 before use', async () => {
    const loose = join(dir, 'loose');
    await mkdir(loose);
    await chmod(loose, 0o755);
    expect(privateDir(loose, 0)).toBe(loose);
    expect((await lstat(loose)).mode & 0o777).toBe(0o700);
  });

  it('follows a symlink to a folder of its own, and returns where it leads', async () => {
    const target = join(dir, 'real-cache');
    await mkdir(target, { mode: 0o700 });
    await symlink(target, join(dir, 'link'));
    expect(privateDir(join(dir, 'link'), 0)).toBe(target);
  });

  it('refuses a disk without the room asked for, before making anything', async () => {
    const wanted = join(dir, 'roomy', 'cache');
    expect(privateDir(wanted, Number.MAX_SAFE_INTEGER)).toBeUndefined();
    await expect(lstat(join(dir, 'roomy'))).rejects.toThrow();
  });
});
