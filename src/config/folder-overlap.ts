import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';

/**
 * Where one folder's inbox and outbox are. `inboxId` and the chains are device:inode identities
 * (the folder and each existing parent up to the root): two paths that reach one folder through a
 * bind mount have different text but the same identity.
 */
export interface FolderPlace {
  name: string;
  inbox: string;
  outbox: string;
  inboxId?: string;
  inboxChain?: readonly string[];
  outboxChain?: readonly string[];
}

export type OverlapKind = 'outbox-in-inbox' | 'same-inbox' | 'inbox-in-inbox';

export interface Overlap {
  /** The folder whose key is wrong. */
  index: number;
  key: 'inbox' | 'outbox';
  kind: OverlapKind;
  /** The folder it overlaps with. */
  other: string;
}

/**
 * Folders that would feed each other: an outbox inside any inbox means every output is picked up
 * again as a new input (a loop other watch-folder tools shipped); an inbox inside (or equal to)
 * another means one file is taken by two folders. Pure: give it real paths and identities to judge
 * links and mounts, or the configured paths to judge the text alone.
 */
export function findOverlaps(folders: readonly FolderPlace[]): Overlap[] {
  const out: Overlap[] = [];
  folders.forEach((folder, i) => {
    folders.forEach((other, j) => {
      const otherId = other.inboxId;
      const reaches = (path: string, chain: readonly string[] | undefined) =>
        isInside(path, other.inbox) || (otherId !== undefined && (chain ?? []).includes(otherId));
      if (reaches(folder.outbox, folder.outboxChain)) {
        out.push({ index: i, key: 'outbox', kind: 'outbox-in-inbox', other: other.name });
      }
      if (i === j) return;
      const same = folder.inbox === other.inbox || (otherId !== undefined && folder.inboxId === otherId);
      if (same) {
        if (j < i) out.push({ index: i, key: 'inbox', kind: 'same-inbox', other: other.name });
      } else if (reaches(folder.inbox, folder.inboxChain)) {
        out.push({ index: i, key: 'inbox', kind: 'inbox-in-inbox', other: other.name });
      }
    });
  });
  return out;
}

/** What the overlap means and what to do, for a ConfigIssue; `really` is the real path when it differs. */
export function overlapMessage(o: Overlap, really?: string): string {
  const via = really ? ` (it is really ${really})` : '';
  switch (o.kind) {
    case 'outbox-in-inbox':
      return `The outbox is inside the inbox of "${o.other}"${via}; outputs would be converted again. Put the outbox outside every inbox`;
    case 'same-inbox':
      return `The inbox is already watched by "${o.other}"${via}; each folder needs its own folder as inbox`;
    case 'inbox-in-inbox':
      return `The inbox is inside the inbox of "${o.other}"${via}; its files would be taken twice. Give each folder its own folder, outside the other inboxes`;
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The folders as they really are: symlinks resolved (a folder not created yet resolves through its
 * nearest existing parent), with device:inode identities where the folders exist.
 */
export async function realFolderPlaces(
  folders: readonly { name: string; inbox: string; outbox: string }[],
): Promise<FolderPlace[]> {
  return Promise.all(
    folders.map(async (f) => {
      const inbox = await realPathOf(f.inbox);
      const outbox = await realPathOf(f.outbox);
      const inboxChain = await identityChain(inbox);
      return {
        name: f.name,
        inbox,
        outbox,
        inboxId: (await identityOf(inbox)) ?? undefined,
        inboxChain,
        outboxChain: await identityChain(outbox),
      };
    }),
  );
}

/** realpath, also for a path whose last parts do not exist yet. */
export async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

async function identityOf(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? `${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/** Identities of `path` (when it exists) and of every existing parent up to the root. */
async function identityChain(path: string): Promise<string[]> {
  const ids: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    const id = await identityOf(current);
    if (id !== undefined) ids.push(id);
    if (dirname(current) === current) return ids;
  }
}
