import { basename, dirname, isAbsolute, join, relative } from 'node:path';

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
  const relDir = inside ? dirname(rel) : '.';
  return { dir: join(inboxDir, sub, relDir), name: basename(source) };
}
