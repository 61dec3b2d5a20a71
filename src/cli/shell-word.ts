/** A word as a POSIX shell reads it back unchanged: bare when safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ` --config FILE` a printed command needs to run as printed: the config the current command
 * was given, or nothing when it runs on the default (or $VIDEO_INBOX_CONFIG, which the shell keeps).
 */
export function configFlag(config: string | undefined): string {
  return config === undefined ? '' : ` --config ${shellWord(config)}`;
}
