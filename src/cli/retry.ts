import type { Command } from 'commander';
import { readdir, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { retryFile, type RetryFileDeps } from '../intake/retry-file.js';
import { retryMarks } from '../intake/retry-marks.js';
import { hashFile } from '../core/content-hash.js';
import { FAILED_DIR } from '../outbox/inbox-subfolder.js';
import { nodeOutboxFs } from '../outbox/outbox-fs.js';
import { reportError } from './report-error.js';
import { configPathFrom } from './settings.js';

export function register(program: Command): void {
  program
    .command('retry')
    .argument('[file]', 'a file in an inbox, its _failed/ or its _done/ folder')
    .option('--failed', 'every file in every _failed/ folder')
    .option('-c, --config <file>', 'config file')
    .description(
      'Convert a file again: back into its inbox from _failed/ or _done/, even if it was done before.',
    )
    .action(async (file: string | undefined, opts: { config?: string; failed?: boolean }) => {
      try {
        const config = await loadConfig(configPathFrom(opts), process.env);
        if (!file && !opts.failed)
          throw new VideoInboxError('CONFIG_INVALID', 'Name a file, or use --failed', {
            hint: 'video-inbox retry <file> | --failed',
          });
        const moved = opts.failed
          ? await retryAllFailed(config)
          : [await retryFile(config, resolve(file!), retryDeps(config))];
        for (const line of moved) console.log(line);
        if (moved.length === 0) console.log('No failed files to retry.');
        else
          console.log(
            `The daemon picks ${moved.length === 1 ? 'it' : 'them'} up within its settle window (or at its next start).`,
          );
      } catch (err) {
        reportError(err);
      }
    });
}

/** The retry use case's real adapters, for this one-shot command. */
export function retryDeps(config: Config): RetryFileDeps {
  return {
    fs: nodeOutboxFs,
    marks: retryMarks(config.stateDir, { fs: nodeOutboxFs, clock: systemClock }),
    clock: systemClock,
    hash: hashFile,
    touch: (file, at) => utimes(file, at, at),
    // Cluster mode: the record of what was converted is the cluster's (Redis), for every node.
    ...(config.cluster ? { forget: forgetIn(config.cluster) } : {}),
  };
}

function forgetIn(cluster: ClusterConfig): (contentHash: string) => Promise<void> {
  return async (hash) => (await import('../app/cluster-forget.js')).forgetClusterContent(cluster, hash);
}

export async function retryAllFailed(config: Config): Promise<string[]> {
  const deps = retryDeps(config);
  const out: string[] = [];
  for (const folder of config.folders) {
    const failedDir = join(folder.inbox, FAILED_DIR);
    for (const path of await listFiles(failedDir)) {
      if (path.endsWith('.error.txt')) continue;
      out.push(await retryFile(config, path, deps));
    }
  }
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (e.isFile() && !e.name.startsWith('.')) files.push(path);
    else if (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()) files.push(path);
  }
  return files;
}
