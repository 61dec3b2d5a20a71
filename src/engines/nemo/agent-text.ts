/**
 * The agent often talks to a GUI ("click the Export button"). A headless client runs the export
 * itself, so such text is translated into what actually happens, and raw JSON is never shown.
 */
const GUI_PHRASES: [RegExp, string][] = [
  [
    /\b(please\s+)?(click|press|tap|hit)\s+(on\s+)?(the\s+)?["'“]?export["'”]?(\s+button)?/gi,
    'the export starts automatically',
  ],
  [/点击\s*[「“"]?导出[」”"]?(按钮)?/g, 'the export starts automatically'],
  [
    /\b(please\s+)?(click|press|tap|hit)\s+(on\s+)?(the\s+)?["'“]?download["'”]?(\s+button)?/gi,
    'the file is downloaded automatically',
  ],
  [
    /\b(please\s+)?(click|press|tap|hit)\s+(on\s+)?(the\s+)?["'“]?([\w ]{1,30}?)["'”]?\s+button/gi,
    'the client continues automatically',
  ],
];

/** Text a person can read, or `undefined` when nothing readable is left. */
export function translateAgentText(text: string): string | undefined {
  let out = text.replace(/```[\s\S]*?```/g, ' ');
  if (looksLikeJson(out)) return undefined;
  for (const [pattern, replacement] of GUI_PHRASES) out = out.replace(pattern, replacement);
  out = out.replace(/\s+/g, ' ').trim();
  return out === '' ? undefined : out;
}

function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** A short, readable line for a tool the agent runs ("Agent: trim video"). */
export function describeTool(name: string): string {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return `Agent: ${words || 'working'}`;
}
