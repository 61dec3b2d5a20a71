const HEADER = /^# yaml-language-server: \$schema=.*(\r?\n|$)/;

/**
 * Puts `# yaml-language-server: $schema=<path>` on the first line, replacing one already there (the
 * package's rules point at ../docs/schema, which means nothing once copied), so editors with the
 * YAML language server complete and check the file.
 */
export function withSchemaHeader(text: string, schemaPath: string): string {
  const header = `# yaml-language-server: $schema=${schemaPath}\n`;
  return HEADER.test(text) ? text.replace(HEADER, header) : header + text;
}
