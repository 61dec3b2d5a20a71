import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeVideo, type MediaSpec } from '../../helpers/media.js';
import { cleanUpAfterEach, makeSandbox, useMedia, type Sandbox } from '../daemon/harness.js';

/** What the reliability suites take from the daemon harness, so each imports its set-up from here. */
export {
  cleanUpAfterEach,
  distIsFresh,
  listFiles,
  makeSandbox,
  runCli,
  sigterm,
  spawnDaemon,
  startChild,
  startInProcess,
  waitFor,
  waitForJobs,
  type Sandbox,
} from '../daemon/harness.js';

/** One folder of a hand-written config; paths relative to the sandbox (the config's folder). */
export interface FolderSpec {
  name: string;
  inbox: string;
  outbox: string;
  rules?: string;
}

/**
 * The config a reliability test needs, written as a user would: folders with any inbox and outbox
 * paths (overlaps, links), small settle and rescan windows, `notify` as asked.
 */
export function configText(
  sb: Sandbox,
  folders: FolderSpec[],
  opts: { notify?: 'none' | 'desktop'; rescanSeconds?: number } = {},
): string {
  const lines = [
    'api:',
    '  pollSeconds: 0.2',
    `stateDir: ${sb.stateDir}`,
    'concurrency: 2',
    `notify: ${opts.notify ?? 'none'}`,
    'settleSeconds: 0.3',
    `rescanSeconds: ${opts.rescanSeconds ?? 1}`,
    'folders:',
    ...folders.flatMap((f) => [
      `  - name: ${f.name}`,
      `    inbox: ${f.inbox}`,
      `    outbox: ${f.outbox}`,
      `    rules: ${f.rules ?? `rules/${f.name}.yaml`}`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes beside and renames, like an editor, so the daemon never reads half a file. */
export async function writeAtomic(path: string, text: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** A sandbox whose one folder `main` uses the local engine (no cloud needed, fast and real). */
export async function localSandbox(): Promise<Sandbox> {
  const sb = await makeSandbox({ rule: { engine: 'local' } });
  await writeAtomic(sb.configPath, configText(sb, [{ name: 'main', inbox: 'inbox/main', outbox: 'outbox' }]));
  return sb;
}

/** 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`"${needle}" not in the text`);
}

/** Copies a prepared clip into an inbox under `name`. */
export async function drop(clip: string, inbox: string, name: string): Promise<string> {
  await mkdir(inbox, { recursive: true });
  const to = join(inbox, name);
  await copyFile(clip, to);
  return to;
}

/**
 * `count` small real videos (MPEG-4 in AVI, one second), made once for the file of tests, each a
 * different content (the frame rate differs): the daemon converts a content once.
 */
export function useClips(prefix: string, count: number, spec: MediaSpec = {}): string[] {
  return useMedia(prefix, async (dir) => {
    const clips: string[] = [];
    for (let i = 0; i < count; i++)
      clips.push(
        await makeVideo(join(dir, `c${i}.avi`), {
          videoCodec: 'mpeg4',
          durationSec: 1,
          fps: 20 + i,
          ...spec,
        }),
      );
    return clips;
  }).files;
}

/**
 * The daemon suite's teardown (`cleanUpAfterEach`) for tests that mount file systems: push each
 * mount point to the returned list; after each test, once the daemons have stopped, they are
 * unmounted (lazily, so a busy one goes too) before the sandbox is removed.
 */
export function cleanUpWithMounts(): string[] {
  const mounts: string[] = [];
  cleanUpAfterEach(() => {
    for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  });
  return mounts;
}

/**
 * Whether this process may mount (root, CAP_SYS_ADMIN): `mount` tried once with `args(dir)` on a
 * fresh temp dir, so a test can say why it is skipped.
 */
export function canMount(args: (dir: string) => string[]): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = execFileSync('mktemp', ['-d']).toString().trim();
  try {
    execFileSync('mount', args(dir), { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rmdir', [dir]);
  }
}

/** tmpfs needs root (CAP_SYS_ADMIN); probed once so the skip says why. */
export function canMountTmpfs(): boolean {
  return canMount((dir) => ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
}

/** The suite's clips (see `useClips`) and the list of mounts its tests make, unmounted after each test. */
export function useClipsAndMounts(
  prefix: string,
  count: number,
  spec: MediaSpec = {},
): { clips: string[]; mounts: string[] } {
  return { clips: useClips(prefix, count, spec), mounts: cleanUpWithMounts() };
}
