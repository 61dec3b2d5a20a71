const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A byte count in the largest binary unit (1 KB = 1024 B) that keeps it at least 1; callers round. */
export function scaleBytes(bytes: number): { value: number; unit: (typeof UNITS)[number] } {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return { value, unit: UNITS[unit]! };
}
