import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILES } from './json-schema.js';

/**
 * Absolute path of the installed copy of a JSON Schema file, for `# yaml-language-server: $schema=`
 * headers in files written outside the repository (`init`). The source tree and the build sit at
 * different depths, so both are tried.
 */
export function installedSchemaPath(kind: keyof typeof SCHEMA_FILES): string | undefined {
  for (const rel of ['../../', '../../../']) {
    const path = fileURLToPath(new URL(rel + SCHEMA_FILES[kind], import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The header line editors read; `target` is a path relative to the YAML file, or absolute. */
export function schemaHeader(target: string): string {
  return `# yaml-language-server: $schema=${target}`;
}
