/**
 * `npm run bench`: runs every benchmark below, in order, and rewrites each one's section of
 * docs/BENCHMARKS.md. A new benchmark is one file exporting `benchmark: Benchmark` (see report.ts)
 * plus one line in BENCHMARKS.
 *
 * Options (after `npm run bench --`): `--only id[,id…]`, `--runs N` (default 3), `--no-write` to
 * print the sections without touching the document; anything else is passed to the benchmarks
 * (`--node <path>`: the CLI figures also on that node, e.g. Node 24 beside the machine's Node 20).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Benchmark, Section } from './report.js';
import { renderSection, writeSections } from './report.js';

const BENCHMARKS: ReadonlyArray<readonly [string, () => Promise<{ benchmark: Benchmark }>]> = [
  ['cli-startup', () => import('./cli-startup.js')],
  ['local-engine', () => import('./local-engine.js')],
  ['hash', () => import('./hash.js')],
  ['transfer', () => import('./transfer.js')],
  ['journal', () => import('./journal.js')],
  ['detection-latency', () => import('./detection-latency.js')],
  ['idle-scale', () => import('./idle-scale.js')],
  ['pipeline', () => import('./pipeline.js')],
];

const DOC = resolve('docs/BENCHMARKS.md');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const valueOf = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const runs = Number(valueOf('--runs')) || 3;
  const only = valueOf('--only')?.split(',');
  const write = !argv.includes('--no-write');
  const order = BENCHMARKS.map(([id]) => id);
  const unknown = only?.filter((id) => !order.includes(id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`Unknown benchmark ${unknown.join(', ')}; known: ${order.join(', ')}`);

  const sections: Section[] = [];
  let failed = 0;
  for (const [id, load] of BENCHMARKS) {
    if (only && !only.includes(id)) continue;
    const work = resolve('bench/.work', id);
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    console.error(`== ${id}`);
    try {
      const { benchmark } = await load();
      const section = await benchmark.run({
        runs,
        work,
        log: (line) => console.error(line),
        args: argv,
      });
      console.log(`${renderSection(section)}\n`);
      sections.push(section);
      // Written as each one ends, so a later benchmark that crashes costs none of these figures.
      if (write) await writeSections(DOC, [section], order);
    } catch (err) {
      // One broken benchmark must not cost the others' figures.
      failed++;
      console.error(`${id} failed:`, err);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  await rm(join(resolve('bench/.work')), { recursive: true, force: true });
  if (write && sections.length > 0) console.error(`Wrote ${sections.length} section(s) of ${DOC}`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
