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
 * left as it is. Every text the daemon writes for a person passes through here.
 */
export function withConfigFlag(text: string, config: string | undefined): string {
  if (config === undefined || !text.includes('`video-inbox ')) return text;
  return text.replace(/`video-inbox ([^`]+)`/g, (whole, args: string) =>
    /(^|\s)(--config|-c)(\s|=)/.test(args) ? whole : `\`${cliCommand(args.trimEnd(), config)}\``,
  );
}
