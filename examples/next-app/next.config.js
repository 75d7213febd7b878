// @ts-check
const path = require('node:path')

// The throughput benchmark serves one build with each cache in turn; next.config is read again by
// `next start`, so these switch the cache at start time (build with the default, diskcache):
//   EXAMPLE_CACHE_HANDLER=diskcache | next-default | memory-map
//     diskcache: @diskcache/next for cacheHandler and cacheHandlers; next-default: neither (Next's
//     file-system cache and memory 'use cache' handler); memory-map: ./memory-handler.js as
//     cacheHandler, a control for the benchmark; next-fs-as-custom: Next's own file-system cache
//     handler named as a custom cacheHandler, a control that isolates what Next spends on any
//     custom handler from what the handler itself does
//   EXAMPLE_CACHE_MAX_MEMORY_SIZE=<bytes>            cacheMaxMemorySize (default 0: no memory layer)
const handler = process.env.EXAMPLE_CACHE_HANDLER || 'diskcache'
if (!['diskcache', 'next-default', 'memory-map', 'next-fs-as-custom'].includes(handler)) {
  throw new Error(`EXAMPLE_CACHE_HANDLER must be 'diskcache', 'next-default', 'memory-map' or 'next-fs-as-custom'; got ${JSON.stringify(handler)}`)
}
const cacheMaxMemorySize = Number(process.env.EXAMPLE_CACHE_MAX_MEMORY_SIZE || 0)

/** @type {import('next').NextConfig} */
module.exports = {
  // The three lines @diskcache/next needs:
  ...(handler === 'diskcache' && {
    cacheHandler: require.resolve('@diskcache/next'),
    cacheHandlers: { default: require.resolve('@diskcache/next/use-cache'), remote: require.resolve('@diskcache/next/use-cache') },
  }),
  ...(handler === 'memory-map' && { cacheHandler: require.resolve('./memory-handler.js') }),
  ...(handler === 'next-fs-as-custom' && { cacheHandler: require.resolve('next/dist/server/lib/incremental-cache/file-system-cache.js') }),
  cacheMaxMemorySize,
  // 'use cache' without cacheComponents, so the ISR page can keep its `revalidate` export.
  experimental: { useCache: true },
  // node_modules sits at the monorepo root (npm workspaces): Turbopack must see it.
  turbopack: { root: path.join(__dirname, '../..') },
  // The end-to-end tests build twice (two BUILD_IDs) into a folder of their choosing.
  distDir: process.env.NEXT_DIST_DIR || '.next',
}
