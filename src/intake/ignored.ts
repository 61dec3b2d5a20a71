import { basename } from 'node:path';
import { matchesRule } from '../rules/match.js';
import { videoExtensionOf } from '../rules/video-extensions.js';
import { ignoredNameReason } from '../core/ignored-names.js';

/** What the ignore check needs: the folder's name and its rule's `match` globs. */
export interface IgnoreInput {
  folder: string;
  /** The file's path relative to the inbox root, `/`-separated. */
  rel: string;
  /** The folder rule's `match`; undefined when the rule file has not loaded (nothing is decided then). */
  match: readonly string[] | undefined;
}

/**
 * Why the daemon leaves a file in its inbox untouched, or undefined when it takes it (converts it, or
 * sets it aside with a reason, as it does for a video no rule matches). The one answer intake,
 * `status` and `explain` give.
 */
export function ignoredReason(input: IgnoreInput): string | undefined {
  const name = basename(input.rel);
  const byName = ignoredNameReason(input.rel);
  if (byName !== undefined) return `${name} is never taken: ${byName}.`;
  if (input.match === undefined || matchesRule({ match: input.match }, name)) return undefined;
  // A video no rule takes is set aside with what to change, never left unnoticed.
  if (videoExtensionOf(name) !== undefined) return undefined;
  const match = input.match.length > 0 ? input.match.join(', ') : 'nothing';
  return `${name} is not a video by its name, and no rule in folder "${input.folder}" matches it (match: ${match}).`;
}

/** Whether the watcher never offers this path (partial copies, clutter, the daemon's own folders). */
export function neverOffered(rel: string): boolean {
  return ignoredNameReason(rel) !== undefined;
}
