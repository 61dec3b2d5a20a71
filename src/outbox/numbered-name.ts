import { extname } from 'node:path';

/**
 * The n-th alternative for a taken name: `clip.mp4` → `clip (1).mp4`, `clip (2).mp4`… (n = 0 is the
 * name itself). The number goes before the last extension so the file still opens with the same app.
 */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const ext = extname(name);
  // A dotfile (".profile") has no extension, only a name.
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${stem} (${n})${stem === name ? '' : ext}`;
}

/** A bare file name: no folders, nothing that climbs out of the target directory. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
