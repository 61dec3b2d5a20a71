import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import { suggestKey, objectKeysAt } from './schema-keys.js';

export type YamlPath = readonly PropertyKey[];

/** A parsed YAML file that still knows where every node came from, so issues can name a line. */
export interface YamlSource {
  file: string;
  /** The plain data, or undefined when the YAML itself is broken. */
  data: unknown;
  /** YAML syntax issues; when any exist `data` is undefined. */
  issues: ConfigIssue[];
  /** Line and column (1-based) of the node at `path`, or of its nearest existing parent. */
  locate(path: YamlPath, at?: 'key' | 'value'): { line: number; column: number };
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const locate: YamlSource['locate'] = (path, at = 'value') => {
    const offset = findOffset(doc, path, at);
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const issues: ConfigIssue[] = doc.errors.map((err) => {
    const pos = err.linePos?.[0];
    return {
      file,
      line: pos?.line ?? 1,
      column: pos?.col ?? 1,
      // The library appends "at line L, column C:" and a code frame; the position is already ours.
      message: `YAML syntax: ${err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim()}`,
    };
  });
  return { file, data: issues.length > 0 ? undefined : doc.toJS(), issues, locate };
}

function findOffset(doc: Document, path: YamlPath, at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return offset;
      const keyStart = rangeStart(pair.key);
      if (last && at === 'key' && keyStart !== undefined) return keyStart;
      node = pair.value;
      // `key:` with nothing after it has an empty value node; the key is the better place to point.
      const valueStart = isScalar(node) && node.value === null ? undefined : rangeStart(node);
      offset = valueStart ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
      if (node === undefined) return offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

/** `folders[0].inbox`, the way people read paths. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  }
  return out;
}

/** Turns zod issues into positioned ConfigIssues, one per unknown key so each points at its line. */
export function zodIssuesToConfigIssues(
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const hint = suggestKey(key, known);
        out.push({
          file: source.file,
          ...source.locate(path, 'key'),
          path: formatPath(path),
          message: `Unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
      continue;
    }
    const missing = issue.code === 'invalid_type' && valueAt(source.data, issue.path) === undefined;
    const last = issue.path[issue.path.length - 1];
    out.push({
      file: source.file,
      ...source.locate(issue.path),
      path: formatPath(issue.path) || undefined,
      message: missing && last !== undefined ? `Missing required key "${String(last)}"` : issue.message,
    });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}
