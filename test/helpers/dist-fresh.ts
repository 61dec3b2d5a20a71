import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * True when every module under `root`/src has a built twin under `root`/dist at least as new: what
 * runs the built CLI (a test's child process, a benchmark) then measures the code in src/.
 */
export function distIsFreshIn(root: string): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  return walk(join(root, 'src')).every((src) => {
    const built = join(root, 'dist', relative(root, src)).replace(/\.ts$/, '.js');
    return existsSync(built) && statSync(built).mtimeMs >= statSync(src).mtimeMs;
  });
}
