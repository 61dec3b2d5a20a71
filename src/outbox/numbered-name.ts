import { fitName } from '../core/fit-name.js';

/**
 * The n-th alternative for a taken name: `clip.mp4` → `clip (1).mp4`, `clip (2).mp4`… (n = 0 is the
 * name itself). The number goes before the last extension so the file still opens with the same app.
 * Every alternative fits NAME_MAX (see fitName): a long name is shortened, never refused.
 */
export function numberedName(name: string, n: number): string {
  return fitName(name, { infix: n === 0 ? '' : ` (${n})` });
}

/** A bare file name: no folders, nothing that climbs out of the target directory. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
