import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** Where the journal, lock, client id and token live. */
export function defaultStateDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'video-inbox');
  return join(xdgBase(env.XDG_STATE_HOME, join(home, '.local', 'state')), 'video-inbox');
}

/** What may be rebuilt at any time (the compiled code of the CLI's modules): never needed, never a secret. */
export function defaultCacheDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'video-inbox');
  return join(xdgBase(env.XDG_CACHE_HOME, join(home, '.cache')), 'video-inbox');
}

/** The config file: --config, else $VIDEO_INBOX_CONFIG, else $XDG_CONFIG_HOME/video-inbox/config.yaml. */
export function defaultConfigPath(env: Env = process.env, home = homedir()): string {
  if (env.VIDEO_INBOX_CONFIG) return env.VIDEO_INBOX_CONFIG;
  return join(xdgBase(env.XDG_CONFIG_HOME, join(home, '.config')), 'video-inbox', 'config.yaml');
}

/** Expands a leading `~` the way a shell would, since YAML paths are written by hand. */
export function expandHome(p: string, home = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

/** An XDG base directory: the variable when it is absolute (the spec ignores a relative one), else the default. */
function xdgBase(value: string | undefined, fallback: string): string {
  return value && value.startsWith('/') ? value : fallback;
}
