import { resolve } from 'node:path';
import { defaultConfigPath } from '../core/paths.js';
import { loadEnvFile as readEnvFile } from '../service/load-env-file.js';

/** The config path a command uses: --config, else $VIDEO_INBOX_CONFIG, else the XDG default. */
export function configPathFrom(opts: { config?: string }, env = process.env): string {
  return opts.config ?? defaultConfigPath(env);
}

/**
 * The config a long-running command names in the commands it prints (`.error.txt`, hints, logs):
 * the one it runs with, as an absolute path, unless it is the default one. $VIDEO_INBOX_CONFIG counts
 * as named: a service has it in its environment, the person's shell does not.
 */
export function printedConfigOf(opts: { config?: string }, env = process.env): string | undefined {
  const path = resolve(configPathFrom(opts, env));
  return path === resolve(defaultConfigPath({ ...env, VIDEO_INBOX_CONFIG: undefined })) ? undefined : path;
}

/**
 * Loads KEY=VALUE lines (the service's 0600 env file) into the environment before anything reads it,
 * so secrets such as NEMO_TOKEN never sit in a unit file or on a command line. A missing file is
 * reported, not fatal, so a deleted env file cannot turn a service into a restart loop.
 */
export async function loadEnvFile(
  path: string | undefined,
  warn: (line: string) => void = (l) => console.error(l),
): Promise<void> {
  if (!path) return;
  const result = await readEnvFile(path);
  if (!result.found) warn(`video-inbox: the env file ${path} does not exist; going on without it.`);
  else if (result.loose)
    warn(`video-inbox: ${path} is readable by other users; it may hold your token. Run: chmod 600 ${path}`);
}
