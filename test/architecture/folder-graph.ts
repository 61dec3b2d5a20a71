import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** Folder → the other folders its files import (static, type-only, re-exports and `import()`). */
export type FolderGraph = Map<string, Set<string>>;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The top folders under src/ that one file (at `file`, relative to src/, posix) imports. */
export function importedFolders(file: string, source: string): string[] {
  const from = posix.dirname(file);
  const out = new Set<string>();
  for (const match of source.matchAll(SPECIFIER)) {
    const target = posix.normalize(posix.join(from, match[1]!));
    if (target.startsWith('..')) continue;
    const top = target.split('/')[0]!;
    if (target.includes('/') && top !== topFolder(file)) out.add(top);
  }
  return [...out].sort();
}

function topFolder(file: string): string {
  return file.split('/')[0]!;
}

/** The graph of `files` (path relative to src/ → source text). Files at src/ itself are skipped. */
export function folderGraph(files: ReadonlyMap<string, string>): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const [file, source] of files) {
    if (!file.includes('/')) continue;
    const folder = topFolder(file);
    const edges = graph.get(folder) ?? new Set<string>();
    for (const target of importedFolders(file, source)) edges.add(target);
    graph.set(folder, edges);
  }
  return graph;
}

/**
 * Groups of folders that import each other, directly or through others (strongly connected
 * components of more than one folder, Tarjan's algorithm), each sorted; none when the graph is a DAG.
 */
export function folderCycles(graph: FolderGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Every .ts file under `srcDir`, keyed by its path relative to it (posix). */
export function readSources(srcDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(srcDir, path).split(sep).join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

/**
 * The folder table of a markdown document (rows `| \`a\`, \`b\` (note) | \`c\`, \`d\` (note) |`, or
 * `nothing`) as a graph; notes in parentheses are not folders.
 */
export function documentedGraph(markdown: string): FolderGraph {
  const graph: FolderGraph = new Map();
  const names = (cell: string): string[] =>
    [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([a-z]+)`/g)].map((m) => m[1]!);
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length !== 4 || !cells[1]!.startsWith('`')) continue;
    for (const folder of names(cells[1]!)) graph.set(folder, new Set(names(cells[2]!)));
  }
  return graph;
}
