import { readFileSync, realpathSync } from 'node:fs'

// SQLite's locking is unreliable on these (python-diskcache #249, #164, #345).
const NETWORK_FILESYSTEMS = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'fuse.sshfs', '9p', 'ceph', 'glusterfs', 'fuse.glusterfs',
  'afs', 'lustre', 'gpfs', 'fuse.s3fs', 'fuse.rclone', 'davfs', 'fuse.davfs2', 'prl_fs', 'vboxsf', 'virtiofs',
])

let warned = false

/** Warns once per process when `directory` is on a network filesystem. Linux only: elsewhere it stays quiet. */
export function warnIfNetworkFilesystem(directory: string, knownType?: string): void {
  if (warned) return
  const type = knownType ?? filesystemType(directory)
  if (type === undefined || !isNetworkFilesystem(type)) return
  warned = true
  process.emitWarning(
    `diskcache: ${directory} is on a network filesystem (${type}); SQLite locking is unreliable there and the ` +
      'cache can be corrupted when several hosts share it. Put the cache on a local disk',
    { code: 'DISKCACHE_NETWORK_FS' },
  )
}

export function isNetworkFilesystem(type: string): boolean {
  return NETWORK_FILESYSTEMS.has(type)
}

/** The filesystem type holding `directory`, read from /proc/self/mountinfo. */
export function filesystemType(directory: string): string | undefined {
  let mountinfo: string
  let path: string
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')
    path = realpathSync(directory)
  } catch {
    return undefined
  }
  return filesystemTypeFromMountinfo(mountinfo, path)
}

/** The type of the innermost mount in `mountinfo` (the text of /proc/self/mountinfo) holding the absolute, resolved `path`. */
export function filesystemTypeFromMountinfo(mountinfo: string, path: string): string | undefined {
  let best: { mountPoint: string; type: string } | undefined
  for (const line of mountinfo.split('\n')) {
    // Fields: id parent major:minor root mount-point options [optional...] - type source super-options
    const [before, after] = line.split(' - ')
    if (!before || !after) continue
    const mountPoint = unescapeMountPath(before.split(' ')[4] ?? '')
    const type = after.split(' ')[0] ?? ''
    const contains = path === mountPoint || path.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/')
    if (contains && (!best || mountPoint.length >= best.mountPoint.length)) best = { mountPoint, type }
  }
  return best?.type
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}
