/**
 * The content hash (SHA-256 of the whole file, which identifies a video across renames) on a 2 GiB
 * file: `hashFile` against `sha256sum` and `openssl dgst -sha256`, alternating, in one run.
 * The file holds random bytes and sits in the page cache after it is written, so the figures are the
 * hashing and reading cost, not the disk's. `--hash-mb N` changes the size.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashFile } from '../src/core/content-hash.js';
import {
  formatRate,
  machineLine,
  median,
  type BenchContext,
  type Benchmark,
  type Figure,
  type Section,
} from './report.js';

async function makeInput(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.allocUnsafe(8 * 2 ** 20);
    for (let at = 0; at < size; at += chunk.length) {
      const n = Math.min(chunk.length, size - at);
      randomFillSync(chunk, 0, n);
      await handle.write(chunk, 0, n, at);
    }
  } finally {
    await handle.close();
  }
}

/** Wall time of a hashing tool and the hex digest it printed. */
function tool(cmd: string, args: string[]): Promise<{ ms: number; hex: string }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('error', fail);
    proc.once('close', (code) => {
      const ms = performance.now() - started;
      const hex = /\b[0-9a-f]{64}\b/.exec(out)?.[0];
      if (code !== 0 || !hex) return fail(new Error(`${cmd} failed (${code})`));
      done({ ms, hex });
    });
  });
}

async function run(ctx: BenchContext): Promise<Section> {
  const argMb = ctx.args.includes('--hash-mb') ? Number(ctx.args[ctx.args.indexOf('--hash-mb') + 1]) : 0;
  const size = (argMb > 0 ? argMb : 2048) * 2 ** 20;
  const machine = machineLine([`OpenSSL ${process.versions.openssl}`]);
  const path = join(ctx.work, 'video.bin');
  ctx.log(`hash: writing ${size / 2 ** 20} MiB`);
  await makeInput(path, size);

  const sides = {
    ours: [] as number[],
    sha256sum: [] as number[],
    openssl: [] as number[],
  };
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  await hashFile(path); // reads the file into the page cache for every side alike
  for (let i = 0; i < ctx.runs; i++) {
    const order =
      i % 2 === 0 ? (['ours', 'sha256sum', 'openssl'] as const) : (['openssl', 'sha256sum', 'ours'] as const);
    const digests = new Set<string>();
    for (const side of order) {
      if (side === 'ours') {
        const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
        const started = performance.now();
        digests.add(await hashFile(path));
        sides.ours.push(performance.now() - started);
        clearInterval(sampler);
      } else {
        const r =
          side === 'sha256sum'
            ? await tool('sha256sum', [path])
            : await tool('openssl', ['dgst', '-sha256', '-r', path]);
        sides[side].push(r.ms);
        digests.add(r.hex);
      }
    }
    if (digests.size !== 1) throw new Error(`the digests differ: ${[...digests].join(' ')}`);
    ctx.log(`hash: run ${i + 1}/${ctx.runs} done`);
  }
  const oursMs = median(sides.ours);
  const figure = (peer: string, peerMs: number): Figure => ({
    what: `\`hashFile\`, ${size / 2 ** 20} MiB`,
    oursMs,
    peer,
    peerMs,
    note: `${formatRate(size, oursMs)} vs ${formatRate(size, peerMs)}`,
  });
  return {
    id: 'hash',
    title: 'Content hash (SHA-256) vs sha256sum and openssl',
    intro:
      `Median wall time of ${ctx.runs} runs each over one ${size / 2 ** 20} MiB file of random bytes, already ` +
      'in the page cache; the three digests are checked equal. `hashFile` is what the daemon runs once ' +
      'per new file to recognise content it converted before.',
    figures: [
      figure('`sha256sum`', median(sides.sha256sum)),
      figure('`openssl dgst -sha256`', median(sides.openssl)),
    ],
    details: [
      "`hashFile` reads the file once, front to back, in 1 MiB reads, into Node's OpenSSL SHA-256, which " +
        "uses the CPU's SHA extensions where it has them. Debian's `sha256sum` runs at about a tenth of " +
        'that speed here (it shows no sign of using them); `openssl dgst`, on the same library with its own ' +
        "read loop, is slower too. The process's RSS rose by at most " +
        `${Math.max(0, Math.round((rssPeak - rssBefore) / 2 ** 20))} MiB while hashing.`,
    ],
    command: `npm run bench -- --only hash${argMb > 0 ? ` --hash-mb ${argMb}` : ''}`,
    machine,
  };
}

export const benchmark: Benchmark = { id: 'hash', run };
