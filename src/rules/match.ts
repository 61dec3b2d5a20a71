import picomatch from 'picomatch';

type Matcher = (name: string) => boolean;
const cache = new Map<string, Matcher>();

/**
 * Whether `fileName` matches any of `globs`, ignoring case (people write `*.avi`, cameras write
 * `CLIP.AVI`). A glob without a slash is matched against the base name, so it also applies to files in
 * subfolders of the inbox; dotfiles never match.
 */
export function matchesGlobs(globs: readonly string[], fileName: string): boolean {
  const key = JSON.stringify(globs);
  let matcher = cache.get(key);
  if (!matcher) {
    // picomatch's own `basename` option ignores slashed globs altogether, so split them here.
    const options = { nocase: true, dot: false };
    const onName = globs.filter((g) => !g.includes('/'));
    const onPath = globs.filter((g) => g.includes('/'));
    const byName = onName.length > 0 ? picomatch(onName, options) : () => false;
    const byPath = onPath.length > 0 ? picomatch(onPath, options) : () => false;
    matcher = (name) => byName(name.slice(name.lastIndexOf('/') + 1)) || byPath(name);
    // Rules are few and live-reloaded rarely; the bound keeps edits over months from growing it.
    if (cache.size > 500) cache.clear();
    cache.set(key, matcher);
  }
  return matcher(fileName.replaceAll('\\', '/'));
}

/** Whether a rule takes this file (by name only; probe conditions live in `when`). */
export function matchesRule(rule: { match: readonly string[] }, fileName: string): boolean {
  return matchesGlobs(rule.match, fileName);
}
