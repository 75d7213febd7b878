// Every contender of the peer benchmark behind one small interface:
//   { set(k, v), get(k), delete(k), fill(entries), close() }
// A call returns its value or a promise of it; the timing loops await only
// promises, so a synchronous call (lmdb's get, all of ours) pays no await. Each store runs with its defaults
// unless a setting is needed for the workload to run at all; `settings` says
// which, and `durability` what a committed write survives.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { loadCore, openFloor } from '../../core/bench/lib/contenders.mjs'

const require = createRequire(import.meta.url)

const SQLITE_NORMAL = "WAL, synchronous 'normal': survives a process crash; a power cut can lose the last commits"

export const CONTENDERS = {
  cache: {
    label: '@diskcache/core Cache',
    kind: 'ours',
    module: '@diskcache/core',
    settings: 'default options',
    durability: SQLITE_NORMAL,
    shared: true,
    open: (dir) => wrapCore(new (loadCore().Cache)(join(dir, 'cache'))),
  },
  fanout: {
    label: '@diskcache/core FanoutCache',
    kind: 'ours',
    module: '@diskcache/core',
    settings: '8 shards (the default), default options',
    durability: SQLITE_NORMAL,
    shared: true,
    open: (dir) => wrapCore(new (loadCore().FanoutCache)(join(dir, 'fanout'))),
  },
  floor: {
    label: 'better-sqlite3 (floor)',
    kind: 'floor',
    module: 'better-sqlite3',
    settings: 'one table, prepared upsert/select/delete in autocommit, pragmas read from a live Cache',
    durability: SQLITE_NORMAL,
    shared: true,
    open: (dir) => {
      const store = openFloor(dir)
      return { set: store.set, get: store.get, delete: store.delete, fill: store.fill, close: store.close }
    },
  },
  lmdb: {
    label: 'lmdb',
    kind: 'embedded',
    module: 'lmdb',
    settings: 'open({ path }) defaults; await each put/remove (a commit per event-loop turn)',
    durability: 'fsync after every commit, off the writer lock (overlappingSync, the default on Linux): acknowledged before flushed',
    shared: true,
    open: (dir) => {
      const { open } = require('lmdb')
      const db = open({ path: join(dir, 'lmdb') })
      return {
        set: (k, v) => db.put(k, v),
        get: (k) => db.get(k),
        delete: (k) => db.remove(k),
        fill: (entries) => db.batch(() => entries.forEach(([k, v]) => db.put(k, v))),
        close: () => db.close(),
      }
    },
  },
  'keyv-sqlite': {
    label: 'Keyv + @keyv/sqlite',
    kind: 'embedded',
    module: '@keyv/sqlite',
    settings: 'Keyv defaults (JSON serializer); busyTimeout 5000 ms so several processes can share the file',
    durability: 'SQLite defaults: rollback journal, synchronous FULL (fsync on every commit)',
    shared: true,
    open: async (dir) => {
      const { Keyv } = require('keyv')
      const KeyvSqlite = require('@keyv/sqlite').default
      mkdirSync(dir, { recursive: true })
      return wrapKeyv(new Keyv({ store: new KeyvSqlite(`sqlite://${join(dir, 'keyv.sqlite')}`, { busyTimeout: 5000 }) }))
    },
  },
  'keyv-file': {
    label: 'Keyv + keyv-file',
    kind: 'embedded',
    module: 'keyv-file',
    settings: 'Keyv defaults; keyv-file defaults (whole map in memory, file rewritten 100 ms after a write; an awaited set resolves after that rewrite)',
    durability: 'none until the delayed rewrite of the whole file (no fsync); one process only',
    shared: false,
    sharedNote: 'keyv-file keeps the map in each process and rewrites the file: processes would overwrite each other',
    open: async (dir) => {
      const { Keyv } = require('keyv')
      const { KeyvFile } = require('keyv-file')
      const keyv = new Keyv({ store: new KeyvFile({ filename: join(dir, 'keyv-file.json') }) })
      // Each set resolves when the delayed rewrite that includes it is done:
      // untimed fills issue theirs together so they share one rewrite.
      return { ...wrapKeyv(keyv), fill: (entries) => Promise.all(entries.map(([k, v]) => keyv.set(k, v))) }
    },
  },
  cacache: {
    label: 'cacache',
    kind: 'embedded',
    module: 'cacache',
    settings: 'defaults (content-addressed files + append-only index)',
    durability: 'files written and renamed into place, no fsync: survives a process crash, not a power cut',
    shared: true,
    open: (dir) => {
      const cacache = require('cacache')
      const path = join(dir, 'cacache')
      return {
        set: (k, v) => cacache.put(path, k, v),
        get: (k) =>
          cacache.get(path, k).then(
            (hit) => hit.data,
            (error) => {
              if (error.code === 'ENOENT') return undefined
              throw error
            },
          ),
        delete: (k) => cacache.rm.entry(path, k),
        fill: (entries) => inBatches(entries, 32, ([k, v]) => cacache.put(path, k, v)),
        close: () => {},
      }
    },
  },
  redis: {
    label: 'Redis (ioredis)',
    kind: 'server',
    module: 'ioredis',
    server: 'redis',
    settings: 'redis-server started by the script on 127.0.0.1, --save "" --appendonly no; ioredis defaults, one connection per process',
    durability: 'none: started without persistence (no RDB snapshots, no AOF), data lives in server memory',
    shared: true,
    open: async (dir, { ports, fresh }) => {
      const Redis = require('ioredis')
      const client = new Redis({ host: '127.0.0.1', port: ports.redis, lazyConnect: true })
      await client.connect()
      if (fresh) await client.flushall()
      return {
        set: (k, v) => client.set(k, v),
        get: async (k) => (await client.get(k)) ?? undefined,
        delete: (k) => client.del(k),
        fill: (entries) => {
          const pipeline = client.pipeline()
          for (const [k, v] of entries) pipeline.set(k, v)
          return pipeline.exec()
        },
        close: () => client.quit(),
      }
    },
  },
  memcached: {
    label: 'Memcached (memjs)',
    kind: 'server',
    module: 'memjs',
    server: 'memcached',
    settings: 'memcached started by the script on 127.0.0.1 with -m 2048 -I 2m (1 MB values need the larger item size); memjs defaults, binary protocol',
    durability: 'none: memory only',
    shared: true,
    // No flush between runs: every job uses its own key prefix, which sidesteps
    // flush_all's same-second invalidation of new items.
    open: async (dir, { ports }) => {
      const memjs = require('memjs')
      const client = memjs.Client.create(`127.0.0.1:${ports.memcached}`, { retries: 0, logger: { log: () => {} } })
      return {
        set: (k, v) => client.set(k, v, { expires: 0 }),
        get: async (k) => (await client.get(k)).value ?? undefined,
        delete: (k) => client.delete(k),
        fill: (entries) => inBatches(entries, 200, ([k, v]) => client.set(k, v, { expires: 0 })),
        close: () => client.close(),
      }
    },
  },
  lru: {
    label: 'lru-cache (in memory)',
    kind: 'memory',
    module: 'lru-cache',
    settings: 'new LRUCache({ max: 2,000,000 })',
    durability: 'none: process memory',
    shared: false,
    sharedNote: 'in-process memory cannot be shared between processes',
    open: () => {
      const { LRUCache } = require('lru-cache')
      const lru = new LRUCache({ max: 2_000_000 })
      return {
        set: (k, v) => lru.set(k, v),
        get: (k) => lru.get(k),
        delete: (k) => lru.delete(k),
        fill: (entries) => entries.forEach(([k, v]) => lru.set(k, v)),
        close: () => lru.clear(),
      }
    },
  },
  python: {
    label: 'Python DiskCache',
    kind: 'python',
    settings: 'diskcache.Cache(directory) defaults, run by python3 as a child process on the same workload',
    durability: "WAL, synchronous NORMAL (its default): same as ours",
    shared: true,
  },
}

export const CONTENDER_IDS = Object.keys(CONTENDERS)

/** Runs `call` over `items` with at most `width` calls in flight: thousands of concurrent file writes exhaust descriptors. */
async function inBatches(items, width, call) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(call))
}

function wrapCore(cache) {
  return {
    set: (k, v) => cache.set(k, v),
    get: (k) => cache.get(k),
    delete: (k) => cache.delete(k),
    fill: (entries) => cache.setMany(entries),
    close: () => cache.close(),
  }
}

function wrapKeyv(keyv) {
  return {
    set: (k, v) => keyv.set(k, v),
    get: (k) => keyv.get(k),
    delete: (k) => keyv.delete(k),
    fill: (entries) => keyv.setMany(entries.map(([key, value]) => ({ key, value }))),
    close: () => keyv.disconnect(),
  }
}

/** Opens a contender's store in `dir`; `context.ports` holds the servers' ports, `context.fresh` empties a server first. */
export async function openStore(id, dir, context = {}) {
  const contender = CONTENDERS[id]
  if (!contender?.open) throw new Error(`contender "${id}" has no Node store`)
  mkdirSync(dir, { recursive: true })
  return contender.open(dir, context)
}

/** The version of an installed npm package (read from disk: some packages do not export their package.json). */
export function packageVersion(name) {
  try {
    let dir = dirname(require.resolve(name))
    for (;;) {
      const file = join(dir, 'package.json')
      if (existsSync(file)) {
        const json = JSON.parse(readFileSync(file, 'utf8'))
        if (json.name === name) return json.version
      }
      const up = dirname(dir)
      if (up === dir) return undefined
      dir = up
    }
  } catch {
    return undefined
  }
}

/** The first python3 that can import diskcache: the one on PATH, then Debian's (python3-diskcache installs there). */
export function findPython() {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      const out = execFileSync(python, ['-c', 'import diskcache, platform; print(diskcache.__version__, platform.python_version())'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      const [diskcache, version] = out.trim().split(' ')
      return { python, diskcache, version }
    } catch {
      // Try the next one.
    }
  }
  return undefined
}

/** Whether a command is on PATH (`command -v`). */
export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
