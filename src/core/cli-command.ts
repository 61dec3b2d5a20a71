/**
 * The commands video-inbox prints for a person to run (`video-inbox retry …` in a `.error.txt`, a
 * hint, a log line, a notification). A daemon started with a config other than the default must name
 * it in each, or the command, run as printed, reads another config (and exits 2). `config` is that
 * path, given by the composition root, or undefined when the default config is in use.
 */

/** A word as a POSIX shell reads it back unchanged: bare when safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The ` --config FILE` a printed command needs to run as printed, or nothing for the default config. */
export function configFlag(config: string | undefined): string {
  return config === undefined ? '' : ` --config ${shellWord(config)}`;
}

/** `video-inbox <args>` with the config it needs: `cliCommand('retry --failed', cfg)`. */
export function cliCommand(args: string, config: string | undefined): string {
  return `video-inbox ${args}${configFlag(config)}`;
}

/**
 * Adds the config to every command quoted in a text (`` `video-inbox retry --failed` ``), the form
 * hints and messages written anywhere in the code use; a command that names a config already is
 * left as it is. Every text the daemon writes for a person passes through here. The command is read
 * as a shell reads it: a quoted word (a file's path, from `shellWord`) is one word whatever it holds,
 * so a backtick in it does not end the command and a " -c " in it does not name a config.
 */
export function withConfigFlag(text: string, config: string | undefined): string {
  if (config === undefined || !text.includes('`video-inbox ')) return text;
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf('`video-inbox ', at);
    const end = start < 0 ? -1 : scan(text, start + 1);
    // An unclosed command (an unbalanced quote) is left as written: nothing is guessed.
    if (end < 0) return out + text.slice(at);
    const command = text.slice(start + 1, end);
    const named = shellWords(command).some(
      (w) => !w.quoted && (w.text === '--config' || w.text === '-c' || w.text.startsWith('--config=')),
    );
    const args = command.slice('video-inbox '.length).trimEnd();
    out += `${text.slice(at, start)}\`${named ? command : cliCommand(args, config)}\``;
    at = end + 1;
  }
}

/** The words of a command as a POSIX shell splits them; `quoted` when any part was quoted or escaped. */
function shellWords(command: string): { text: string; quoted: boolean }[] {
  const words: { text: string; quoted: boolean }[] = [];
  let word: { text: string; quoted: boolean } | undefined;
  scan(command, 0, (c, quoted) => {
    if (!quoted && /\s/.test(c)) {
      if (word) words.push(word);
      word = undefined;
      return;
    }
    word ??= { text: '', quoted: false };
    word.text += c;
    word.quoted ||= quoted;
  });
  if (word) words.push(word);
  return words;
}

/**
 * Walks `text` from `from` as a shell reads it (single quotes, double quotes, backslash escapes) up
 * to the first backtick outside quotes, and returns its index, or -1 when there is none. `onChar`
 * hears each character with whether it was quoted (an opening quote as '', so that `''` is a word).
 */
function scan(text: string, from: number, onChar?: (c: string, quoted: boolean) => void): number {
  let quote: "'" | '"' | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quote !== "'" && i + 1 < text.length) {
      // An escaped character, taken as it is (moved past even with no one to hear it).
      i += 1;
      onChar?.(text[i]!, true);
    } else if (quote) {
      if (c === quote) quote = undefined;
      else onChar?.(c, true);
    } else if (c === "'" || c === '"') {
      quote = c;
      onChar?.('', true);
    } else if (c === '`') {
      return i;
    } else {
      onChar?.(c, false);
    }
  }
  return -1;
}
