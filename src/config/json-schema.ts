import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RuleFileSchema } from '../rules/rule-schema.js';
import { ConfigFileSchema } from './config-schema.js';

/** Where the committed JSON Schemas live, relative to the repository root. */
export const SCHEMA_FILES = {
  config: 'docs/schema/config.schema.json',
  rule: 'docs/schema/rule.schema.json',
} as const;

/**
 * The JSON Schema texts editors use to check config and rule YAML, generated from the very schemas
 * the loader validates with. `io: 'input'` describes what a person writes (keys with defaults are
 * optional), not what the loader returns.
 */
export function renderSchemaFiles(): Record<string, string> {
  const render = (schema: z.ZodType) =>
    `${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2)}\n`;
  return {
    [SCHEMA_FILES.config]: render(ConfigFileSchema),
    [SCHEMA_FILES.rule]: render(RuleFileSchema),
  };
}

/** Writes the schema files under `rootDir`; returns the paths written. */
export async function writeSchemaFiles(rootDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, text] of Object.entries(renderSchemaFiles())) {
    const target = join(rootDir, rel);
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, text);
    written.push(rel);
  }
  return written;
}
