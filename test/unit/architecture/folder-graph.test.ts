import { describe, expect, it } from 'vitest';
import {
  documentedGraph,
  folderCycles,
  folderGraph,
  importedFolders,
} from '../../architecture/folder-graph.js';

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

describe('folder graph: which folders a file imports', () => {
  it.each<[string, string, string[]]>([
    ['run/run-job.ts', "import { deliver } from '../outbox/deliver.js';", ['outbox']],
    ['run/run-job.ts', "import type { JobRecord } from '../domain/job.js';", ['domain']],
    ['run/run-job.ts', "export { outputContract } from './conform-render.js';", []],
    ['cli/bin.ts', "const { start } = await import('../daemon/start.js');", ['daemon']],
    ['cli/bin.ts', "import '../core/side-effect.js';", ['core']],
    ['engines/nemo/client.ts', "import { http } from '../http.js';", []],
    ['engines/nemo/client.ts', "import { x } from '../../core/errors.js';", ['core']],
    ['watch/inbox.ts', "import { watch } from 'chokidar';\nimport { z } from 'zod';", []],
    [
      'queue/pipeline.ts',
      "import a from '../run/a.js';\nimport b from '../run/b.js';\nimport c from '../core/c.js';",
      ['core', 'run'],
    ],
  ])('%s with %j imports %j', (file, source, folders) => {
    expect(importedFolders(file, source)).toEqual(folders);
  });

  it('joins the files of a folder and skips files at the top of src/', () => {
    const g = folderGraph(
      new Map([
        ['run/a.ts', "import x from '../outbox/x.js';"],
        ['run/b.ts', "import y from '../core/y.js';"],
        ['main.ts', "import z from './cli/z.js';"],
      ]),
    );
    expect(g).toEqual(graph({ run: ['outbox', 'core'] }));
  });
});

describe('folder cycles: folders that import each other, directly or through others', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['none in a chain', { cli: ['run'], run: ['core'], core: [] }, []],
    ['none in a diamond', { cli: ['run', 'intake'], run: ['core'], intake: ['core'], core: [] }, []],
    ['two folders importing each other', { config: ['rules'], rules: ['config'] }, [['config', 'rules']]],
    [
      'a loop through a third folder',
      { config: ['cluster'], cluster: ['intake'], intake: ['config', 'core'], core: [] },
      [['cluster', 'config', 'intake']],
    ],
    [
      'two separate loops',
      { a: ['b'], b: ['a'], c: ['d'], d: ['c', 'a'] },
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['an edge to a folder with no files of its own', { a: ['b'] }, []],
  ])('%s', (_name, edges, cycles) => {
    expect(folderCycles(graph(edges))).toEqual(cycles);
  });
});

describe('documented graph: the folder table of a document', () => {
  it('reads each row, several folders per row, notes left out, "nothing" as no imports', () => {
    const doc = [
      '| folder | imports |',
      '|---|---|',
      '| `core`, `schedule` (pure windows; the `pause` file) | nothing |',
      '| `cluster` | `config` (`ClusterConfig`), `core` |',
      'text | with | bars |',
    ].join('\n');
    expect(documentedGraph(doc)).toEqual(graph({ core: [], schedule: [], cluster: ['config', 'core'] }));
  });
});
