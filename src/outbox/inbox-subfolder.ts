import { basename, isAbsolute, join, relative, sep } from 'node:path';

export const DONE_DIR = '_done';
export const FAILED_DIR = '_failed';

/**
 * Where a source goes inside `<inbox>/<sub>/`: its place relative to the inbox is kept, so files of
 * the same name from different subfolders do not collide. A source outside the inbox keeps its name.
 */
export function inboxSubfolderTarget(
  source: string,
  inboxDir: string,
  sub: string,
): { dir: string; name: string } {
  const rel = relative(inboxDir, source);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  const parts = inside ? rel.split(sep) : [];
  // A file failing again from `_failed/` (or archived from `_done/`) stays at that level, not nested.
  if (parts[0] === DONE_DIR || parts[0] === FAILED_DIR) parts.shift();
  const relDir = parts.length > 1 ? parts.slice(0, -1).join(sep) : '.';
  return { dir: join(inboxDir, sub, relDir), name: basename(source) };
}
