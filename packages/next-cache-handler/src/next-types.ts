// The parts of Next's handler interfaces this package touches, written out here so the package
// needs no `next` at build time (Next's own types live in deep dist paths that move between
// releases). Shapes follow next 16.4 and 15.5; Next 14's differences are noted.

/** Next's `cacheControl`: seconds; `revalidate: false` means never time-stale. */
export interface CacheControl {
  revalidate: number | false
  expire: number | undefined
}

/** A value Next stores through the incremental handler. Treated as opaque except for these fields. */
export interface IncrementalCacheValue {
  /** 'APP_PAGE' | 'APP_ROUTE' | 'PAGES' | 'FETCH' | 'REDIRECT' | 'IMAGE' (Next 14: 'PAGE', 'ROUTE'). */
  kind: string
  headers?: Record<string, string | string[] | number | undefined>
  /** FETCH only. */
  tags?: string[]
  /** FETCH only: seconds. */
  revalidate?: number | false
  [field: string]: unknown
}

/** What `get` returns to Next. */
export interface CacheHandlerValue {
  lastModified: number
  value: IncrementalCacheValue | null
  cacheControl?: CacheControl
}

/** `get` context: Next 15/16 `{ kind, ... }`, Next 14 `{ kindHint, ... }`. */
export interface GetContext {
  kind?: string
  kindHint?: string
  revalidate?: number | false
  fetchUrl?: string
  tags?: string[]
  softTags?: string[]
  [field: string]: unknown
}

/** `set` context: fetches carry `fetchCache: true`; responses carry `cacheControl` (Next 14: `revalidate`). */
export interface SetContext {
  fetchCache?: boolean
  tags?: string[]
  cacheControl?: CacheControl
  revalidate?: number | false
  [field: string]: unknown
}

/** What Next passes to the incremental handler's constructor (only `serverDistDir` is read). */
export interface CacheHandlerContext {
  serverDistDir?: string
  [field: string]: unknown
}

/** A 'use cache' entry (Next 16 `CacheEntry`): durations in seconds, `timestamp` in ms (fractional). */
export interface UseCacheEntry {
  value: ReadableStream<Uint8Array>
  tags: string[]
  stale: number
  timestamp: number
  expire: number
  revalidate: number
}
