import { execFileSync } from 'node:child_process';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canMount,
  configText,
  distIsFresh,
  drop,
  type FolderSpec,
  lineOf,
  listFiles,
  localSandbox,
  runCli,
  type Sandbox,
  sigterm,
  startChild,
  useClipsAndMounts,
  waitFor,
  writeAtomic,
} from './user-config.js';

const { clips, mounts } = useClipsAndMounts('vi-overlap-media-', 1);

/** Bind mounts need root (CAP_SYS_ADMIN); probed once so the test says why it is skipped. */
const canBindMount = (): boolean => canMount((dir) => ['--bind', dir, dir]);

interface Case {
  name: string;
  /** Makes the links or mounts the config relies on. */
  prepare(sb: Sandbox): Promise<void>;
  folders: FolderSpec[];
  /** The key that gets the issue: [folder index, key]. */
  at: [number, 'inbox' | 'outbox'];
  message: RegExp;
}

const main: FolderSpec = { name: 'main', inbox: 'inbox/main', outbox: 'outbox' };

const cases: Case[] = [
  {
    name: 'an outbox that is a symlink into its own inbox',
    prepare: async (s) => {
      await mkdir(join(s.inbox, 'converted'), { recursive: true });
      await symlink(join(s.inbox, 'converted'), join(s.dir, 'out-link'));
    },
    folders: [{ ...main, outbox: 'out-link' }],
    at: [0, 'outbox'],
    message: /outbox is inside the inbox of "main".*really .*inbox\/main\/converted/,
  },
  {
    name: 'an outbox that does not exist yet, under a symlink into the inbox',
    prepare: async (s) => {
      await symlink(s.inbox, join(s.dir, 'in-link'));
    },
    folders: [{ ...main, outbox: 'in-link/later/out' }],
    at: [0, 'outbox'],
    message: /outbox is inside the inbox of "main"/,
  },
  {
    name: "an outbox that is a symlink into another folder's inbox",
    prepare: async (s) => {
      await mkdir(join(s.dir, 'inbox', 'second', 'x'), { recursive: true });
      await symlink(join(s.dir, 'inbox', 'second', 'x'), join(s.dir, 'out-link'));
    },
    folders: [main, { name: 'second', inbox: 'inbox/second', outbox: 'out-link' }],
    at: [1, 'outbox'],
    message: /outbox is inside the inbox of "second"/,
  },
  {
    name: 'an inbox inside another inbox (by its path)',
    prepare: async (s) => {
      await mkdir(join(s.inbox, 'sub'), { recursive: true });
    },
    folders: [main, { name: 'second', inbox: 'inbox/main/sub', outbox: 'outbox' }],
    at: [1, 'inbox'],
    message: /inbox is inside the inbox of "main"/,
  },
  {
    name: 'an inbox that is a symlink to another inbox',
    prepare: async (s) => {
      await symlink(s.inbox, join(s.dir, 'in-link'));
    },
    folders: [main, { name: 'second', inbox: 'in-link', outbox: 'outbox' }],
    at: [1, 'inbox'],
    message: /inbox is already watched by "main" \(it is really .*inbox\/main\)/,
  },
  {
    name: 'an inbox whose parent is a symlink into another inbox',
    prepare: async (s) => {
      await mkdir(join(s.inbox, 'deeper'), { recursive: true });
      await symlink(s.inbox, join(s.dir, 'in-link'));
    },
    folders: [main, { name: 'second', inbox: 'in-link/deeper', outbox: 'outbox' }],
    at: [1, 'inbox'],
    message: /inbox is inside the inbox of "main"/,
  },
];

// Defect 4: folder overlap was checked on the path text only; a link into an inbox looped forever.
describe.skipIf(!distIsFresh())(
  'folder overlap is judged on real folders (skipped: run `npm run build`)',
  () => {
    it.each(cases)('validate and start refuse $name, naming file:line', async (c) => {
      const sb = await localSandbox();
      await mkdir(join(sb.dir, 'rules'), { recursive: true });
      for (const f of c.folders)
        await writeAtomic(join(sb.dir, 'rules', `${f.name}.yaml`), 'engine: local\n');
      await c.prepare(sb);
      const text = configText(sb, c.folders);
      await writeAtomic(sb.configPath, text);
      const [index, key] = c.at;
      const line = lineOf(text, `${key}:`, lineOf(text, `name: ${c.folders[index]!.name}`) - 1);

      const checked = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(checked.code).toBe(2);
      const issue = checked.stderr.split('\n').find((l) => l.startsWith(`${sb.configPath}:${line}:`));
      expect(issue, checked.stderr).toBeDefined();
      expect(issue).toContain(`folders[${index}].${key}`);
      expect(issue).toMatch(c.message);
      expect(checked.stderr).toMatch(/outside every inbox|its own folder/);

      const started = await runCli(sb, ['start', '--config', sb.configPath]);
      expect(started.code).toBe(2);
      expect(started.stderr).toContain(`${sb.configPath}:${line}:`);
      expect(started.stderr).toMatch(c.message);
    });

    it.skipIf(!canBindMount())(
      'refuses an outbox that reaches the inbox through a bind mount (same device and inode; needs root)',
      async () => {
        const sb = await localSandbox();
        const view = join(sb.dir, 'view');
        await mkdir(view);
        execFileSync('mount', ['--bind', sb.inbox, view]);
        mounts.push(view);
        await mkdir(join(view, 'out'));
        const text = configText(sb, [{ ...main, outbox: 'view/out' }]);
        await writeAtomic(sb.configPath, text);
        const checked = await runCli(sb, ['validate', '--config', sb.configPath]);
        expect(checked.code).toBe(2);
        expect(checked.stderr).toMatch(/folders\[0\]\.outbox: The outbox is inside the inbox of "main"/);
      },
    );

    it('a live edit that points the outbox into the inbox is refused; the last good config keeps working', async () => {
      const sb = await localSandbox();
      const child = await startChild(sb);
      await mkdir(join(sb.inbox, 'converted'));
      await symlink(join(sb.inbox, 'converted'), join(sb.dir, 'out-link'));
      const bad = configText(sb, [{ ...main, outbox: 'out-link' }]);
      await writeAtomic(sb.configPath, bad);
      const refused = await child.waitForLog('Settings file has errors');
      expect(String(refused.issues)).toMatch(
        new RegExp(
          `config\\.yaml:${lineOf(bad, 'outbox:')}:\\d+: folders\\[0\\]\\.outbox: The outbox is inside`,
        ),
      );

      await drop(clips[0]!, sb.inbox, 'after-edit.avi');
      await waitFor(async () => (await listFiles(sb.outbox)).includes('after-edit.mp4'), 60_000, 'output');
      // Nothing was written through the link into the inbox, so nothing loops.
      expect(await readdir(join(sb.inbox, 'converted'))).toEqual([]);
      expect((await sigterm(child)).code).toBe(0);
    });
  },
);
