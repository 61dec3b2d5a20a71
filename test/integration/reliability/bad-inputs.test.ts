import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../helpers/media.js';
import { bin, distIsFresh, root, sigterm, spawnDaemon, waitFor, type Child } from '../daemon/harness.js';
import {
  distinctVideo,
  drop,
  fateOf,
  listAll,
  makeWorld,
  rendersPerFile,
  tempFilesIn,
  waitForFates,
  writeAtomic,
  type Fate,
  useBaseVideo,
  type World,
} from './world.js';

const run = promisify(execFile);

/**
 * Bad inputs, dropped into the built daemon: broken and fake videos, hostile and over-long names,
 * symlinks, files that grow, change or vanish while a job runs, and attacks through the rule and
 * config files. Whatever comes in, nothing is lost: every file ends as an output, or in _failed/
 * beside a `.error.txt` saying why. A case found failing again is marked with its defect and runs as
 * `it.fails` (none today), so CI stays green while it keeps the defect found; flip it back with the fix.
 */

const figures = { badInputsTried: 0, endedAsOutput: 0, setAsideWithReason: 0, lost: 0, knownDefects: 0 };
const base = useBaseVideo('vi-bad-media-', 'badInputs', figures);

function tally(fate: Fate | undefined): void {
  figures.badInputsTried++;
  if (fate?.kind === 'converted') figures.endedAsOutput++;
  else if (fate?.kind === 'set-aside') figures.setAsideWithReason++;
  else figures.lost++;
}

/** Nothing lost: an output, or _failed/ with a reason that says something. */
function expectNothingLost(fate: Fate | undefined, what: string): void {
  expect(fate?.kind === 'converted' || fate?.kind === 'set-aside', `${what}: ${JSON.stringify(fate)}`).toBe(
    true,
  );
  if (fate?.kind === 'set-aside') expect(fate.reason.trim().length).toBeGreaterThan(20);
}

/** Set aside, with a reason that says why (`why`) and what to do. */
function expectLinkReason(fate: Fate | undefined, why: RegExp): void {
  expect(fate?.kind).toBe('set-aside');
  if (fate?.kind !== 'set-aside') return;
  expect(fate.reason).toMatch(why);
  expect(fate.reason).toMatch(/symbolic link/i);
}

interface DropCase {
  name: string;
  what: string;
  /** Puts the file (or link) into the inbox. */
  make: (w: World, path: string) => Promise<void>;
  /** The output name when it is not `<stem>.mp4`. */
  output?: string;
  /** Extra checks beyond "nothing lost". */
  check?: (w: World, fate: Fate | undefined) => Promise<void> | void;
  defect?: string;
}

const LONG_NAME = `${'v'.repeat(246)}.mp4`; // 250 bytes
const LONG_FAKE = `${'f'.repeat(246)}.mp4`;
const NFD_NAME = 'Cafe\u0301 cre\u0300me.mp4';

const video = (tag: string) => async (_w: World, path: string) =>
  writeFile(path, await distinctVideo(base.path, tag));

const DROPS: DropCase[] = [
  { name: 'empty.mp4', what: 'an empty file', make: async (_w, p) => writeFile(p, '') },
  {
    name: 'truncated.mp4',
    what: 'a truncated video (its first half)',
    make: async (_w, p) => {
      const bytes = await distinctVideo(base.path, 'truncated');
      await writeFile(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
    },
  },
  {
    name: 'fake.mp4',
    what: 'a text file renamed .mp4',
    make: async (_w, p) => writeFile(p, 'Shopping list: milk, eggs, bread.\n'.repeat(40)),
    check: (_w, fate) => expect(fate?.kind).toBe('set-aside'),
  },
  { name: '-rf.mp4', what: 'a name that looks like an option', make: video('dash rf') },
  {
    name: '$(touch pwned).mp4',
    what: 'a name with a shell substitution',
    make: video('pwned'),
    check: (w) => {
      for (const dir of [root, w.inbox, w.outbox, w.dir, process.cwd()])
        expect(existsSync(join(dir, 'pwned')), `no "pwned" in ${dir}`).toBe(false);
    },
  },
  { name: `it's "quoted" \`too\`.mp4`, what: 'a name with quotes and backticks', make: video('quotes') },
  { name: NFD_NAME, what: 'a name in Unicode NFD', make: video('nfd') },
  { name: LONG_NAME, what: 'a video with a 250-byte name', make: video('long name') },
  {
    name: LONG_FAKE,
    what: 'a fake video with a 250-byte name',
    make: async (_w, p) => writeFile(p, 'not a video at all\n'.repeat(40)),
    // issue 9 defect 5 (fixed): `<name>.error.txt` of a 250-byte name was too long (ENAMETOOLONG);
    // the report's name is now shortened to fit, keeping `.error.txt`.
  },
  {
    name: '_done-holiday.mp4',
    what: 'a name that merely starts with _done',
    make: video('done prefix'),
  },
  {
    name: 'link-to-video.mp4',
    what: 'a symlink to a video outside the inbox',
    make: async (w, p) => {
      const target = join(w.dir, 'elsewhere.mp4');
      await writeFile(target, await distinctVideo(base.path, 'link target'));
      await symlink(target, p);
    },
    check: (_w, fate) => expect(fate?.kind, 'set aside: its target lies outside the inbox').toBe('set-aside'),
    // issue 9 defect 12 (fixed): a link was followed (hashed, probed, uploaded) wherever it pointed.
  },
  {
    name: 'passwd.mp4',
    what: 'a symlink to /etc/passwd',
    make: async (_w, p) => symlink('/etc/passwd', p),
    check: (w, fate) => {
      expect(fate?.kind).toBe('set-aside');
      // Its report never quotes the file it points to.
      if (fate?.kind === 'set-aside') expect(fate.reason).not.toMatch(/root:.*:0:0:/);
      expect(w.emu.requests.some((r) => JSON.stringify(r.body ?? '').includes('root:x:0:0'))).toBe(false);
    },
  },
  {
    name: 'loop.mp4',
    what: 'a symlink loop (a link to itself)',
    make: async (_w, p) => symlink(p, p),
    check: (_w, fate) => expectLinkReason(fate, /loops/i),
    // issue 9 defect 12 (fixed): the watcher never offered a looping link to intake, so it sat in
    // the inbox for ever with no reason.
  },
  {
    name: 'loop-a.mp4',
    what: 'a symlink loop through a second link (a -> b -> a)',
    make: async (w, p) => {
      await symlink(p, join(w.inbox, 'loop-b.mp4'));
      await symlink(join(w.inbox, 'loop-b.mp4'), p);
    },
    // Whichever link of the loop is set aside first, the other then points at nothing: either
    // reason for each, and at least one of the two says it loops.
    check: async (w, fate) => {
      expectLinkReason(fate, /loops|target is missing/i);
      const other = await fateOf(w, 'loop-b.mp4');
      const reasons = [fate, other].map((f) => (f?.kind === 'set-aside' ? f.reason : ''));
      expect(
        reasons.some((r) => /loops/i.test(r)),
        reasons.join('\n---\n'),
      ).toBe(true);
    },
  },
  {
    name: 'loop-b.mp4',
    what: 'the second link of that loop',
    make: async () => undefined, // made with loop-a.mp4
    check: (_w, fate) => expectLinkReason(fate, /loops|target is missing/i),
  },
  {
    name: 'dangling.mp4',
    what: 'a dangling symlink',
    make: async (w, p) => symlink(join(w.dir, 'no-such-file.mp4'), p),
    // The reason says the target is missing, and what to do if it only arrived later.
    check: (_w, fate) => expectLinkReason(fate, /target is missing[\s\S]*later/i),
    // issue 9 defect 12 (fixed): a link to nothing sat in the inbox for ever, with no reason.
  },
  {
    name: 'into-outbox.mp4',
    what: 'a symlink into the outbox',
    make: async (w, p) => {
      await writeFile(join(w.outbox, 'earlier.mp4'), await distinctVideo(base.path, 'earlier output'));
      await symlink(join(w.outbox, 'earlier.mp4'), p);
    },
    check: (w) =>
      expect(existsSync(join(w.outbox, 'earlier.mp4')), 'the output it points to stays').toBe(true),
  },
];

describe.skipIf(!distIsFresh())('bad inputs (skipped: run `npm run build` first)', () => {
  describe('files that are broken, fake, hostile, long-named or links, dropped at once', () => {
    let w: World;
    let child: Child;
    const fates: Record<string, Fate> = {};

    beforeAll(async () => {
      w = await makeWorld({ engine: 'nemo', requestTimeoutSeconds: 5 });
      child = spawnDaemon(w);
      await child.waitForLog('Watching inboxes');
      for (const c of DROPS) await c.make(w, join(w.inbox, c.name));
      // Each case's own test asserts its fate; here we only wait for them to settle (empty files
      // are taken only after 10 × settle), and give up waiting after a while (the defects).
      const names = DROPS.map((c) => c.name);
      const outputs = Object.fromEntries(DROPS.filter((c) => c.output).map((c) => [c.name, c.output!]));
      await waitForFates(w, names, 30_000, outputs).catch(() => undefined);
      for (const c of DROPS) fates[c.name] = await fateOf(w, c.name, c.output);
    }, 120_000);

    afterAll(async () => {
      if (child) await sigterm(child);
      await w?.close();
    });

    const holding = DROPS.filter((c) => !c.defect);
    const failing = DROPS.filter((c) => c.defect);

    it.each(holding)('$what ($name): ends as an output or set aside with a reason', async (c) => {
      tally(fates[c.name]);
      expectNothingLost(fates[c.name], c.what);
      await c.check?.(w, fates[c.name]);
    });

    // None today; a case found failing again is marked with its defect and runs here.
    if (failing.length > 0)
      it.fails.each(failing)(
        '$what ($name): ends as an output or set aside with a reason (known defect: $defect)',
        async (c) => {
          figures.badInputsTried++;
          figures.knownDefects++;
          expectNothingLost(fates[c.name], c.what);
          await c.check?.(w, fates[c.name]);
        },
      );

    it('no temp file is left and every render belongs to one file', async () => {
      expect(await tempFilesIn(w.outbox, w.stateDir, w.inbox)).toEqual([]);
      const converted = DROPS.filter((c) => fates[c.name]?.kind === 'converted').map((c) => c.name);
      for (const [name, n] of Object.entries(rendersPerFile(w.emu.requests, converted)))
        expect(n, name).toBeLessThanOrEqual(1);
    });
  });

  it('a file written in chunks over ~15 s (pauses longer than the settle time) is taken only once complete', async () => {
    // Local engine: the output's duration tells whether the whole file was converted.
    const w = await makeWorld({ engine: 'local', settleSeconds: 0.3 });
    const child = spawnDaemon(w);
    try {
      await child.waitForLog('Watching inboxes');
      const source = join(w.dir, 'long.mp4');
      await run('ffmpeg', [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=15'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', source],
      ]);
      const bytes = await readFile(source);
      const target = join(w.inbox, 'growing.mp4');
      const handle = await open(target, 'w');
      const chunks = 15;
      const size = Math.ceil(bytes.length / chunks);
      for (let i = 0; i < bytes.length; i += size) {
        await handle.write(bytes.subarray(i, i + size));
        await new Promise((r) => setTimeout(r, 1000));
      }
      await handle.close();
      const fates = await waitForFates(w, ['growing.mp4'], 90_000);
      tally(fates['growing.mp4']);
      expect(fates['growing.mp4']).toMatchObject({ kind: 'converted', archived: 1 });
      expect((await probe(join(w.outbox, 'growing.mp4'))).durationSec).toBeGreaterThan(14.5);
      expect(await readFile(join(w.inbox, '_done', 'growing.mp4'))).toEqual(bytes);
      expect(await listAll(w.outbox)).toEqual(['growing.mp4']);
    } finally {
      await sigterm(child);
      await w.close();
    }
  }, 180_000);

  describe('a source that changes or vanishes while its job runs', () => {
    /** A world whose renders take a few seconds, so the change lands while the job runs. */
    async function midJob(
      name: string,
      change: (w: World, path: string) => Promise<void>,
    ): Promise<{ w: World; child: Child }> {
      const w = await makeWorld({ engine: 'nemo', requestTimeoutSeconds: 5 }, { renderPolls: 20 });
      const child = spawnDaemon(w);
      await child.waitForLog('Watching inboxes');
      await drop(w.inbox, name, await distinctVideo(base.path, `${name} first`));
      await waitFor(() => w.emu.count('render-start') >= 1, 60_000, 'the render started');
      await change(w, join(w.inbox, name));
      return { w, child };
    }

    /** Both contents end converted: the first one's output, and the replacement as a job of its own. */
    async function expectBothConverted(w: World, replacement: Buffer, known = false): Promise<void> {
      const outputs = await waitFor(
        async () => {
          const out = (await listAll(w.outbox)).filter((n) => n.endsWith('.mp4'));
          const done = await listAll(join(w.inbox, '_done'));
          const inbox = (await listAll(w.inbox)).filter((n) => !n.startsWith('_'));
          return out.length === 2 && done.length >= 1 && inbox.length === 0 ? out : undefined;
        },
        known ? 40_000 : 90_000,
        'two outputs, the inbox empty',
      ).catch(() => undefined);
      if (!known) tally(outputs ? { kind: 'converted', output: '', archived: 1 } : { kind: 'pending' });
      expect(outputs, 'an output for the first content and one for the replacement').toHaveLength(2);
      // The replacement is what was archived last: its content was converted, not just filed away.
      const archived = await Promise.all(
        (await listAll(join(w.inbox, '_done'))).map((n) => readFile(join(w.inbox, '_done', n))),
      );
      expect(archived.some((b) => b.equals(replacement))).toBe(true);
      expect(w.emu.count('upload'), 'the replacement was uploaded too').toBe(2);
      expect(await tempFilesIn(w.outbox, w.stateDir, w.inbox)).toEqual([]);
    }

    it.each<[string, string, string, (path: string, bytes: Buffer) => Promise<void>]>([
      ['replaced by rename (a new copy moved over it)', 'swap.mp4', 'renamed second!', writeAtomic],
      [
        'overwritten in place (same inode, new bytes)',
        'inplace.mp4',
        'in place second, longer',
        (path, bytes) => writeFile(path, bytes),
      ],
    ])(
      '%s: both contents converted',
      async (_how, name, tag, replace) => {
        const replacement = await distinctVideo(base.path, tag);
        const { w, child } = await midJob(name, async (_w, path) => replace(path, replacement));
        try {
          await expectBothConverted(w, replacement);
        } finally {
          await sigterm(child);
          await w.close();
        }
      },
      180_000,
    );

    // issue 9 defect 2 (fixed): the archive step compared size and mtime only.
    it('replaced by a same-size, same-mtime copy: both contents converted', async () => {
      figures.badInputsTried++;
      const replacement = await distinctVideo(base.path, 'same.mp4 secnd'); // as long as "same.mp4 first"
      const { w, child } = await midJob('same.mp4', async (_w, path) => {
        const temp = `${path}.new`;
        await writeFile(temp, replacement);
        const first = await readFile(path);
        expect(replacement.length).toBe(first.length);
        // `touch -r` keeps the nanoseconds a JavaScript Date would lose.
        await run('touch', ['-r', path, temp]);
        await rename(temp, path);
      });
      try {
        await expectBothConverted(w, replacement, true);
      } finally {
        await sigterm(child);
        await w.close();
      }
    }, 180_000);

    it('removed while it renders: the job ends (output kept or cleanly dropped), nothing stuck, no temp', async () => {
      const { w, child } = await midJob('gone.mp4', async (_w, path) => rm(path));
      try {
        await waitFor(
          async () => {
            const res = await run(process.execPath, [bin, 'status', '--json', '--config', w.configPath], {
              env: w.env,
            });
            const report = JSON.parse(res.stdout) as { jobs: { state: string }[] };
            return report.jobs.length > 0 && report.jobs.every((j) => ['done', 'failed'].includes(j.state));
          },
          90_000,
          'the job finished',
        );
        figures.badInputsTried++;
        figures.endedAsOutput += existsSync(join(w.outbox, 'gone.mp4')) ? 1 : 0;
        expect(await tempFilesIn(w.outbox, w.stateDir, w.inbox)).toEqual([]);
        expect(w.emu.count('render-start')).toBe(1);
        expect(child.proc.exitCode).toBeNull();
      } finally {
        await sigterm(child);
        await w.close();
      }
    }, 180_000);
  });

  describe('attacks through the rule and config files (`video-inbox validate`)', () => {
    let w: World;
    beforeAll(async () => {
      w = await makeWorld({ engine: 'local' });
    });
    afterAll(async () => {
      await w?.close();
    });

    /** `validate` as a user runs it, stopped after 30 s (a refusal takes well under a second; a hang takes forever). */
    async function validate(): Promise<{ code: number; out: string; ms: number }> {
      const t0 = Date.now();
      try {
        const res = await run(process.execPath, [bin, 'validate', '--config', w.configPath], {
          env: w.env,
          timeout: 30_000,
          maxBuffer: 64 * 1024 * 1024,
        });
        return { code: 0, out: res.stdout + res.stderr, ms: Date.now() - t0 };
      } catch (err) {
        const e = err as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
        return {
          code: e.killed ? -1 : Number(e.code ?? 1),
          out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
          ms: Date.now() - t0,
        };
      }
    }

    it('an output name that climbs out of the outbox (../../x) is refused with its position', async () => {
      figures.badInputsTried++;
      await w.reconfigure({
        rule: 'skill: video-converter-best\ninstruction: "Convert"\nengine: local\noutput:\n  name: "../../x.mp4"\n',
      });
      const res = await validate();
      expect(res.code).toBe(2);
      expect(res.out).toMatch(/main\.yaml:\d+:\d+/);
      expect(res.out).toMatch(/output name cannot contain \//i);
    });

    // issue 9 defect 10 (fixed): an alias bomb made validate exit 1 with no position.
    it('a YAML alias bomb is refused with exit 2 and its position', async () => {
      figures.badInputsTried++;
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const next = String.fromCharCode(97 + i);
        levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
      }
      await w.reconfigure({
        rule: `skill: video-converter-best\ninstruction: "Convert"\n${levels.join('\n')}\n`,
      });
      const res = await validate();
      expect(res.code).toBe(2);
      expect(res.out).toMatch(/main\.yaml:\d+/);
    });

    // issue 9 defect 10 (fixed): a 50 MB rule file was parsed whole (30 s, 2.5 GB); now refused at
    // once for its size, with the file named.
    it('a 50 MB rule file is refused for its size', async () => {
      figures.badInputsTried++;
      const line = `# ${'padding '.repeat(12)}\n`;
      const big = `skill: video-converter-best\ninstruction: "Convert"\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}`;
      await w.reconfigure({ rule: big });
      const res = await validate();
      expect(res.code).toBe(2);
      expect(res.out).toMatch(/main\.yaml/);
      expect(res.out).toMatch(/too (large|big)|size|at most [\d.]+ ?[KM]B/i);
    }, 60_000);

    // issue 9 defect 4 (fixed): overlap was checked on path text, so an outbox that is a symlink
    // into its inbox passed validate and the daemon converted its own outputs over and over.
    it('an outbox that is a symlink into its own inbox is refused', async () => {
      figures.badInputsTried++;
      const inside = join(w.inbox, 'converted');
      await mkdir(inside, { recursive: true });
      const link = join(w.dir, 'outbox-link');
      await symlink(inside, link);
      await w.reconfigure({ outbox: link, rule: undefined });
      const res = await validate();
      expect(res.code).toBe(2);
      expect(res.out).toMatch(/inside|overlap|inbox/i);
    });
  });
});
