import { execFile } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { errorReportName } from '../../../src/core/fit-name.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { killChildren, makeSandbox, waitFor, type Sandbox } from '../daemon/harness.js';

/** What the suites of a world take from the daemon harness, so each imports its set-up from here. */
export {
  distIsFresh,
  expectShareableMp4,
  killChildren,
  runCli,
  sigterm,
  spawnDaemon,
  waitFor,
  type Child,
} from '../daemon/harness.js';
import type { EmulatorOptions } from '../../emulator/index.js';
import type { RecordedRequest } from '../../emulator/index.js';

/**
 * Shared by the reliability suite (fault matrix, crash consistency, disk, bad inputs). Everything is
 * observed from outside the daemon: the folders a user sees, the emulator's request records and
 * `video-inbox status --json`; the daemon itself is the built CLI in a child process (harness.ts).
 */

const run = promisify(execFile);

export interface WorldConfig {
  engine?: 'nemo' | 'local';
  /** api.requestTimeoutSeconds: a stalled call is given up after this. */
  requestTimeoutSeconds?: number;
  concurrency?: number;
  settleSeconds?: number;
  rescanSeconds?: number;
  creditsCheckSeconds?: number;
  /** api.transferIdleSeconds: an upload or download with nothing moving fails after this. */
  transferIdleSeconds?: number;
  /** retrySeconds: the first whole-job retry waits this long. */
  retrySeconds?: number;
  /** Defaults: the sandbox's own folders. */
  outbox?: string;
  stateDir?: string;
  inbox?: string;
  /** The whole rule file, when the default (engine above, archive after) is not wanted. */
  rule?: string;
  /** Extra top-level config lines. */
  extra?: string[];
  /** Extra lines of the folder's own settings, e.g. `followLinks: true`. */
  folderExtra?: string[];
}

export interface World extends Sandbox {
  config: WorldConfig;
  /** Rewrites config.yaml (and the rule) with `patch` applied over the current settings. */
  reconfigure(patch: Partial<WorldConfig>): Promise<void>;
}

/** A sandbox (harness.ts) whose config also sets short API timeouts and the folders given. */
export async function makeWorld(config: WorldConfig = {}, emulator: EmulatorOptions = {}): Promise<World> {
  const sb = await makeSandbox({ emulator });
  const world: World = Object.assign(sb, {
    config: { ...config },
    async reconfigure(patch: Partial<WorldConfig>) {
      Object.assign(world.config, patch);
      await writeWorldConfig(world);
    },
  });
  await writeWorldConfig(world);
  return world;
}

async function writeWorldConfig(w: World): Promise<void> {
  const c = w.config;
  const lines = [
    'api:',
    '  pollSeconds: 0.2',
    `  requestTimeoutSeconds: ${c.requestTimeoutSeconds ?? 10}`,
    ...(c.creditsCheckSeconds ? [`  creditsCheckSeconds: ${c.creditsCheckSeconds}`] : []),
    ...(c.transferIdleSeconds ? [`  transferIdleSeconds: ${c.transferIdleSeconds}`] : []),
    ...(c.retrySeconds ? [`retrySeconds: ${c.retrySeconds}`] : []),
    `stateDir: ${JSON.stringify(c.stateDir ?? w.stateDir)}`,
    `concurrency: ${c.concurrency ?? 3}`,
    'notify: none',
    `settleSeconds: ${c.settleSeconds ?? 0.3}`,
    `rescanSeconds: ${c.rescanSeconds ?? 1}`,
    ...(c.extra ?? []),
    'folders:',
    '  - name: main',
    `    inbox: ${JSON.stringify(c.inbox ?? w.inbox)}`,
    `    outbox: ${JSON.stringify(c.outbox ?? w.outbox)}`,
    `    rules: ${JSON.stringify(w.rulePath())}`,
    ...(c.folderExtra ?? []).map((line) => `    ${line}`),
  ];
  const rule =
    c.rule ??
    [
      'skill: video-converter-best',
      'instruction: "Convert {name} to MP4 at 1080p"',
      `engine: ${c.engine ?? 'nemo'}`,
      'after: archive',
      '',
    ].join('\n');
  await writeAtomic(w.rulePath(), rule);
  await writeAtomic(w.configPath, `${lines.join('\n')}\n`);
}

export async function writeAtomic(path: string, text: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.writing`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** One tiny real video (H.264 in MP4, no sound), made once per file of tests. */
export async function makeBaseVideo(dir: string, seconds = 1): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'base.mp4');
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=160x120:rate=10:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    path,
  ]);
  return path;
}

/**
 * A file of the suite's set-up: the base video made once in its own temp dir (`path`); after the
 * file, any daemon still running is killed, the dir removed and the file's figures recorded.
 */
export function useBaseVideo(
  prefix: string,
  section: string,
  figures: Record<string, unknown>,
): { readonly path: string } {
  let dir = '';
  let path = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    path = await makeBaseVideo(dir);
  });
  afterAll(async () => {
    await killChildren();
    if (dir) await rm(dir, { recursive: true, force: true });
    await recordFigures(section, figures);
  });
  return {
    get path() {
      return path;
    },
  };
}

/**
 * The base video with a trailing MP4 `free` box carrying `tag`: still the same playable video, but
 * a different content to the daemon (it converts each content once, by design).
 */
export async function distinctVideo(base: string, tag: string): Promise<Buffer> {
  const bytes = await readFile(base);
  const payload = Buffer.from(`video-inbox reliability ${tag}`, 'utf8');
  const box = Buffer.alloc(8 + payload.length);
  box.writeUInt32BE(box.length, 0);
  box.write('free', 4, 'latin1');
  payload.copy(box, 8);
  return Buffer.concat([bytes, box]);
}

/** Drops a file the way a copy tool does: written beside under a hidden name, then renamed in. */
export async function drop(inbox: string, name: string, bytes: Buffer): Promise<string> {
  const path = join(inbox, name);
  await writeAtomic(path, bytes);
  return path;
}

/** Every name in a folder, hidden ones included (temp files are hidden); [] when it does not exist. */
export async function listAll(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** Names the daemon (or any of its writers) uses for files in the making. */
export function isTempName(name: string): boolean {
  return /\.(part|partial\.mp4|tmp|writing)$/.test(name) || name.startsWith('.video-inbox-');
}

/** Temp files left in the given folders (recursively). */
export async function tempFilesIn(...dirs: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (isTempName(e.name)) found.push(join(dir, e.name));
    }
  };
  for (const d of dirs) await walk(d);
  return found;
}

/** Where a dropped file ended, seen from the folders alone. */
export type Fate =
  | { kind: 'converted'; output: string; archived: number }
  | { kind: 'set-aside'; reason: string }
  | { kind: 'pending' }
  | { kind: 'inconsistent'; detail: string };

export interface Folders {
  inbox: string;
  outbox: string;
}

/**
 * The fate of `name` (dropped in the inbox): converted = `<stem>.mp4` in the outbox and the source
 * in `_done/`; set aside = the source in `_failed/` beside `<name>.error.txt` (shortened to fit NAME_MAX the way
 * the daemon documents, `errorReportName`); pending = still in
 * the inbox top level (or not yet anywhere); anything else is inconsistent.
 */
export async function fateOf(f: Folders, name: string, outputName?: string): Promise<Fate> {
  const stem = basename(name, extname(name));
  const output = outputName ?? `${stem}.mp4`;
  const inInbox = present(join(f.inbox, name));
  const done = (await listAll(join(f.inbox, '_done'))).filter((n) => sameSource(n, name));
  const failedHere = present(join(f.inbox, '_failed', name));
  const report = join(f.inbox, '_failed', errorReportName(name));
  const hasOutput = existsSync(join(f.outbox, output));
  // Still in the inbox beside its _done/ copy: the archive (a link, then the source's unlink) is
  // under way. Left that way for good, the file never settles and the wait says so.
  if (inInbox && !failedHere) return { kind: 'pending' };
  if (failedHere) {
    if (done.length > 0 || inInbox)
      return { kind: 'inconsistent', detail: `${name}: in _failed/ and elsewhere` };
    if (!existsSync(report)) return { kind: 'pending' }; // the report follows the move
    return { kind: 'set-aside', reason: await readFile(report, 'utf8') };
  }
  if (done.length > 0) {
    if (!hasOutput) return { kind: 'inconsistent', detail: `${name}: archived in _done/ without ${output}` };
    return { kind: 'converted', output: join(f.outbox, output), archived: done.length };
  }
  return { kind: 'pending' };
}

/** The name exists (a dangling or looping link too). */
export function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `_done/` numbers a collision `name (1).ext`: those are the same source archived again. */
function sameSource(entry: string, name: string): boolean {
  if (entry === name) return true;
  const ext = extname(name);
  const stem = basename(name, ext);
  return new RegExp(`^${escapeRe(stem)} \\(\\d+\\)${escapeRe(ext)}$`).test(entry);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits until every name has a final fate (converted or set aside) and returns the fates. */
export async function waitForFates(
  f: Folders,
  names: string[],
  timeoutMs = 90_000,
  outputNames: Record<string, string> = {},
): Promise<Record<string, Fate>> {
  let last: Record<string, Fate> = {};
  try {
    return await waitFor(
      async () => {
        last = {};
        for (const n of names) last[n] = await fateOf(f, n, outputNames[n]);
        return Object.values(last).every((x) => x.kind === 'converted' || x.kind === 'set-aside')
          ? last
          : undefined;
      },
      timeoutMs,
      'every file converted or set aside',
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}`);
  }
}

/** Renders started at the emulator per file: sessions are tied to files by their instruction text. */
/** Exactly one render was started for each of `names`. */
export function expectOneRenderEach(requests: RecordedRequest[], names: string[]): void {
  expect(rendersPerFile(requests, names)).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
}

export function rendersPerFile(requests: RecordedRequest[], names: string[]): Record<string, number> {
  const fileOfSession = new Map<string, string>();
  for (const r of requests) {
    if (r.endpoint !== 'sse') continue;
    const body = r.body as { session_id?: string; new_message?: { parts?: { text?: string }[] } } | undefined;
    const text = body?.new_message?.parts?.map((p) => p.text ?? '').join(' ') ?? '';
    const file = names.find((n) => text.includes(n));
    if (file && body?.session_id) fileOfSession.set(body.session_id, file);
  }
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  return Object.assign(counts, countRendersBySession(requests, fileOfSession));
}

function countRendersBySession(
  requests: RecordedRequest[],
  fileOfSession: Map<string, string>,
): Record<string, number> {
  // Distinct render ids accepted per file: a resent start with the same id is one render.
  const ids = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.endpoint !== 'render-start') continue;
    const body = r.body as { id?: string; sessionId?: string } | undefined;
    const file = body?.sessionId ? fileOfSession.get(body.sessionId) : undefined;
    if (!file || !body?.id) continue;
    const set = ids.get(file) ?? new Set<string>();
    set.add(body.id);
    ids.set(file, set);
  }
  return Object.fromEntries([...ids].map(([file, set]) => [file, set.size]));
}

/** The endpoints the emulator saw from request number `from` on, faults marked: for failure messages. */
export function requestTrail(requests: RecordedRequest[], from = 0): string {
  return requests
    .slice(from)
    .map((r) => `${r.endpoint}${r.fault ? `(${r.fault.kind})` : ''}`)
    .join(' ');
}

export async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** Counts for docs/RELIABILITY.md: each file of the suite merges its own into one JSON file. */
export const FIGURES_PATH =
  process.env.VIDEO_INBOX_RELIABILITY_FIGURES ?? join(tmpdir(), 'video-inbox-reliability.json');

export async function recordFigures(section: string, figures: Record<string, unknown>): Promise<void> {
  // Files of the suite run in parallel workers: a lock directory keeps their read-merge-write whole.
  const lock = `${FIGURES_PATH}.lock`;
  await waitFor(
    async () => {
      try {
        await mkdir(lock);
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    'the figures lock',
  ).catch(() => undefined); // a lock left by a killed run: write anyway
  try {
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(await readFile(FIGURES_PATH, 'utf8')) as Record<string, unknown>;
    } catch {
      all = {};
    }
    all[section] = { ...figures, at: new Date().toISOString() };
    await writeAtomic(FIGURES_PATH, `${JSON.stringify(all, null, 2)}\n`);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
  console.log(`reliability figures (${section}): ${JSON.stringify(figures)} → ${FIGURES_PATH}`);
}
