/**
 * What every benchmark hands back, and how docs/BENCHMARKS.md shows it. A benchmark measures
 * video-inbox beside the tool a user would use instead (its peer), in the same run, and reports the
 * ratio; the writer replaces only that benchmark's section of the document.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';

/** One line of a benchmark's table: our time beside the peer's, measured side by side. */
export interface Figure {
  /** What was measured, e.g. "`video-inbox --version`". */
  what: string;
  /** Median milliseconds for video-inbox. */
  oursMs: number;
  /** The peer, e.g. "`node -e 0`", and its median milliseconds in the same run. */
  peer: string;
  peerMs: number;
  /** The goal, when the project set one. */
  goal?: Goal;
  /** Anything else worth one short cell: throughput, peak memory. */
  note?: string;
}

/** A goal is a ratio to the peer, or a fixed allowance over it. */
export type Goal = { maxRatio: number } | { maxOverMs: number };

export interface Section {
  /** Stable id: the section's markers in the document (`<!-- bench:ID:start -->`). */
  id: string;
  title: string;
  /** A sentence or two: what is compared, how many runs, what the inputs are. */
  intro: string;
  figures: Figure[];
  /** Extra markdown below the table (breakdowns, caveats). */
  details?: string[];
  /** The command that reproduces exactly this section. */
  command: string;
  /** Machine and load at the start of the benchmark (machineLine()). */
  machine: string;
}

/** What the runner gives every benchmark. */
export interface BenchContext {
  /** Repetitions for the medians (`--runs`). */
  runs: number;
  /** A scratch folder of its own, removed afterwards. */
  work: string;
  /** Progress for the person waiting (stderr). */
  log: (line: string) => void;
  /** The runner's options after `--`, for benchmark-specific ones (e.g. `--size-mb 100`). */
  args: readonly string[];
}

export interface Benchmark {
  id: string;
  run(ctx: BenchContext): Promise<Section>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs >= 10_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  if (abs >= 1000) return `${sign}${(abs / 1000).toFixed(2)} s`;
  if (abs >= 10) return `${sign}${Math.round(abs)} ms`;
  return `${sign}${abs.toFixed(1)} ms`;
}

export function formatRatio(ours: number, peer: number): string {
  return peer > 0 && Number.isFinite(ours) ? `${(ours / peer).toFixed(2)}×` : '–';
}

/** "1.10× (met)" / "+150 ms (missed)" */
export function formatGoal(figure: Figure): string {
  const { goal } = figure;
  if (!goal) return '';
  if ('maxRatio' in goal) {
    const met = figure.oursMs <= figure.peerMs * goal.maxRatio;
    return `≤ ${goal.maxRatio.toFixed(2)}×: ${met ? 'met' : 'missed'}`;
  }
  const met = figure.oursMs - figure.peerMs <= goal.maxOverMs;
  return `≤ peer + ${formatMs(goal.maxOverMs)}: ${met ? 'met' : 'missed'}`;
}

export function formatRate(bytes: number, ms: number): string {
  return `${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;
}

export function machineLine(extra: string[] = []): string {
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  return [
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `Node ${process.version}`,
    ...extra,
    `load average ${load} at the start`,
  ].join(', ');
}

/** A Node binary a benchmark runs the CLI on. */
export interface BenchNode {
  bin: string;
  /** `v24.11.0` */
  version: string;
  /** Whether the CLI keeps its compiled code there (module.enableCompileCache: Node 22 and later). */
  compileCache: boolean;
}

/**
 * This process's node, then each one given with `--node <path>` (repeated, or comma-separated): the
 * CLI figures measured on the Node versions people run (22, 24) beside the one the bench runs on.
 */
export function benchNodes(args: readonly string[]): BenchNode[] {
  const key = args.join('\0');
  let nodes = nodesAsked.get(key);
  if (!nodes) nodesAsked.set(key, (nodes = resolveNodes(args)));
  return nodes;
}

/** Each node is asked once per bench run: every benchmark that measures the CLI reuses the answer. */
const nodesAsked = new Map<string, BenchNode[]>();

/** The machine line's words for the extra nodes a run measured (`also Node v24.11.0`). */
export function alsoNodes(nodes: readonly BenchNode[]): string[] {
  return nodes.slice(1).map((n) => `also Node ${n.version}`);
}

function resolveNodes(args: readonly string[]): BenchNode[] {
  const given = args.flatMap((a, i) => (a === '--node' && args[i + 1] ? args[i + 1]!.split(',') : []));
  return [process.execPath, ...given].map((bin) => {
    const run = spawnSync(
      bin,
      ['-p', "process.version + ' ' + typeof require('node:module').enableCompileCache"],
      {
        encoding: 'utf8',
      },
    );
    if (run.status !== 0) throw new Error(`--node ${bin} does not run: ${run.stderr || run.error?.message}`);
    const [version = '?', cache] = run.stdout.trim().split(' ');
    return { bin, version, compileCache: cache === 'function' };
  });
}

export const startMarker = (id: string) => `<!-- bench:${id}:start -->`;
export const endMarker = (id: string) => `<!-- bench:${id}:end -->`;

/** The markdown of one section, markers included. */
export function renderSection(section: Section): string {
  const withGoal = section.figures.some((f) => f.goal);
  const withNote = section.figures.some((f) => f.note);
  const head = ['Measure', 'video-inbox', 'Peer', 'Peer time', 'Ratio', 'Difference'];
  if (withGoal) head.push('Goal');
  if (withNote) head.push('Notes');
  const rows = section.figures.map((f) => {
    const cells = [
      f.what,
      formatMs(f.oursMs),
      f.peer,
      formatMs(f.peerMs),
      formatRatio(f.oursMs, f.peerMs),
      `${f.oursMs >= f.peerMs ? '+' : ''}${formatMs(f.oursMs - f.peerMs)}`,
    ];
    if (withGoal) cells.push(formatGoal(f));
    if (withNote) cells.push(f.note ?? '');
    return `| ${cells.join(' | ')} |`;
  });
  return [
    startMarker(section.id),
    `## ${section.title}`,
    '',
    section.intro,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows,
    ...(section.details?.length ? ['', ...section.details] : []),
    '',
    `Machine: ${section.machine}. A shared machine: read the ratios, not the absolute times.`,
    '',
    `Rerun: \`${section.command}\``,
    endMarker(section.id),
  ].join('\n');
}

/**
 * The document with `section` in place of its previous version; a new section goes before the
 * first section listed after it in `order` (or at the end), so the document keeps the runner's order.
 */
export function placeSection(doc: string, section: Section, order: readonly string[] = []): string {
  const text = renderSection(section);
  const start = doc.indexOf(startMarker(section.id));
  const end = doc.indexOf(endMarker(section.id));
  if (start >= 0 && end > start)
    return doc.slice(0, start) + text + doc.slice(end + endMarker(section.id).length);
  for (const later of order.slice(order.indexOf(section.id) + 1)) {
    const at = doc.indexOf(startMarker(later));
    if (order.includes(section.id) && at >= 0) return `${doc.slice(0, at)}${text}\n\n${doc.slice(at)}`;
  }
  return `${doc.trimEnd()}\n\n${text}\n`;
}

export async function writeSections(
  path: string,
  sections: readonly Section[],
  order: readonly string[],
): Promise<void> {
  let doc = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  for (const s of sections) doc = placeSection(doc, s, order);
  await writeFile(path, doc);
}
