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
    matcher = picomatch([...globs], { nocase: true, basename: true, dot: false });
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
