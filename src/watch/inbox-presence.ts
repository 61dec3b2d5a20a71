import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { errCode } from './inbox-location.js';
import { MISSING_CODES, presenceVerdict, type InboxIdentity } from './presence-policy.js';

// A hard-mounted share that stops answering blocks stat forever; past this the inbox counts as missing.
export const PRESENCE_TIMEOUT_MS = 15_000;

/** What presence needs to know about the inbox directory. */
export interface DirStat {
  dev: number;
  ino: number;
  isDirectory(): boolean;
}

export interface PresencePorts {
  statDir(path: string): Promise<DirStat>;
  /** Mount point of the file system holding the inbox right now (symlinks resolved), when known. */
  mountPointOf(path: string): Promise<string | undefined>;
  clock: Clock;
  log: Logger;
}

/**
 * - `here`: present, the same directory as before.
 * - `gone`: cannot be stat'ed, not a directory, or unmounted (`code` says which): now missing.
 * - `still-unmounted`: missing, and only the bare mount point shows: still missing.
 * - `back`: missing before, a directory is there now.
 * - `replaced`: present, but another directory now sits at the inbox path.
 */
export type PresenceLook =
  | { kind: 'here' }
  | { kind: 'gone'; code: string }
  | { kind: 'still-unmounted' }
  | { kind: 'back' }
  | { kind: 'replaced' };

/**
 * Whether one inbox is there. Owns what the watcher knows about it: present or not, the identity it
 * had when last watched, and whether the user was told it is missing. Looking never acts; the inbox
 * folder acts on the answer (closes or reopens its watch).
 */
export class InboxPresence {
  private present = false;
  /** A missing-inbox warning was given and no "back" has followed yet. */
  private missingWarned = false;
  private identity: InboxIdentity | undefined;
  /** A stat of the inbox still running (a hung share): never stack a second one on the thread pool. */
  private statInFlight: Promise<DirStat> | undefined;

  constructor(
    private readonly where: { folder: string; inbox: string },
    private readonly ports: PresencePorts,
  ) {}

  get isPresent(): boolean {
    return this.present;
  }

  /** The directory's identity when its watch was opened. */
  remember(identity: InboxIdentity): void {
    this.identity = identity;
  }

  async look(): Promise<PresenceLook> {
    let st;
    try {
      st = await this.statInbox();
    } catch (err) {
      const code = errCode(err);
      if (!MISSING_CODES.has(code)) this.ports.log.warn({ ...this.where, code }, 'Cannot check the inbox');
      return { kind: 'gone', code };
    }
    if (!st.isDirectory()) return { kind: 'gone', code: 'ENOTDIR' };
    const before = this.identity;
    const changed = before !== undefined && (before.dev !== st.dev || before.ino !== st.ino);
    if (!this.present) {
      // A share still unmounted shows its bare mount point: that is not the inbox coming back.
      const unmounted = before !== undefined && before.dev !== st.dev && (await this.unmounted(before, st));
      return unmounted ? { kind: 'still-unmounted' } : { kind: 'back' };
    }
    if (before === undefined || !changed) return { kind: 'here' };
    if (await this.unmounted(before, st)) return { kind: 'gone', code: 'UNMOUNTED' };
    this.ports.log.info(this.where, 'Inbox folder was replaced; watching the new one');
    return { kind: 'replaced' };
  }

  /** The inbox went missing: one warning per absence, nothing in it treated as deleted. */
  markMissing(code: string): void {
    if (this.present || !this.missingWarned) {
      this.ports.log.warn(
        { ...this.where, code },
        'Inbox is missing; waiting for it to come back (nothing in it is treated as deleted)',
      );
    }
    this.present = false;
    this.missingWarned = true;
  }

  /** The inbox is watched again. */
  markBack(): void {
    this.present = true;
    if (this.missingWarned) this.ports.log.info(this.where, 'Inbox is back; rescanning');
    this.missingWarned = false;
  }

  /** Whether the very directory last watched is still the inbox (so its listing may prove absence). */
  async isSameInbox(): Promise<boolean> {
    try {
      const st = await this.statInbox();
      return this.identity !== undefined && st.dev === this.identity.dev && st.ino === this.identity.ino;
    } catch {
      return false;
    }
  }

  private async unmounted(before: InboxIdentity, st: DirStat): Promise<boolean> {
    const mountPoint = await this.ports.mountPointOf(this.where.inbox);
    return presenceVerdict(before, { dev: st.dev, ino: st.ino, mountPoint }) === 'unmounted';
  }

  private async statInbox(): Promise<DirStat> {
    this.statInFlight ??= this.ports.statDir(this.where.inbox).finally(() => {
      this.statInFlight = undefined;
    });
    const cap = new AbortController();
    const timeout = this.ports.clock.sleep(PRESENCE_TIMEOUT_MS, cap.signal).then(
      () => {
        throw Object.assign(new Error('The inbox did not answer'), { code: 'ETIMEDOUT' });
      },
      () => new Promise<never>(() => undefined),
    );
    try {
      return await Promise.race([this.statInFlight, timeout]);
    } finally {
      cap.abort();
    }
  }
}
