// jest runs each test file in its own global object and module registry, and
// drops both when the file is done. core keeps the better-sqlite3 objects it
// creates reachable through a global symbol (see
// packages/core/src/native-handles.ts: on Node 24.19+ better-sqlite3 12 aborts
// the process when one is garbage-collected); this environment hands every
// test file the same list, so nothing a finished file opened is ever collected.
const { TestEnvironment } = require('jest-environment-node')

const retained = []

module.exports = class DiskCacheTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context)
    this.global[Symbol.for('diskcache.retainedNativeObjects')] = retained
  }
}
