import { describe, expect, it } from 'vitest';
import { stableNodePath } from '../../../src/service/stable-node-path.js';

const CELLAR = '/opt/homebrew/Cellar/node/22.3.0/bin/node';
const links: Record<string, string> = {
  [CELLAR]: CELLAR,
  '/opt/homebrew/bin/node': CELLAR,
  '/usr/local/bin/node': '/usr/local/other-node',
  '/usr/local/other-node': '/usr/local/other-node',
};
const realpath = (p: string) => links[p];

describe('stableNodePath', () => {
  it.each<[string, string | undefined, string]>([
    [
      'a PATH link to the same binary wins',
      '/usr/local/bin:/opt/homebrew/bin:/usr/bin',
      '/opt/homebrew/bin/node',
    ],
    ['a different node on PATH is not used', '/usr/local/bin:/usr/bin', CELLAR],
    ['relative PATH entries are ignored', 'bin:.', CELLAR],
    ['no PATH', undefined, CELLAR],
  ])('%s', (_name, path, expected) => {
    expect(stableNodePath(CELLAR, path, realpath)).toBe(expected);
  });
});
