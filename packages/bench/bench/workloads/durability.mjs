// Workload 5, durability: set of new keys on two Caches, synchronous 'normal'
// (the default) and 'full', taking turns every 500 sets (core's interleave).
import { join } from 'node:path'
import { loadCore } from '../../../core/bench/lib/contenders.mjs'
import { interleave, makeValue } from '../../../core/bench/lib/stats.mjs'

export function durability(dir, { keys, valueSize, run = 0 }) {
  const { Cache } = loadCore()
  const normal = new Cache(join(dir, 'normal'), { synchronous: 'normal' })
  const full = new Cache(join(dir, 'full'), { synchronous: 'full' })
  try {
    const value = makeValue(valueSize, 1)
    const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
    return interleave({ normal: (i) => normal.set(names[i], value), full: (i) => full.set(names[i], value) }, keys, { flip: run })
  } finally {
    normal.close()
    full.close()
  }
}
