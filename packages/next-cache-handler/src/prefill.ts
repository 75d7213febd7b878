import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidOptionError, unknownName } from '@diskcache/core'
import { readBuildId, UNKNOWN_BUILD_ID } from './build-id.js'
import { prepareEntry, storeKey } from './incremental-handler.js'
import type { CacheControl, IncrementalCacheValue } from './next-types.js'
import { type NextCacheOptions, OPTION_ENVIRONMENT, resolveNextCacheOptions } from './options.js'
import { storeFor } from './next-store.js'

export interface PrefillOptions extends NextCacheOptions {
  /** The build's output folder (`distDir` of next.config). @default `<cwd>/.next` */
  distDir?: string
  /** Replace entries already in the store (by default they are kept: they may be newer renders). @default false */
  overwrite?: boolean
}

export interface PrefillResult {
  buildId: string
  /** Pathnames written to the store. */
  stored: string[]
  /** Pathnames left alone: already in the store (without `overwrite`). */
  kept: string[]
}

/** The fields of a prerender-manifest route that prefill reads. */
interface PrerenderedRoute {
  dataRoute?: string | null
  initialRevalidateSeconds?: number | false
  initialExpireSeconds?: number
}

/** The fields of a `.meta` file next to prerendered output. */
interface PrerenderMeta {
  headers?: Record<string, string>
  status?: number
  postponed?: string
  segmentPaths?: string[]
  /** Next 16.4+: the exact key the server asks the handler for. */
  routeCache?: { key?: string }
}

const CACHE_OPTION_NAMES = [...Object.keys(OPTION_ENVIRONMENT), 'now']
const OPTION_NAMES = ['distDir', 'overwrite', ...CACHE_OPTION_NAMES]

/** Like Next's normalizePagePath for static paths: '/' is stored as '/index'. */
function outputPath(pathname: string): string {
  return pathname === '/' ? '/index' : pathname.startsWith('/index/') || pathname === '/index' ? `/index${pathname}` : pathname
}

function readIfPresent(file: string): Buffer | undefined {
  return existsSync(file) ? readFileSync(file) : undefined
}

/** The value Next's own file-system cache would return for this prerendered App Router output. */
function valueOf(base: string, route: PrerenderedRoute, meta: PrerenderMeta): IncrementalCacheValue | undefined {
  if (route.dataRoute === null) {
    const body = readIfPresent(`${base}.body`)
    return body && { kind: 'APP_ROUTE', body, headers: meta.headers, status: meta.status }
  }
  if (!route.dataRoute?.endsWith('.rsc') || !existsSync(`${base}.html`)) return undefined
  let segmentData: Map<string, Buffer> | undefined
  if (meta.segmentPaths) {
    segmentData = new Map()
    for (const segmentPath of meta.segmentPaths) {
      const segment = readIfPresent(`${base}.segments${segmentPath}.segment.rsc`)
      if (segment) segmentData.set(segmentPath, segment)
    }
  }
  return {
    kind: 'APP_PAGE',
    html: readFileSync(`${base}.html`, 'utf8'),
    // A partially prerendered page has no full RSC payload, only the postponed state.
    rscData: readIfPresent(`${base}.rsc`),
    postponed: meta.postponed,
    headers: meta.headers,
    status: meta.status,
    segmentData,
  }
}

/**
 * Loads a build's prerendered App Router pages and route handlers (html, rscData, every segment,
 * headers, status, postponed) into the store under the build's id, with the `cacheControl` of the
 * prerender manifest, so the first request after a deploy is a HIT instead of a re-render.
 * Entries already stored are kept unless `overwrite`. Pages Router output is not read.
 */
export function prefill(options: PrefillOptions = {}): PrefillResult {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`options must be an object like { distDir }; got ${typeof options}`)
  }
  const { distDir = join(process.cwd(), '.next'), overwrite = false, ...cacheOptions } = options
  for (const name of Object.keys(cacheOptions)) {
    if (!CACHE_OPTION_NAMES.includes(name)) throw unknownName('option', name, OPTION_NAMES)
  }
  const resolved = resolveNextCacheOptions(cacheOptions)
  const serverDistDir = join(distDir, 'server')
  const buildId = readBuildId(serverDistDir)
  const manifestFile = join(distDir, 'prerender-manifest.json')
  if (buildId === UNKNOWN_BUILD_ID || !existsSync(manifestFile)) {
    throw new InvalidOptionError(`"distDir" ${distDir} holds no finished build (BUILD_ID, prerender-manifest.json): run next build first, or pass the distDir of next.config`)
  }
  const routes = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { routes?: Record<string, PrerenderedRoute> }).routes ?? {}
  const result: PrefillResult = { buildId, stored: [], kept: [] }
  const store = storeFor(resolved)
  for (const [pathname, route] of Object.entries(routes)) {
    const base = join(serverDistDir, 'app', outputPath(pathname))
    const metaFile = `${base}.meta`
    const meta: PrerenderMeta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {}
    const value = valueOf(base, route, meta)
    if (!value) continue
    const cacheControl: CacheControl = { revalidate: route.initialRevalidateSeconds ?? false, expire: route.initialExpireSeconds }
    // Next 16.4 keys responses by owner route; the .meta names that key. Earlier versions use the pathname.
    const key = storeKey(resolved, buildId, meta.routeCache?.key ?? pathname, false)
    const { stored, ttl, tags } = prepareEntry(resolved, value, { cacheControl })
    const written = store.writeOrThrow((entries) => {
      if (overwrite) {
        entries.set(key, stored, { ttl, tags })
        return true
      }
      return entries.add(key, stored, { ttl, tags })
    })
    ;(written ? result.stored : result.kept).push(pathname)
  }
  return result
}
