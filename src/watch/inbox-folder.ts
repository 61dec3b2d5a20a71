import { resolve } from 'node:path';
import type { Logger } from '../core/logger.js';
import { isIgnoredRelative } from './ignore-policy.js';
import { errCode } from './inbox-location.js';
import { raiseLimitHint, suggestedLimit } from './inotify-limit.js';
import { InboxOsWatch, type OsWatchPorts } from './inbox-os-watch.js';
import { InboxPresence, type PresencePorts } from './inbox-presence.js';
import { InboxSettle, type SettleDeps } from './inbox-settle.js';
import { InboxUndecodable, type RenameReadable } from './inbox-undecodable.js';
import type { ScanResult } from './scan-folder.js';
import type { FolderStatus, WatchFolder } from './types.js';

export interface InboxFolderPorts {
  presence: Omit<PresencePorts, 'log'>;
  osWatch: Omit<OsWatchPorts, 'log'>;
  settle: Omit<SettleDeps, 'log'>;
  scanFolder(
    root: string,
    dir: string,
    skip: (rel: string) => boolean,
    skipFile?: (rel: string) => boolean,
  ): Promise<ScanResult>;
  /** Files a folder leaves alone (by path relative to its inbox, and the folder's name). */
  isIgnored?: (rel: string, folder: string) => boolean;
  readInotifyLimit: () => Promise<number | undefined>;
  /** Gives a name that is not valid UTF-8 a readable one (see undecodable-name). */
  renameReadable: RenameReadable;
  log: Logger;
}

/**
 * One watched inbox through its life: opened when present, closed when missing, reopened when
 * replaced or switched to polling, rescanned whenever a watch may have missed something. Presence,
 * the OS watch and the settle loop each own their part of its state; this unit makes them act
 * together, one pass at a time.
 */
export class InboxFolder {
  readonly root: string;
  private closed = false;
  /** Directories in the inbox at the last full scan (counted against the inotify limit). */
  private directories = 0;
  /** The inbox could not be listed and we said so; reset once it can. */
  private unlistableWarned = false;
  private readonly presence: InboxPresence;
  private readonly osWatch: InboxOsWatch;
  private readonly settle: InboxSettle;
  private readonly undecodable: InboxUndecodable;
  /** Files this folder leaves alone: never watched, stat'ed or remembered. */
  private readonly ignoresFile: (rel: string) => boolean;

  constructor(
    private folder: WatchFolder,
    private readonly ports: InboxFolderPorts,
  ) {
    this.root = resolve(folder.inbox);
    const where = { folder: folder.name, inbox: this.root };
    const { log } = ports;
    this.ignoresFile = (rel) => ports.isIgnored?.(rel, this.folder.name) ?? false;
    this.presence = new InboxPresence(where, { ...ports.presence, log });
    this.osWatch = new InboxOsWatch(
      where,
      () => this.folder.poll === true,
      { ...ports.osWatch, ignoresFile: this.ignoresFile, log },
      {
        file: (path) => {
          if (!this.closed) this.settle.offer(path);
        },
      },
    );
    this.settle = new InboxSettle(where, { ...ports.settle, isIgnored: this.ignoresFile, log });
    this.undecodable = new InboxUndecodable(where, { renameReadable: ports.renameReadable, log });
  }

  get name(): string {
    return this.folder.name;
  }

  /** A reloaded config for the same name and inbox; a changed `poll` reopens the watch. */
  async update(next: WatchFolder): Promise<void> {
    const pollChanged = (next.poll === true) !== (this.folder.poll === true);
    this.folder = next;
    if (pollChanged && this.presence.isPresent) await this.reopen();
  }

  /** Looks whether the inbox is there and acts on it; returns whether it is present afterwards. */
  async checkPresence(): Promise<boolean> {
    const look = await this.presence.look();
    switch (look.kind) {
      case 'gone':
        await this.goMissing(look.code);
        return false;
      case 'still-unmounted':
        return false;
      case 'back':
        await this.comeBack();
        break;
      case 'replaced':
        await this.reopen();
        break;
      case 'here':
        break;
    }
    return this.presence.isPresent;
  }

  /** One pass of the loop: switch to polling if asked, scan new folders (and all when due), settle. */
  async pass(rescanDue: boolean, aborted: () => boolean): Promise<void> {
    if (!this.presence.isPresent || this.closed) return;
    const fallback = this.osWatch.takeFallback();
    if (fallback !== undefined) await this.fallbackToPolling(fallback);
    for (const dir of this.osWatch.takeNewFolders()) await this.rescan(dir);
    if (rescanDue) await this.rescan(this.root);
    await this.settle.pass({
      running: () => !aborted() && !this.closed && this.presence.isPresent,
      inboxPresent: () => this.checkPresence(),
    });
  }

  forgetEmitted(path: string): void {
    this.settle.forgetEmitted(path);
  }

  /** When a pass next has work here (a candidate due); none when idle or not watching. */
  nextDueAt(): number | undefined {
    return this.presence.isPresent && !this.closed ? this.settle.nextDueAt() : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.osWatch.close();
  }

  status(): FolderStatus {
    const present = this.presence.isPresent;
    return {
      folder: this.folder.name,
      state: !present ? 'missing' : this.osWatch.mode === 'polling' ? 'polling' : 'watching',
      pending: this.settle.pendingCount,
    };
  }

  /** Directories natively watched (each costs an inotify watch). */
  nativeDirectories(): number {
    return this.presence.isPresent && this.osWatch.mode === 'native' ? this.directories : 0;
  }

  private async goMissing(code: string): Promise<void> {
    this.presence.markMissing(code);
    await this.osWatch.close();
  }

  private async open(): Promise<boolean> {
    try {
      await this.osWatch.open((identity) => this.presence.remember(identity));
      return true;
    } catch (err) {
      await this.goMissing(errCode(err));
      return false;
    }
  }

  private async comeBack(): Promise<void> {
    if (!(await this.open())) return;
    this.presence.markBack();
    await this.rescan(this.root);
  }

  /** Replaces the inbox's watch and rescans it, so nothing dropped meanwhile is missed. */
  private async reopen(): Promise<void> {
    await this.osWatch.close();
    if (await this.open()) await this.rescan(this.root);
  }

  private async fallbackToPolling(code: string): Promise<void> {
    const limit = await this.ports.readInotifyLimit();
    this.ports.log.warn(
      {
        folder: this.folder.name,
        inbox: this.root,
        code,
        limit,
        hint: raiseLimitHint(suggestedLimit(this.directories, limit)),
      },
      'Out of inotify watches; polling this inbox instead',
    );
    this.osWatch.pollFromNowOn();
    await this.reopen();
  }

  private async rescan(dir: string): Promise<void> {
    const scan = (at: string) => this.ports.scanFolder(this.root, at, isIgnoredRelative, this.ignoresFile);
    const result = await scan(dir);
    for (const again of await this.undecodable.makeReadable(result.undecodable)) {
      // The renamed files: scanned now, so they are taken in this pass.
      this.settle.offerScanned((await scan(again)).files);
    }
    const seen = this.settle.offerScanned(result.files);
    if (dir !== this.root) return;
    if (result.error !== undefined && !this.unlistableWarned) {
      this.ports.log.warn(
        { folder: this.folder.name, inbox: this.root, code: result.error },
        'Cannot list the inbox; check its permissions',
      );
    }
    this.unlistableWarned = result.error !== undefined;
    this.directories = result.directories;
    // Forget emitted versions only on a complete listing of the same, present inbox: an unreadable
    // or just-unmounted share (its bare, empty mount point) must never look like "those files are gone".
    if (result.complete && this.presence.isPresent && (await this.presence.isSameInbox()))
      this.settle.pruneEmitted(seen);
  }
}
