/**
 * Names the watcher never takes, whatever the rules say: partial downloads and copies, editor and OS
 * clutter, anything hidden, and the daemon's own `_done`/`_failed` folders at the inbox root (taking
 * those again would process outputs and archived sources twice). Only those exact names: a file or
 * folder that merely starts with them (`_done-holiday.mp4`, `_failed 2/`) is the user's.
 */
const PARTIAL_SUFFIXES = ['.part', '.partial', '.crdownload', '.download', '.tmp', '.temp', '.!qb'];
const CLUTTER_NAMES = new Set(['thumbs.db', 'desktop.ini']);
// NAS and Windows share housekeeping folders: thumbnails and recycle bins, never user drops.
const CLUTTER_FOLDERS = new Set([
  '@eadir',
  '#recycle',
  '#snapshot',
  '$recycle.bin',
  'system volume information',
]);
const DAEMON_FOLDERS = new Set(['_done', '_failed']);

/**
 * Why the watcher never takes a path relative to the inbox root (`/`-separated, e.g. `trip/clip.avi`),
 * or undefined when it may. Applies to folders too: an ignored folder hides everything under it.
 */
export function ignoredNameReason(rel: string): string | undefined {
  if (rel === '' || rel === '.') return undefined;
  const parts = rel.split('/').filter((p) => p !== '');
  const first = parts[0];
  if (first !== undefined && DAEMON_FOLDERS.has(first))
    return `it lies in the daemon's own ${first}/ folder (sources it set aside or archived)`;
  for (const part of parts) {
    // Covers dotfiles, dot-folders, `._*` AppleDouble files and `.DS_Store`.
    if (part.startsWith('.')) return 'its name (or a folder above it) is hidden (starts with a dot)';
    if (CLUTTER_FOLDERS.has(part.toLowerCase()))
      return `it lies in ${part}/, a NAS or system housekeeping folder`;
  }
  const name = parts[parts.length - 1] ?? '';
  const lower = name.toLowerCase();
  if (name.startsWith('~$')) return "it is an editor's lock file (~$…)";
  if (CLUTTER_NAMES.has(lower)) return 'it is a system file (thumbnails, folder settings)';
  const suffix = PARTIAL_SUFFIXES.find((s) => lower.endsWith(s));
  if (suffix) return `its name ends in ${suffix}, a partial download or copy still in progress`;
  return undefined;
}

/** Whether a path relative to the inbox root is ignored (see ignoredNameReason). */
export function isIgnoredRelative(rel: string): boolean {
  return ignoredNameReason(rel) !== undefined;
}
