/**
 * The agent often talks to a GUI ("click the Export button"). A headless client runs the export
 * itself, so a sentence that tells someone to operate a screen is replaced by what actually happens
 * (or dropped), and raw JSON is never shown.
 */
const GUI_WORDS =
  /\b(click|clicking|tap|press|drag|double-click|button|panel|menu|toolbar|sidebar|corner|tab)\b|点击|按钮|拖动|面板/i;
const EXPORT_WORDS = /\b(export|download|render)\w*|导出|下载/i;
export const EXPORT_TRANSLATION = 'The export starts automatically.';

/** Text a person can read, or `undefined` when nothing readable is left. */
export function translateAgentText(text: string): string | undefined {
  const prose = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/(\*\*|__|`)/g, '')
    .trim();
  if (prose === '' || looksLikeJson(prose)) return undefined;
  const out: string[] = [];
  // Latin sentences end at punctuation followed by a space (not in "old.avi"); CJK ones need none.
  for (const sentence of prose.split(/(?<=[.!?])\s+|(?<=[。！？])\s*/)) {
    const s = sentence.trim();
    if (!s) continue;
    if (!GUI_WORDS.test(s)) out.push(s);
    else if (EXPORT_WORDS.test(s) && !out.includes(EXPORT_TRANSLATION)) out.push(EXPORT_TRANSLATION);
  }
  const joined = out.join(' ').replace(/\s+/g, ' ').trim();
  return joined === '' ? undefined : joined;
}

function looksLikeJson(text: string): boolean {
  if (!/^[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
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
