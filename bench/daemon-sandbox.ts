/**
 * A temp world for daemon benchmarks: HOME/XDG dirs, inbox folders, an outbox, a state dir, a rule
 * that takes only videos, a config, and the API emulator on loopback. Starts the built CLI
 * (`dist/src/cli/bin.js start`) and reads its JSON log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../test/emulator/server.js';
import type { Emulator, EmulatorOptions } from '../test/emulator/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const bin = join(root, 'dist', 'src', 'cli', 'bin.js');

export interface BenchSandbox {
  dir: string;
  inbox: string;
  emu: Emulator;
  env: Record<string, string>;
  configPath: string;
  close(): Promise<void>;
}

export async function makeBenchSandbox(opts: {
  settleSeconds: number;
  concurrency?: number;
  /** Latencies of the emulator (default: short ones, 100 ms instruction and one render poll). */
  emulator?: Partial<EmulatorOptions>;
}): Promise<BenchSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-bench-daemon-'));
  const emu = await startEmulator({
    seed: 11,
    instructionMs: 100,
    heartbeatMs: 20,
    renderPolls: 1,
    ...opts.emulator,
  });
  const home = join(dir, 'home');
  const inbox = join(dir, 'inbox', 'main');
  for (const d of [inbox, join(dir, 'outbox'), join(dir, 'rules'), join(home, 'run')])
    await mkdir(d, { recursive: true });
  await writeFile(
    join(dir, 'rules', 'main.yaml'),
    'skill: video-converter-best\ninstruction: "Convert {name} to MP4"\nmatch: ["*.mkv", "*.mov", "*.mp4"]\n',
  );
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      'api:',
      '  pollSeconds: 0.2',
      `stateDir: ${join(dir, 'state')}`,
      `concurrency: ${opts.concurrency ?? 3}`,
      'notify: none',
      `settleSeconds: ${opts.settleSeconds}`,
      'folders:',
      '  - name: main',
      '    inbox: inbox/main',
      '    outbox: outbox',
      '    rules: rules/main.yaml',
      '',
    ].join('\n'),
  );
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    LANG: 'C.UTF-8',
    NEMO_API_BASE: emu.url,
  };
  return {
    dir,
    inbox,
    emu,
    env,
    configPath,
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningDaemon {
  proc: ChildProcess;
  startedAt: number;
  /** Resolves with the `nth` (0-based) log entry whose msg contains `text`. */
  waitForLog(text: string, nth?: number, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function startDaemon(sb: BenchSandbox): RunningDaemon {
  const startedAt = Date.now();
  const proc = spawn(process.execPath, [bin, 'start', '--config', sb.configPath], {
    env: { ...sb.env, VIDEO_INBOX_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entries: Record<string, unknown>[] = [];
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        entries.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return {
    proc,
    startedAt,
    async waitForLog(text, nth = 0, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = entries.filter((e) => String(e.msg ?? '').includes(text))[nth];
        if (hit) return hit;
        if (Date.now() > deadline || proc.exitCode !== null) {
          const tail = entries.slice(-10).map((e) => JSON.stringify(e));
          throw new Error(`No log "${text}" within ${timeoutMs} ms\n${tail.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
