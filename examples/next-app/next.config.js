// @ts-check
const path = require('node:path')

/** @type {import('next').NextConfig} */
module.exports = {
  // The three lines @diskcache/next needs:
  cacheHandler: require.resolve('@diskcache/next'),
  cacheHandlers: { default: require.resolve('@diskcache/next/use-cache'), remote: require.resolve('@diskcache/next/use-cache') },
  cacheMaxMemorySize: 0,
  // 'use cache' without cacheComponents, so the ISR page can keep its `revalidate` export.
  experimental: { useCache: true },
  // node_modules sits at the monorepo root (npm workspaces): Turbopack must see it.
  turbopack: { root: path.join(__dirname, '../..') },
  // The end-to-end tests build twice (two BUILD_IDs) into a folder of their choosing.
  distDir: process.env.NEXT_DIST_DIR || '.next',
}
