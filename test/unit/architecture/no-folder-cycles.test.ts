import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, readSources } from '../../architecture/folder-graph.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

describe('the folders of src/', () => {
  it('import each other without a loop, directly or through a third folder', () => {
    const graph = folderGraph(readSources(SRC));
    expect(graph.size).toBeGreaterThan(10);
    expect(folderCycles(graph)).toEqual([]);
  });
});
