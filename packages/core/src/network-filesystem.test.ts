import { join } from 'node:path'
import { filesystemType, filesystemTypeFromMountinfo, isNetworkFilesystem } from './network-filesystem.js'
import { makeTempDir } from './test-support/temp-dir.js'

afterEach(() => jest.restoreAllMocks())

// Lines as /proc/self/mountinfo writes them: optional fields (shared:N) come before
// the ' - ' separator, and spaces in paths are escaped as \040.
const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '40 27 0:45 / /mnt/data rw,relatime shared:20 master:3 - nfs4 server:/export rw,vers=4.2,rsize=1048576',
  '41 27 0:46 / /mnt/share rw,relatime - cifs //server/share rw,vers=3.1.1,cache=strict',
  '42 27 0:47 / /mnt/with\\040space rw,relatime - nfs server:/x rw',
  '43 40 0:48 / /mnt/data/local rw,relatime - tmpfs tmpfs rw',
  '44 27 0:49 / /mnt/database rw - ext4 /dev/vdb rw',
  '45 27 0:50 / /srv rw - ext4 /dev/vdc rw',
  '46 45 0:51 / /srv rw - fuse.sshfs user@host:/srv rw', // mounted over the first /srv: the later one counts
  'not a mountinfo line',
  '',
].join('\n')

describe('filesystemTypeFromMountinfo()', () => {
  it.each([
    ['/mnt/data', 'nfs4'],
    ['/mnt/data/app/cache', 'nfs4'],
    ['/mnt/share/cache', 'cifs'],
    ['/mnt/with space/cache', 'nfs'],
    ['/mnt/data/local/cache', 'tmpfs'], // the innermost mount wins
    ['/mnt/database/cache', 'ext4'], // /mnt/data is a string prefix, not a parent directory
    ['/home/user/.cache', 'ext4'],
    ['/srv/cache', 'fuse.sshfs'],
  ])('finds the mount holding %s: %s', (path, type) => {
    expect(filesystemTypeFromMountinfo(MOUNTINFO, path)).toBe(type)
  })

  it('returns undefined when no line parses', () => {
    expect(filesystemTypeFromMountinfo('', '/x')).toBeUndefined()
    expect(filesystemTypeFromMountinfo('garbage\nmore garbage', '/x')).toBeUndefined()
  })
})

describe('isNetworkFilesystem()', () => {
  it('knows the network filesystems and not the local ones', () => {
    for (const type of ['nfs', 'nfs4', 'cifs', 'smb3', 'fuse.sshfs', '9p', 'ceph']) expect([type, isNetworkFilesystem(type)]).toEqual([type, true])
    for (const type of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'zfs', 'apfs']) expect([type, isNetworkFilesystem(type)]).toEqual([type, false])
  })
})

describe('filesystemType()', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip
  onLinux('reports a local filesystem for a temp directory', () => {
    const type = filesystemType(makeTempDir())
    expect(typeof type).toBe('string')
    expect(isNetworkFilesystem(type!)).toBe(false)
  })

  it('returns undefined for a directory that does not exist', () => {
    expect(filesystemType(join(makeTempDir(), 'missing'))).toBeUndefined()
  })
})

describe('warnIfNetworkFilesystem()', () => {
  // A fresh copy of the module per test: it remembers that it warned.
  function freshModule(): typeof import('./network-filesystem.js') {
    let loaded!: typeof import('./network-filesystem.js')
    jest.isolateModules(() => {
      loaded = require('./network-filesystem.js')
    })
    return loaded
  }

  it('warns once per process, naming the directory and the type', () => {
    const { warnIfNetworkFilesystem } = freshModule()
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    warnIfNetworkFilesystem('/mnt/data/cache', 'nfs4')
    warnIfNetworkFilesystem('/mnt/share/cache', 'cifs')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/\/mnt\/data\/cache.*nfs4/),
      expect.objectContaining({ code: 'DISKCACHE_NETWORK_FS' }),
    )
  })

  it('stays quiet for local and unknown filesystems', () => {
    const { warnIfNetworkFilesystem } = freshModule()
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    warnIfNetworkFilesystem('/home/user/cache', 'ext4')
    warnIfNetworkFilesystem(makeTempDir())
    expect(warn).not.toHaveBeenCalled()
    warnIfNetworkFilesystem('/mnt/data', 'nfs') // still free to warn later
    expect(warn).toHaveBeenCalledTimes(1)
  })
})
