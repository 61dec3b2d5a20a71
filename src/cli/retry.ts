import { errorReportName } from '../core/fit-name.js';
import type { Command } from 'commander';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { systemClock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { retryMarks } from '../intake/retry-marks.js';
import { hashFile } from '../jobs/content-hash.js';
import { DONE_DIR, FAILED_DIR } from '../outbox/inbox-subfolder.js';
import { moveNoClobber } from '../outbox/move.js';
import { nodeOutboxFs } from '../outbox/outbox-fs.js';
import { folderFor } from './explain.js';
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
        const moved = opts.failed ? await retryAllFailed(config) : [await retryFile(config, resolve(file!))];
        for (const line of moved) console.log(line);
        if (moved.length === 0) console.log('No failed files to retry.');
        else console.log('The daemon picks them up within its settle window (or at its next start).');
      } catch (err) {
        reportError(err);
      }
    });
}

/** Puts one file back in front of the daemon, and marks its content so it is converted even if done. */
export async function retryFile(config: Config, file: string): Promise<string> {
  const folder = folderFor(config, file);
  if (!folder) {
    throw new VideoInboxError('CONFIG_INVALID', `${file} is not inside any configured inbox`, {
      hint: 'Copy the file into an inbox folder instead; it will be converted if it was never done.',
    });
  }
  await retryMarks(config.stateDir, { fs: nodeOutboxFs, clock: systemClock }).add(await hashFile(file));
  const rel = relative(folder.inbox, file);
  const [top, ...rest] = rel.split(sep);
  if (top === FAILED_DIR || top === DONE_DIR) {
    const target = join(folder.inbox, dirname(rest.join(sep)));
    const placed = await moveNoClobber(nodeOutboxFs, file, target, basename(file));
    if (top === FAILED_DIR) await rm(join(dirname(file), errorReportName(basename(file))), { force: true });
    return `${file} → ${placed}`;
  }
  // Already in the inbox (a kept source): a new mtime makes the watcher offer it again.
  const now = new Date();
  await utimes(file, now, now);
  return `${file} marked for another conversion`;
}

export async function retryAllFailed(config: Config): Promise<string[]> {
  const out: string[] = [];
  for (const folder of config.folders) {
    const failedDir = join(folder.inbox, FAILED_DIR);
    for (const path of await listFiles(failedDir)) {
      if (path.endsWith('.error.txt')) continue;
      out.push(await retryFile(config, path));
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
