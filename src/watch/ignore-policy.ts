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
 * Whether a path relative to the inbox root (`/`-separated, e.g. `trip/clip.avi`) is ignored. Applies
 * to folders too: an ignored folder hides everything under it.
 */
export function isIgnoredRelative(rel: string): boolean {
  if (rel === '' || rel === '.') return false;
  const parts = rel.split('/').filter((p) => p !== '');
  const first = parts[0];
  if (first !== undefined && DAEMON_FOLDERS.has(first)) return true;
  for (const part of parts) {
    // Covers dotfiles, dot-folders, `._*` AppleDouble files and `.DS_Store`.
    if (part.startsWith('.')) return true;
    const lower = part.toLowerCase();
    if (CLUTTER_FOLDERS.has(lower)) return true;
  }
  const name = parts[parts.length - 1] ?? '';
  const lower = name.toLowerCase();
  if (name.startsWith('~$')) return true;
  if (CLUTTER_NAMES.has(lower)) return true;
  return PARTIAL_SUFFIXES.some((s) => lower.endsWith(s));
}
