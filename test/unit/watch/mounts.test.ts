import { describe, expect, it } from 'vitest';
import { findMount, isNetworkFs, parseMacMount, parseProcMounts } from '../../../src/watch/mounts.js';

const PROC_MOUNTS = `/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
nas:/export/video /mnt/nas nfs4 rw,relatime,vers=4.2 0 0
//nas/share /mnt/smb cifs rw,relatime,vers=3.0 0 0
me@host:/home/me /home/me/remote fuse.sshfs rw,nosuid,nodev 0 0
/dev/sdb1 /media/usb fuseblk rw,nosuid,nodev 0 0
/dev/sdc1 /mnt/My\\040Videos ext4 rw 0 0
C:\\134 /mnt/c 9p rw,dirsync 0 0
`;

const MAC_MOUNT = `/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
devfs on /dev (devfs, local, nobrowse)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
map auto_home on /System/Volumes/Data/home (autofs, automounted, nobrowse)
//me@nas._smb._tcp.local/video on /Volumes/video (smbfs, nodev, nosuid, mounted by me)
nas:/export on /Volumes/nfs (nfs, asynchronous)
/dev/disk4s1 on /Volumes/My Disk (exfat, local, nodev, nosuid, noowners)
`;

describe('parseProcMounts', () => {
  const mounts = parseProcMounts(PROC_MOUNTS);

  it('reads mount points and types, unescaping octal', () => {
    expect(mounts.map((m) => m.mountPoint)).toContain('/mnt/My Videos');
    expect(mounts.find((m) => m.mountPoint === '/mnt/nas')?.fsType).toBe('nfs4');
  });

  it.each([
    ['/mnt/nas/inbox/avi', 'nfs4', true],
    ['/mnt/smb/inbox', 'cifs', true],
    ['/home/me/remote/videos', 'fuse.sshfs', true],
    ['/mnt/c/Users/me/inbox', '9p', true],
    ['/media/usb/inbox', 'fuseblk', false],
    ['/mnt/My Videos/inbox', 'ext4', false],
    ['/home/me/Videos/inbox', 'ext4', false],
    // A sibling whose name merely starts like a mount point is not under it.
    ['/mnt/nas2/inbox', 'ext4', false],
  ])('%s is on %s (network: %s)', (path, fsType, network) => {
    const mount = findMount(path, mounts);
    expect(mount?.fsType).toBe(fsType);
    expect(isNetworkFs(mount!, 'linux')).toBe(network);
  });

  it('the last of stacked mounts at one point wins', () => {
    const stacked = parseProcMounts(
      '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /mnt ext4 rw 0 0\nnas:/x /mnt nfs rw 0 0\n',
    );
    expect(findMount('/mnt/inbox', stacked)?.fsType).toBe('nfs');
  });
});

describe('parseMacMount', () => {
  const mounts = parseMacMount(MAC_MOUNT);

  it.each([
    ['/Volumes/video/inbox', 'smbfs', true],
    ['/Volumes/nfs/inbox', 'nfs', true],
    ['/Volumes/My Disk/inbox', 'exfat', false],
    ['/Users/me/Movies/inbox', 'apfs', false],
    ['/System/Volumes/Data/Users/me/inbox', 'apfs', false],
  ])('%s is on %s (network: %s)', (path, fsType, network) => {
    const mount = findMount(path, mounts);
    expect(mount?.fsType).toBe(fsType);
    expect(isNetworkFs(mount!, 'darwin')).toBe(network);
  });
});
