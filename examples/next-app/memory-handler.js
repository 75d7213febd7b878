// A control for the throughput benchmark (EXAMPLE_CACHE_HANDLER=memory-map): the least a custom
// `cacheHandler` can do, a Map in this process's memory (not shared, never evicted), to show how
// much of a custom handler's cost is Next's own per-request handling of one.
const entries = new Map()

module.exports = class MemoryMapHandler {
  async get(key) {
    return entries.get(key) ?? null
  }

  async set(key, value, ctx) {
    entries.set(key, { lastModified: Date.now(), value, cacheControl: ctx?.cacheControl })
  }

  async revalidateTag() {}

  resetRequestCache() {}
}
