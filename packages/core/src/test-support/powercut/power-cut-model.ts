import { closeSync, constants, copyFileSync, existsSync, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { type PowerCutRecord, readLogBytes } from './power-cut-log.js'

// Linux's O_ACCMODE, which fs.constants leaves out.
const O_ACCMODE = 3

type DataChange = { type: 'write'; offset: number; length: number; dataAt: number } | { type: 'truncate'; length: number }
type NameChange =
  | { type: 'link'; name: string; node: FileNode | DirNode }
  | { type: 'unlink'; name: string; node: FileNode | DirNode }
  | { type: 'rename'; from: string; to: string; node: FileNode | DirNode }

interface FileNode {
  kind: 'file'
  id: number
  path: string
  pendingData: DataChange[]
  /** The change that created it, while its directory has not been synced. */
  pendingCreation?: { dir: DirNode; change: NameChange }
}
interface DirNode {
  kind: 'dir'
  id: number
  path: string
  live: Map<string, FileNode | DirNode>
  durable: Map<string, FileNode | DirNode>
  pendingNames: NameChange[]
}

export interface PowerCutModelOptions {
  /** Fsyncs to leave out, to emulate a program that never made them (and prove the test notices). */
  ignoreFsync?: (path: string, isDirectory: boolean) => boolean
  /** A new file's name, too, waits for its directory's fsync (stricter than ext4, as POSIX allows). */
  strictNames?: boolean
}

/**
 * Replays a power-cut log (powercut.c) and keeps two states of the watched
 * directory: `live`, what a reader saw when the process died, and `durable`,
 * what a power cut at that moment would have left on a strict POSIX disk:
 *
 * - A file's bytes (writes, truncations) become durable, in order, at an
 *   fsync/fdatasync of that file; bytes never synced are not on the disk (no
 *   background writeback: the worst case, as if the cut came right away).
 * - A new file's own name becomes durable at its first fsync, as on ext4, or
 *   with its directory's fsync (only the latter with `strictNames`).
 * - Every other change of a directory (mkdir, rmdir, rename, unlink, and the
 *   names of files not yet synced) becomes durable, in order, at an fsync of
 *   that directory. So a new directory exists after the cut only once its
 *   parent was synced, and everything under it is reachable only then.
 *
 * Durable contents live in `<work>/durable-store/<id>`, live ones in
 * `<work>/live-store/<id>`; writeTree() lays either out as a directory.
 */
export class PowerCutModel {
  private nextId = 1
  private readonly root: DirNode = { kind: 'dir', id: 0, path: '', live: new Map(), durable: new Map(), pendingNames: [] }
  private readonly fds = new Map<number, FileNode | DirNode>()
  private readonly durableStore: string
  private readonly liveStore: string

  constructor(
    private readonly logFd: number,
    work: string,
    private readonly options: PowerCutModelOptions = {},
  ) {
    this.durableStore = join(work, 'durable-store')
    this.liveStore = join(work, 'live-store')
    mkdirSync(this.durableStore, { recursive: true })
    mkdirSync(this.liveStore, { recursive: true })
  }

  apply(record: PowerCutRecord): void {
    switch (record.type) {
      case 'open':
        return this.open(record.fd, record.path, record.flags, record.isDirectory)
      case 'close':
        this.fds.delete(record.fd)
        return
      case 'write':
      case 'truncate': {
        const node = this.fileOf(record.fd)
        const change: DataChange =
          record.type === 'write' ? { type: 'write', offset: record.offset, length: record.length, dataAt: record.dataAt } : record
        node.pendingData.push(change)
        this.applyData(this.liveStore, node, [change])
        return
      }
      case 'fsync':
        return this.fsync(this.nodeOf(record.fd))
      case 'rename': {
        const [from, fromName] = this.parentOf(record.from)
        const [to, toName] = this.parentOf(record.to)
        if (from !== to) throw new Error(`power-cut model: a rename across directories (${record.from} → ${record.to}) is not modelled`)
        const node = this.existing(from, fromName, record.from)
        from.live.delete(fromName)
        from.live.set(toName, node)
        node.path = record.to
        from.pendingNames.push({ type: 'rename', from: fromName, to: toName, node })
        return
      }
      case 'unlink':
      case 'rmdir': {
        const [dir, name] = this.parentOf(record.path)
        const node = this.existing(dir, name, record.path)
        dir.live.delete(name)
        dir.pendingNames.push({ type: 'unlink', name, node })
        return
      }
      case 'mkdir': {
        const [dir, name] = this.parentOf(record.path)
        const node: DirNode = { kind: 'dir', id: this.nextId++, path: record.path, live: new Map(), durable: new Map(), pendingNames: [] }
        dir.live.set(name, node)
        dir.pendingNames.push({ type: 'link', name, node })
        return
      }
    }
  }

  /** Lays out the durable (or live) state as a real directory tree in `target`. */
  writeTree(target: string, state: 'durable' | 'live'): void {
    const store = state === 'durable' ? this.durableStore : this.liveStore
    const walk = (dir: DirNode, path: string): void => {
      mkdirSync(path, { recursive: true })
      for (const [name, node] of dir[state]) {
        if (node.kind === 'dir') walk(node, join(path, name))
        else if (existsSync(join(store, String(node.id)))) copyFileSync(join(store, String(node.id)), join(path, name))
        else writeFileSync(join(path, name), '') // named, but none of its bytes made it
      }
    }
    walk(this.root, target)
  }

  private open(fd: number, path: string, flags: number, isDirectory: boolean): void {
    let node: FileNode | DirNode | undefined
    if (path === '') node = this.root
    else {
      const [dir, name] = this.parentOf(path)
      node = dir.live.get(name)
      if (node === undefined) {
        if (isDirectory || (flags & constants.O_CREAT) === 0) throw new Error(`power-cut model: ${path} was opened but never created`)
        const file: FileNode = { kind: 'file', id: this.nextId++, path, pendingData: [] }
        const change: NameChange = { type: 'link', name, node: file }
        file.pendingCreation = { dir, change }
        dir.live.set(name, file)
        dir.pendingNames.push(change)
        node = file
      } else if (node.kind === 'file' && (flags & constants.O_TRUNC) !== 0 && (flags & O_ACCMODE) !== constants.O_RDONLY) {
        node.pendingData.push({ type: 'truncate', length: 0 })
        this.applyData(this.liveStore, node, [{ type: 'truncate', length: 0 }])
      }
    }
    if ((node.kind === 'dir') !== isDirectory) throw new Error(`power-cut model: ${path} changed kind behind the model's back`)
    this.fds.set(fd, node)
  }

  private fsync(node: FileNode | DirNode): void {
    if (this.options.ignoreFsync?.(node.path, node.kind === 'dir')) return
    if (node.kind === 'dir') {
      for (const change of node.pendingNames.splice(0)) applyName(node, change)
      return
    }
    this.applyData(this.durableStore, node, node.pendingData.splice(0))
    const creation = node.pendingCreation
    if (creation && !this.options.strictNames) {
      const at = creation.dir.pendingNames.indexOf(creation.change)
      if (at >= 0) creation.dir.pendingNames.splice(at, 1)
      applyName(creation.dir, creation.change)
    }
  }

  private applyData(store: string, node: FileNode, changes: DataChange[]): void {
    if (changes.length === 0) return
    const path = join(store, String(node.id))
    const out = openSync(path, existsSync(path) ? 'r+' : 'w+')
    try {
      for (const change of changes) {
        if (change.type === 'truncate') ftruncateSync(out, change.length)
        else writeSync(out, readLogBytes(this.logFd, change.dataAt, change.length), 0, change.length, change.offset)
      }
    } finally {
      closeSync(out)
    }
  }

  private nodeOf(fd: number): FileNode | DirNode {
    const node = this.fds.get(fd)
    if (node === undefined) throw new Error(`power-cut model: descriptor ${fd} was used but never opened in the watched directory`)
    return node
  }

  private fileOf(fd: number): FileNode {
    const node = this.nodeOf(fd)
    if (node.kind !== 'file') throw new Error(`power-cut model: a write to the directory ${node.path}`)
    return node
  }

  private parentOf(path: string): [DirNode, string] {
    const parts = path.split('/')
    const name = parts.pop() as string
    let dir = this.root
    for (const part of parts) {
      const next = dir.live.get(part)
      if (next?.kind !== 'dir') throw new Error(`power-cut model: ${path} lies under ${part}, which the model has no directory for`)
      dir = next
    }
    return [dir, name]
  }

  private existing(dir: DirNode, name: string, path: string): FileNode | DirNode {
    const node = dir.live.get(name)
    if (node === undefined) throw new Error(`power-cut model: ${path} was changed but never created`)
    return node
  }
}

function applyName(dir: DirNode, change: NameChange): void {
  if (change.node.kind === 'file') change.node.pendingCreation = undefined
  switch (change.type) {
    case 'link':
      dir.durable.set(change.name, change.node)
      return
    case 'unlink':
      if (dir.durable.get(change.name) === change.node) dir.durable.delete(change.name)
      return
    case 'rename':
      if (dir.durable.get(change.from) === change.node) dir.durable.delete(change.from)
      dir.durable.set(change.to, change.node)
      return
  }
}
