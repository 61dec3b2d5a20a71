import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSchemaFiles, SCHEMA_FILES } from '../../../src/config/json-schema.js';
import { installedSchemaPath, schemaHeader } from '../../../src/config/schema-location.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('committed JSON Schema files', () => {
  it.each(Object.values(SCHEMA_FILES))(
    '%s is up to date (run `npm run schema` if this fails)',
    async (rel) => {
      const committed = await readFile(`${root}${rel}`, 'utf8');
      expect(committed).toBe(renderSchemaFiles()[rel]);
    },
  );

  it('rejects unknown keys and documents defaults, so editors flag typos and show defaults', () => {
    const rule = JSON.parse(renderSchemaFiles()[SCHEMA_FILES.rule]!) as {
      additionalProperties: boolean;
      properties: Record<string, { default?: unknown; additionalProperties?: boolean }>;
    };
    expect(rule.additionalProperties).toBe(false);
    expect(rule.properties.output?.additionalProperties).toBe(false);
    expect(rule.properties.after?.default).toBe('archive');
    const config = JSON.parse(renderSchemaFiles()[SCHEMA_FILES.config]!) as typeof rule;
    expect(config.additionalProperties).toBe(false);
    expect(config.properties.concurrency?.default).toBe(3);
    expect(Object.keys(config.properties)).toEqual(
      expect.arrayContaining([
        'api',
        'stateDir',
        'limits',
        'notify',
        'settleSeconds',
        'folders',
        'maxUploadMB',
      ]),
    );
  });

  it('finds the installed schema files for headers written outside the repository', () => {
    expect(installedSchemaPath('rule')).toBe(`${root}${SCHEMA_FILES.rule}`);
    expect(installedSchemaPath('config')).toBe(`${root}${SCHEMA_FILES.config}`);
    expect(schemaHeader('../docs/schema/rule.schema.json')).toBe(
      '# yaml-language-server: $schema=../docs/schema/rule.schema.json',
    );
  });
});
