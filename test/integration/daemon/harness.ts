import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { realPorts } from '../../../src/app/ports.js';
import { systemClock } from '../../../src/core/clock.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import type { JobRecord } from '../../../src/domain/job.js';
import { openJournal } from '../../../src/jobs/journal.js';
import type { Notice } from '../../../src/notify/notifier.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { captureLog } from '../../helpers/capture-log.js';
import { distIsFreshIn } from '../../helpers/dist-fresh.js';
import { probe } from '../../helpers/media.js';
import { sleep, waitFor } from '../../helpers/wait.js';

export { sleep, waitFor };

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'dist', 'src', 'cli', 'bin.js');

/**
 * True when every module under src/ has a built twin at least as new: `npm test` builds first
 * (pretest); a bare `npx vitest run` after an edit would otherwise test stale code in the child.
 */
export function distIsFresh(): boolean {
  return distIsFreshIn(root);
}

export interface RuleSpec {
  instruction?: string;
  engine?: 'nemo' | 'local';
  after?: 'archive' | 'delete' | 'keep';
  match?: string[];
  extra?: string;
}

export function ruleYaml(spec: RuleSpec = {}): string {
  const lines = [
    'skill: video-converter-best',
    `instruction: ${JSON.stringify(spec.instruction ?? 'Convert {name} to MP4 at 1080p')}`,
  ];
  if (spec.engine) lines.push(`engine: ${spec.engine}`);
  if (spec.after) lines.push(`after: ${spec.after}`);
  if (spec.match) lines.push(`match: ${JSON.stringify(spec.match)}`);
  if (spec.extra) lines.push(spec.extra);
  return `${lines.join('\n')}\n`;
}

export interface ConfigSpec {
  concurrency?: number;
  maxUploadMB?: number;
  rescanSeconds?: number;
  creditsCheckSeconds?: number;
  /** Extra folders beside `main` (same outbox, own rule file `rules/<name>.yaml`). */
  folders?: string[];
  /** Raw YAML lines appended at the top level (e.g. `schedule:` or `notify:` blocks). */
  extra?: string[];
}

/**
 * A temp world: HOME and XDG dirs, one inbox `main` (plus any extra folders), an outbox, a state dir,
 * a rule file per folder and the config, with the emulator as the API.
 */
export interface Sandbox {
  dir: string;
  inbox: string;
  outbox: string;
  stateDir: string;
  configPath: string;
  env: Record<string, string>;
  emu: Emulator;
  rulePath(folder?: string): string;
  inboxOf(folder: string): string;
  writeConfig(spec?: ConfigSpec): Promise<void>;
  writeRule(spec: RuleSpec | string, folder?: string): Promise<void>;
  /** Stops the emulator and removes the folder (once, however often it is called). */
  close(): Promise<void>;
  /** Runs `closer` first when the sandbox closes (something the test started on it, say a Redis). */
  onClose(closer: () => Promise<void>): void;
}

const sandboxes = new Set<Sandbox>();
const inProcess = new Set<Daemon>();

/**
 * The one teardown of the daemon suites: after each test, every daemon it started (in this
 * process or as a child) is stopped and every sandbox it made is closed. `also` runs in between
 * (after the daemons, before the folders go), e.g. to unmount a file system.
 */
export function cleanUpAfterEach(also?: () => unknown): void {
  afterEach(() => cleanUp(also));
}

/** The same teardown once after the file, for suites whose tests share one sandbox. */
export function cleanUpAfterAll(): void {
  afterAll(() => cleanUp());
}

async function cleanUp(also?: () => unknown): Promise<void> {
  for (const daemon of inProcess) await daemon.stop().catch(() => undefined);
  inProcess.clear();
  await stopChildren();
  await also?.();
  for (const sb of [...sandboxes]) await sb.close();
}

/** Media made once for a file of tests in its own temp dir, removed after the file. */
export interface Media {
  /** The temp dir (set once the suite started). */
  readonly dir: string;
  /** What `make` returned, filled in place before the first test. */
  readonly files: string[];
}

export function useMedia(prefix: string, make: (dir: string) => Promise<string[]> = async () => []): Media {
  const files: string[] = [];
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    files.push(...(await make(dir)));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    files,
  };
}

export async function makeSandbox(
  opts: { config?: ConfigSpec; rule?: RuleSpec; emulator?: EmulatorOptions } = {},
): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-daemon-'));
  const emu = await startEmulator({
    seed: 11,
    instructionMs: 100,
    heartbeatMs: 20,
    renderPolls: 1,
    textlessRate: 0,
    ...opts.emulator,
  });
  const home = join(dir, 'home');
  const sb: Sandbox = {
    dir,
    inbox: join(dir, 'inbox', 'main'),
    outbox: join(dir, 'outbox'),
    stateDir: join(dir, 'state'),
    configPath: join(dir, 'config.yaml'),
    emu,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_RUNTIME_DIR: join(home, 'run'),
      LANG: 'C.UTF-8',
      NEMO_API_BASE: emu.url,
    },
    rulePath: (folder = 'main') => join(dir, 'rules', `${folder}.yaml`),
    inboxOf: (folder) => join(dir, 'inbox', folder),
    async writeConfig(spec = {}) {
      const folders = ['main', ...(spec.folders ?? [])];
      const lines = [
        'api:',
        '  pollSeconds: 0.2',
        ...(spec.creditsCheckSeconds ? [`  creditsCheckSeconds: ${spec.creditsCheckSeconds}`] : []),
        `stateDir: ${sb.stateDir}`,
        `concurrency: ${spec.concurrency ?? 3}`,
        ...(spec.extra?.some((l) => l.startsWith('notify:')) ? [] : ['notify: none']),
        'settleSeconds: 0.3',
        `rescanSeconds: ${spec.rescanSeconds ?? 2}`,
        ...(spec.maxUploadMB ? [`maxUploadMB: ${spec.maxUploadMB}`] : []),
        // A free port per daemon (it writes the address to <stateDir>/http.json): tests run side by side.
        'http:',
        '  port: 0',
        ...(spec.extra ?? []),
        'folders:',
        ...folders.flatMap((name) => [
          `  - name: ${name}`,
          `    inbox: inbox/${name}`,
          '    outbox: outbox',
          `    rules: rules/${name}.yaml`,
        ]),
      ];
      await writeAtomic(sb.configPath, `${lines.join('\n')}\n`);
    },
    async writeRule(spec, folder = 'main') {
      await writeAtomic(sb.rulePath(folder), typeof spec === 'string' ? spec : ruleYaml(spec));
    },
    close() {
      sandboxes.delete(sb);
      closing ??= (async () => {
        for (const closer of closers.reverse()) await closer();
        await emu.close();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
    onClose(closer) {
      closers.push(closer);
    },
  };
  let closing: Promise<void> | undefined;
  const closers: (() => Promise<void>)[] = [];
  sandboxes.add(sb);
  await Promise.all(
    [sb.inbox, sb.outbox, join(dir, 'rules'), home, join(home, 'run')].map((d) =>
      mkdir(d, { recursive: true }),
    ),
  );
  for (const f of opts.config?.folders ?? []) await mkdir(sb.inboxOf(f), { recursive: true });
  await sb.writeRule(opts.rule ?? {});
  for (const f of opts.config?.folders ?? []) await sb.writeRule(opts.rule ?? {}, f);
  await sb.writeConfig(opts.config);
  return sb;
}

/** Editors and `cp` alike: write beside, then rename, so a reader never sees half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** The daemon in this process, with its log lines and notices kept for assertions. */
export interface InProcess {
  daemon: Daemon;
  logs: ReturnType<typeof captureLog>;
  notices: Notice[];
}

export async function startInProcess(sb: Sandbox, creditsCheckMs?: number): Promise<InProcess> {
  const logs = captureLog('debug');
  const notices: Notice[] = [];
  const daemon = await startDaemon({
    configPath: sb.configPath,
    ports: {
      ...realPorts({ env: sb.env, log: logs.log, clock: systemClock }),
      notifier: () => ({ notify: (n: Notice) => void notices.push(n) }),
    },
    creditsCheckMs,
  });
  inProcess.add(daemon);
  return { daemon, logs, notices };
}

/** `video-inbox start` as a user runs it: the built CLI in a child process, JSON log lines on stdout. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log entry whose msg contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

const children = new Set<ChildProcess>();

export function spawnDaemon(sb: Sandbox): Child {
  const proc = spawn(process.execPath, [bin, 'start', '--config', sb.configPath], {
    env: { ...sb.env, VIDEO_INBOX_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  // 'exit' can come before the last output is read: resolve once both pipes have ended too, so
  // a test that looks at `lines` after the exit sees every line (bounded, in case a grandchild holds a pipe).
  const drained = Promise.all(
    [proc.stdout!, proc.stderr!].map((s) => new Promise<void>((resolve) => s.once('close', resolve))),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      void Promise.race([drained, sleep(5000)]).then(() => {
        if (partial.trim() !== '') lines.push(partial);
        partial = '';
        resolve({ code, signal });
      });
    }),
  );
  return {
    proc,
    lines,
    exited,
    waitForLog: (text, timeoutMs = 30_000) =>
      waitFor(
        () => {
          for (const line of lines) {
            const entry = parseLine(line);
            if (entry && String(entry.msg ?? '').includes(text)) return entry;
          }
          return undefined;
        },
        timeoutMs,
        `log "${text}"\n${lines.slice(-20).join('\n')}`,
      ),
  };
}

export function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM and waits for the exit, measuring how long the daemon took to stop. */
export async function sigterm(child: Child): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  child.proc.kill('SIGTERM');
  const { code } = await child.exited;
  return { code, ms: Date.now() - t0 };
}

/**
 * SIGTERMs every child still running, so each stops its own ffmpeg, and SIGKILLs any that has not
 * stopped 10 s later.
 */
export async function stopChildren(): Promise<void> {
  const running = [...children].filter((p) => p.exitCode === null && p.signalCode === null);
  for (const proc of running) proc.kill('SIGTERM');
  await Promise.race([
    Promise.all(running.map((p) => new Promise((resolve) => p.once('exit', resolve)))),
    sleep(10_000),
  ]);
  await killChildren();
}

/** The built daemon started on `sb`, once it watches its inboxes. */
export async function startChild(sb: Sandbox, timeoutMs = 60_000): Promise<Child> {
  const child = spawnDaemon(sb);
  await child.waitForLog('Watching inboxes', timeoutMs);
  return child;
}

/** A job has finished when it is done or failed (then set aside). */
export const isFinished = (state: string | undefined): boolean => state === 'done' || state === 'failed';

/**
 * One file through the built daemon, as a user meets it: the daemon started, `source` copied into
 * the inbox (as `name`, by default its own), and the job followed until it finished.
 */
export async function oneFileThroughDaemon(
  sb: Sandbox,
  source: string,
  opts: { name?: string; timeoutMs?: number; what?: string } = {},
): Promise<{ child: Child; job: JobRecord | undefined }> {
  const child = await startChild(sb);
  await copyFile(source, join(sb.inbox, opts.name ?? basename(source)));
  const [job] = await waitForJobs(sb, (j) => isFinished(j[0]?.state), opts.timeoutMs ?? 180_000, opts.what);
  return { child, job };
}

/** The built daemon run on `sb` until its jobs satisfy `until`, then stopped with SIGTERM. */
export async function runDaemonUntil(
  sb: Sandbox,
  until: (jobs: JobRecord[]) => boolean,
  timeoutMs?: number,
): Promise<void> {
  const child = await startChild(sb);
  await waitForJobs(sb, until, timeoutMs);
  await sigterm(child);
}

/** SIGKILLs every child still running (afterEach). */
export async function killChildren(): Promise<void> {
  const waits = [...children].map(
    (proc) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

/** Runs a CLI command to completion. */
export function runCli(
  sb: Sandbox,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: sb.env }, (err, stdout, stderr) =>
      resolve({
        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
        stdout,
        stderr,
      }),
    ),
  );
}

/** The journal as the daemon last wrote it (read-only: the daemon owns the file). */
export async function readJobs(sb: Sandbox): Promise<JobRecord[]> {
  if (!existsSync(sb.stateDir)) return [];
  const journal = await openJournal(sb.stateDir, { readOnly: true });
  const jobs = journal.list();
  await journal.close();
  return jobs;
}

export async function waitForJobs(
  sb: Sandbox,
  ok: (jobs: JobRecord[]) => boolean,
  timeoutMs = 60_000,
  what = 'jobs',
): Promise<JobRecord[]> {
  let last: JobRecord[] = [];
  try {
    return await waitFor(
      async () => {
        last = await readJobs(sb);
        return ok(last) ? last : undefined;
      },
      timeoutMs,
      what,
    );
  } catch (err) {
    const summary = last.map((j) => `${j.sourceName}: ${j.state} ${j.error?.code ?? ''} ${j.message ?? ''}`);
    throw new Error(`${(err as Error).message}\n${summary.join('\n')}`);
  }
}

export async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

/** Copies `from` to `to` in chunks with pauses, like a slow network copy. */
export async function slowCopy(from: string, to: string, chunks = 4, pauseMs = 250): Promise<void> {
  const data = await readFile(from);
  const out = await open(to, 'w');
  try {
    const size = Math.ceil(data.length / chunks);
    for (let i = 0; i < data.length; i += size) {
      await out.write(data.subarray(i, i + size));
      await out.sync();
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  } finally {
    await out.close();
  }
}

/** An output that a person can share: MP4 container, H.264 video within 1920×1080. */
export async function expectShareableMp4(path: string): Promise<void> {
  const info = await probe(path);
  if (!info.formatName.includes('mp4')) throw new Error(`${path}: container ${info.formatName}`);
  if (info.video?.codec !== 'h264') throw new Error(`${path}: video codec ${info.video?.codec}`);
  if (info.video.height > 1080 || info.video.width > 1920)
    throw new Error(`${path}: ${info.video.width}x${info.video.height}`);
  if (!(info.durationSec > 0)) throw new Error(`${path}: no duration`);
  if ((await stat(path)).size === 0) throw new Error(`${path}: empty`);
}

/** The instruction texts the emulator received on its SSE endpoint, in order. */
export function sentInstructions(emu: Emulator): string[] {
  return emu.requests
    .filter((r) => r.endpoint === 'sse')
    .map((r) => {
      const body = r.body as { new_message?: { parts?: { text?: string }[] } } | undefined;
      return body?.new_message?.parts?.find((p) => typeof p.text === 'string')?.text ?? '';
    });
}
