import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { openJournal } from '../../../src/jobs/journal.js';
import { transpileForChild, type Transpiled } from '../../helpers/transpile.js';

/*
 * The child updates four jobs as fast as the disk allows (compacting often), printing "ack <id> <n>"
 * only after each update resolved. stdout to a pipe is synchronous on Linux, so whatever the parent
 * read was acknowledged before the kill.
 */
const CHILD = `
import { openJournal } from './src/jobs/journal.js';
import { systemClock } from './src/core/clock.js';
const stateDir = process.argv[2];
const j = await openJournal(stateDir, { clock: systemClock, compactMinBytes: 16 * 1024 });
let jobs = j.list({ state: 'queued' });
if (jobs.length === 0) {
  for (let i = 0; i < 4; i++) {
    jobs.push(await j.create({ folder: 'f', source: '/inbox/' + i + '.avi', sourceName: i + '.avi', size: i,
      mtimeMs: 0, contentHash: 'h' + i, ruleVersion: 'v1', engine: 'nemo' }));
  }
}
for (const job of jobs) process.stdout.write('job ' + job.id + ' ' + job.attempts + '\\n');
await Promise.all(jobs.map(async (job) => {
  for (let n = job.attempts + 1; ; n++) {
    await j.update(job.id, { attempts: n, percent: n % 100, message: 'step ' + n });
    process.stdout.write('ack ' + job.id + ' ' + n + '\\n');
  }
}));
`;

let child: Transpiled;
let stateDir: string;

beforeAll(async () => {
  child = await transpileForChild(['src/core', 'src/jobs', 'src/domain']);
  await writeFile(join(child.dir, 'writer.mjs'), CHILD);
  stateDir = await mkdtemp(join(tmpdir(), 'vi-kill-'));
});

afterAll(async () => {
  await child.cleanup();
  await rm(stateDir, { recursive: true, force: true });
});

/** Runs the writer until it has acknowledged `acks` updates, then kills it with SIGKILL. */
function runAndKill(acks: number): Promise<{ acked: Map<string, number>; started: Map<string, number> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(child.dir, 'writer.mjs'), stateDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    const started = new Map<string, number>();
    let seen = 0;
    let carry = '';
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    proc.stdout.on('data', (d: Buffer) => {
      const lines = (carry + String(d)).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, id, n] = line.split(' ');
        if (kind === 'job') started.set(id!, Number(n));
        if (kind === 'ack') {
          acked.set(id!, Number(n));
          if (++seen === acks) proc.kill('SIGKILL');
        }
      }
    });
    proc.on('error', reject);
    // 'close', not 'exit': acks still in the pipe when the child died must be read before judging.
    proc.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acked, started });
    });
  });
}

describe('journal under kill -9', () => {
  it.each([[150], [333], [520]])(
    'a writer killed after %i acknowledged updates loses none of them, and the next run resumes',
    async (acks) => {
      const { acked, started } = await runAndKill(acks);
      expect(started.size).toBe(4);
      const journal = await openJournal(stateDir, { clock: systemClock });
      try {
        expect(journal.list()).toHaveLength(4);
        for (const [id, from] of started) {
          const job = journal.get(id);
          const last = acked.get(id) ?? from;
          // Every acknowledged update is there; at most the one in flight at the kill is extra.
          const why = `job ${id}: started at ${from}, last ack read ${last}`;
          expect(job?.attempts, why).toBeGreaterThanOrEqual(last);
          expect(job?.attempts, why).toBeLessThanOrEqual(last + 1);
          expect(job?.message).toBe(job!.attempts > 0 ? `step ${job!.attempts}` : undefined);
        }
      } finally {
        await journal.close();
      }
      expect((await readdir(stateDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );
});
