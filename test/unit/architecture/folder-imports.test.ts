import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentedGraph, folderCycles, folderGraph, readSources } from '../../architecture/folder-graph.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));
const ARCHITECTURE = fileURLToPath(new URL('../../../docs/ARCHITECTURE.md', import.meta.url));

const sorted = (graph: Map<string, Set<string>>) =>
  Object.fromEntries([...graph].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));

describe('the folders of src/', () => {
  const graph = folderGraph(readSources(SRC));

  it('import each other without a loop, directly or through a third folder', () => {
    expect(graph.size).toBeGreaterThan(10);
    expect(
      folderCycles(graph),
      'These folders import each other: move the shared piece down a layer (docs/ARCHITECTURE.md)',
    ).toEqual([]);
  });

  it('import exactly what the table in docs/ARCHITECTURE.md says', () => {
    const documented = documentedGraph(readFileSync(ARCHITECTURE, 'utf8'));
    expect(
      sorted(documented),
      'A folder now imports another (or no longer does): update the import table in docs/ARCHITECTURE.md',
    ).toEqual(sorted(graph));
  });
});
