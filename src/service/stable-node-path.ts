import { delimiter, isAbsolute, join } from 'node:path';

/**
 * process.execPath is the resolved binary, e.g. /opt/homebrew/Cellar/node/22.3.0/bin/node, which
 * disappears on the next `brew upgrade`. When a `node` on PATH (such as /opt/homebrew/bin/node or
 * /usr/bin/node) is the very same binary, the unit uses that stable name instead.
 */
export function stableNodePath(
  execPath: string,
  pathEnv: string | undefined,
  realpath: (path: string) => string | undefined,
): string {
  const target = realpath(execPath) ?? execPath;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'node');
    if (candidate !== execPath && realpath(candidate) === target) return candidate;
  }
  return execPath;
}
