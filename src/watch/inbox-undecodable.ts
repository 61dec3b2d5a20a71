import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { isIgnoredRelative } from './ignore-policy.js';
import { relativeToInbox } from './scan-folder.js';
import { escapedName, readableName } from './undecodable-name.js';

export type RenameReadable = (
  dir: string,
  raw: Buffer,
) => Promise<{ ok: true; path: string } | { ok: false; code: string }>;

/**
 * Names in one inbox that are not valid UTF-8. They cannot be handed on (paths are strings), and
 * used to be skipped without a word: each is renamed to a readable name (Latin-1 bytes read as such)
 * and its folder scanned again; a name that cannot be renamed is said once, with what to do.
 */
export class InboxUndecodable {
  private readonly warned = new Set<string>();

  constructor(
    private readonly where: { folder: string; inbox: string },
    private readonly ports: { renameReadable: RenameReadable; log: Logger },
  ) {}

  /** Renames what it can; returns the folders to scan again (the renamed files are in them). */
  async makeReadable(entries: readonly { dir: string; raw: Buffer }[]): Promise<string[]> {
    const rescan = new Set<string>();
    for (const { dir, raw } of entries) {
      if (await this.one(dir, raw)) rescan.add(dir);
    }
    return [...rescan];
  }

  private async one(dir: string, raw: Buffer): Promise<boolean> {
    const wanted = join(dir, readableName(raw));
    if (isIgnoredRelative(relativeToInbox(this.where.inbox, wanted))) return false;
    const from = escapedName(raw);
    const renamed = await this.ports.renameReadable(dir, raw);
    if (renamed.ok) {
      this.ports.log.info(
        { folder: this.where.folder, dir, from, to: renamed.path },
        'Renamed a file whose name is not valid UTF-8, so it can be converted',
      );
      return true;
    }
    const key = `${dir}\0${raw.toString('hex')}`;
    if (this.warned.has(key)) return false;
    this.warned.add(key);
    this.ports.log.warn(
      { folder: this.where.folder, dir, name: from, code: renamed.code },
      'A file name is not valid UTF-8 and could not be renamed; rename it (e.g. to plain letters) to have it converted',
    );
    return false;
  }
}
