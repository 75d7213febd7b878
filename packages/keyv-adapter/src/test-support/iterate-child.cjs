// Walks one namespace of a cache directory through Keyv's own iterator, in a
// child process started with a small heap: `count` streams the entries and
// prints how many it saw; `collect` keeps every value (the control: it must
// run out of memory when the namespace is larger than the heap).
// Loads the BUILT package (dist/cjs), as users do.
const { Keyv } = require('keyv')
const { KeyvDiskCache } = require('@diskcache/keyv')

async function main() {
  const [directory, mode] = process.argv.slice(2)
  const keyv = new Keyv({ store: new KeyvDiskCache(directory), namespace: 'big' })
  let seen = 0
  const kept = []
  for await (const [, value] of keyv.iterator()) {
    seen++
    if (mode === 'collect') kept.push(value)
  }
  await keyv.disconnect()
  process.stdout.write(JSON.stringify({ seen, kept: kept.length }))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
