/**
 * What may reach the desktop notifier: letters and digits of any script, spaces, and punctuation that
 * means nothing to a shell or to notification markup. node-notifier runs `notify-send` through
 * `/bin/sh -c` with the text inside double quotes; its escaping held against every injection name we
 * tried, but a file name is anyone's choice, so it only ever gets text reduced to these characters.
 */
const UNSAFE = /[^\p{L}\p{M}\p{N} .,:_+=/()[\]@%#~?→-]/gu;
const MAX_CHARS = 400;

/**
 * The text with every whitespace run (newlines, tabs) turned into one space, every other unsafe
 * character into `_`, and no leading dash (which a command would read as an option). Never empty.
 */
export function shellSafeText(text: string): string {
  let out = text
    .replace(/\s+/gu, ' ')
    .replace(UNSAFE, '_')
    .replace(/^[\s-]+/u, '')
    .trim();
  if (out.length > MAX_CHARS) out = `${out.slice(0, MAX_CHARS - 3)}...`;
  return out === '' ? '_' : out;
}
