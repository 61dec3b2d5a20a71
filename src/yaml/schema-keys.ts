import type { z } from 'zod';

interface AnyDef {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Strips wrappers (optional, default, …) down to the schema that decides the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** The keys an object schema accepts at `path` (for "did you mean" hints); empty when unknown. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const candidates = [unwrap(schema)];
  let current: z.ZodType[] = candidates;
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const s of current.flatMap(expandUnion)) {
      const def = defOf(s);
      if (def.type === 'object' && def.shape && typeof segment === 'string' && def.shape[segment]) {
        next.push(unwrap(def.shape[segment]));
      } else if (def.type === 'array' && def.element && typeof segment === 'number') {
        next.push(unwrap(def.element));
      }
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current.flatMap(expandUnion)) {
    const def = defOf(s);
    if (def.type === 'object' && def.shape) Object.keys(def.shape).forEach((k) => keys.add(k));
  }
  return [...keys];
}

function expandUnion(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  return def.type === 'union' && def.options ? def.options.map(unwrap) : [schema];
}

/** The closest known key when it is close enough to be a typo (case or a couple of letters). */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor((best?.length ?? 0) / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
