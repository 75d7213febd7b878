'use strict'
// A Next server stand-in for the cross-process tests: loads the BUILT handler modules the way
// Next 16 does (import(), then `mod.default || mod` twice) and answers requests over IPC
// (advanced serialization, so Buffers and Maps cross intact):
//   parent → { id, op, args }    child → { id, result } | { id, error }
const { join } = require('node:path')

const dist = join(__dirname, '../../dist/cjs')
const unwrap = (mod) => mod.default || mod
const loadLikeNext = (file) => import(join(dist, file)).then(unwrap).then(unwrap)

async function main() {
  const Handler = await loadLikeNext('index.js')
  const useCache = await loadLikeNext('use-cache.js')
  const serverDistDir = process.env.TEST_SERVER_DIST_DIR
  // A new instance per request, as Next does.
  const handler = () => new Handler({ serverDistDir })
  const ops = {
    get: ({ key, ctx }) => handler().get(key, ctx),
    set: ({ key, data, ctx }) => handler().set(key, data, ctx),
    revalidateTag: ({ tags, durations }) => handler().revalidateTag(tags, durations),
    useCacheSet: ({ key, entry, body }) =>
      useCache.set(key, Promise.resolve({ ...entry, value: new Response(body).body })),
    useCacheGet: async ({ key, softTags }) => {
      const found = await useCache.get(key, softTags)
      return found && { ...found, value: await new Response(found.value).text() }
    },
    updateTags: ({ tags, durations }) => useCache.updateTags(tags, durations),
    getExpiration: ({ tags }) => useCache.getExpiration(tags),
    // Next 15's CacheHandlerV2 calls, tags spread.
    expireTags: ({ tags }) => useCache.expireTags(...tags),
    getExpirationSpread: ({ tags }) => useCache.getExpiration(...tags),
  }
  process.on('message', async ({ id, op, args }) => {
    try {
      process.send({ id, result: await ops[op](args) })
    } catch (error) {
      process.send({ id, error: { name: error.name, message: error.message } })
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
