/**
 * Instruction and output-name templates: `{stem}` is replaced by its value, `{{` and `}}` write a
 * literal brace. Unknown names are caught when the rule loads (see `unknownVariables`), so rendering
 * leaves them as written rather than guessing.
 */
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;

export type TemplateVars = Record<string, string | number | undefined>;

/** What a missing value (a probe field without ffprobe) reads as inside an instruction. */
export const UNKNOWN_VALUE = 'unknown';

export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(TOKEN, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    if (name === undefined || !Object.hasOwn(vars, name)) return whole;
    const value = vars[name];
    return value === undefined ? UNKNOWN_VALUE : String(value);
  });
}

/** The `{names}` a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(TOKEN)) if (m[1] !== undefined) names.add(m[1]);
  return [...names];
}

export function unknownVariables(template: string, allowed: readonly string[]): string[] {
  return templateVariables(template).filter((name) => !allowed.includes(name));
}

export const OUTPUT_NAME_VARIABLES = ['stem', 'ext', 'date', 'folder'] as const;
export const INSTRUCTION_VARIABLES = [
  'name',
  'stem',
  'ext',
  'size',
  'sizeMB',
  'duration',
  'width',
  'height',
  'codec',
  'date',
  'folder',
] as const;
