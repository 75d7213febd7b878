import Database from 'better-sqlite3'

/**
 * better-sqlite3 12 compiled against the headers of Node 24.19 or later aborts
 * the whole process ("Assertion failed: (env) != nullptr") when the garbage
 * collector frees one of its Database, Statement or iterator objects
 * (WiseLibs/better-sqlite3#1515; fixed in better-sqlite3 13, which needs Node 22,
 * while we support Node 20). Until we can require 13, on those runtimes every
 * database and statement core creates stays reachable for the life of the
 * process: the cost is a few kilobytes per closed cache. So core prepares each
 * statement once, never calls db.pragma() or db.transaction() (they prepare
 * statements where we cannot see them) and never uses .iterate().
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
export const MUST_RETAIN_NATIVE_OBJECTS = major > 24 || (major === 24 && minor >= 19)

// One list per process, found through a global symbol, so that every copy of
// this module (the ESM and CommonJS builds, a bundler's copy, each of jest's
// module registries) holds on to what it created for as long as the process lives.
const RETAINED = Symbol.for('diskcache.retainedNativeObjects')
const retained: object[] = ((globalThis as Record<symbol, object[]>)[RETAINED] ??= [])

export function openNativeDatabase(path: string, options: Database.Options): Database.Database {
  const db = new Database(path, options)
  if (MUST_RETAIN_NATIVE_OBJECTS) {
    retained.push(db)
    const prepare = db.prepare.bind(db)
    db.prepare = ((source: string) => {
      const statement = prepare(source)
      retained.push(statement)
      return statement
    }) as typeof db.prepare
  }
  return db
}
