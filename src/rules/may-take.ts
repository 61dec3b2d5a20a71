import { matchesGlobs } from './match.js';
import { videoExtensionOf } from './video-extensions.js';

/**
 * Whether intake could do anything with a file of this name in a folder whose rule takes `match`:
 * a glob matches it (by base name or by its path in the inbox), or its extension says it is a video
 * (a video no rule takes is set aside with the reason, so it must reach intake). Every other name
 * (the photos, notes and documents people keep beside their videos) the watcher may leave alone:
 * no OS watch, no stat, no memory. `rel` is the path relative to the inbox with `/` separators.
 */
export function mayTake(match: readonly string[], rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (videoExtensionOf(name) !== undefined) return true;
  return matchesGlobs(match, name) || matchesGlobs(match, rel);
}
