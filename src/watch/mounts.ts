import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  /** macOS marks local volumes with `local`; Linux leaves this empty. */
  options: string[];
}

// inotify/FSEvents only see changes made through this machine's kernel: on these, another machine's
// writes (or the host's, for VM shares) never raise an event, so the folder must be polled.
const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb',
  'smb2',
  'smb3',
  'smbfs',
  '9p',
  'afs',
  'afpfs',
  'ceph',
  'glusterfs',
  'lustre',
  'gpfs',
  'davfs',
  'webdav',
  'ncpfs',
  'vboxsf',
  'virtiofs',
  'drvfs',
  'fuse',
  'osxfuse',
  'macfuse',
]);
// FUSE file systems backed by a local disk see every change through the local kernel.
const LOCAL_FUSE = new Set(['fuseblk', 'fuse.ntfs-3g', 'fuse.exfat', 'fuse.lxcfs', 'fuse.portal']);

export function isNetworkFs(entry: MountEntry, platform: NodeJS.Platform = process.platform): boolean {
  const type = entry.fsType.toLowerCase();
  if (LOCAL_FUSE.has(type)) return false;
  if (NETWORK_FS.has(type) || type.startsWith('fuse.') || type.startsWith('nfs')) return true;
  if (platform === 'darwin') return !entry.options.includes('local') && type !== 'autofs' && type !== 'devfs';
  return false;
}

/** `/proc/mounts` escapes spaces, tabs, newlines and backslashes as octal (`\040`). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseProcMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[1] === undefined || fields[2] === undefined) continue;
    out.push({ mountPoint: unescapeOctal(fields[1]), fsType: fields[2], options: [] });
  }
  return out;
}

/** macOS `mount` lines: `//me@nas/video on /Volumes/video (smbfs, nodev, nosuid, mounted by me)`. */
export function parseMacMount(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^.+? on (.+) \(([^,)]+)(?:, ([^)]*))?\)\s*$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    const options = (m[3] ?? '').split(',').map((o) => o.trim());
    out.push({ mountPoint: m[1], fsType: m[2].trim(), options });
  }
  return out;
}

function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** The mount holding `realPath` (already resolved through symlinks): the longest mount point above it. */
export function findMount(realPath: string, mounts: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    if (!isUnder(realPath, m.mountPoint)) continue;
    // Later entries stack over earlier ones at the same point, so `>=` keeps the one in effect.
    if (best === undefined || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/** The mount table of this machine; empty where we cannot read one (then nothing counts as a share). */
export async function readSystemMounts(platform: NodeJS.Platform = process.platform): Promise<MountEntry[]> {
  try {
    if (platform === 'linux') return parseProcMounts(await readFile('/proc/mounts', 'utf8'));
    if (platform === 'darwin') {
      const { stdout } = await promisify(execFile)('mount', [], { timeout: 5000 });
      return parseMacMount(stdout);
    }
  } catch {
    // Unknown mounts mean native watching plus the periodic rescan, which still finds every file.
  }
  return [];
}
