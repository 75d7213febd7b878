// @ts-check
// examples/next-app on Next 15 (next@15.5.29, which npm nests in this folder's node_modules), with
// @diskcache/next configured in Next 15's spelling. app/ is a small copy of next-app's pages, not
// imports of them: Next 15 builds with webpack, which compiles JSX only inside this folder
// (unless experimental.externalDir is set), and two files must differ anyway: Next 15 names the
// 'use cache' helpers unstable_cacheLife/unstable_cacheTag (app/cached/page.jsx), and its
// revalidateTag takes no profile (app/api/revalidate/route.js). The other files are next-app's.

/** @type {import('next').NextConfig} */
module.exports = {
  cacheHandler: require.resolve('@diskcache/next'), // ISR pages, route handlers, fetch, unstable_cache
  cacheMaxMemorySize: 0, // no per-process memory layer: every process reads the shared store
  experimental: {
    // Next 15 reads cacheHandlers under experimental (16: top level).
    cacheHandlers: { default: require.resolve('@diskcache/next/use-cache'), remote: require.resolve('@diskcache/next/use-cache') },
    // 'use cache' without dynamicIO, so the ISR page can keep its `revalidate` export.
    useCache: true,
  },
  // The end-to-end test builds twice (two BUILD_IDs) into a folder of its choosing.
  distDir: process.env.NEXT_DIST_DIR || '.next',
}
