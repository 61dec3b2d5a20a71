import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { VideoInboxError } from '../core/errors.js';
import { defaultConfigPath } from '../core/paths.js';
import { findPackageRoot } from '../init/package-root.js';
import { EXIT } from './exit-codes.js';
import { runInit } from './init.js';

/**
 * `start` with no config anywhere (a first run after `npm install`): write the starter config and its
 * folders, as `init` would, and say where, so the daemon starts instead of failing. Only when no
 * config was named: an explicit --config that is missing is a mistake worth an error.
 */
export async function ensureStarterConfig(
  named: string | undefined,
  env: Record<string, string | undefined>,
  say: (line: string) => void,
  home = homedir(),
): Promise<void> {
  if (named || env.VIDEO_INBOX_CONFIG) return;
  const path = defaultConfigPath(env, home);
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) return;
  say(`No config at ${path} yet: writing a starter config (video-inbox init).`);
  const code = await runInit(undefined, {
    env,
    home,
    packageRoot: findPackageRoot(),
    out: say,
    err: say,
    setExitCode: () => undefined,
    starting: true,
  });
  if (code !== EXIT.OK) {
    throw new VideoInboxError('CONFIG_INVALID', `Could not write a starter config at ${path}`, {
      hint: 'Run `video-inbox init` to see why, or create the config by hand (see config.example.yaml).',
    });
  }
}
