import { formatTarget, type RequestTarget } from './request-target.js'

// Tags we put on every stored response so that a URL, or everything under a
// path, can be invalidated with core's indexed evict(tag) instead of a scan.
// User tags are stored as given (so cache.evict('products') also drops pages
// tagged 'products'); ours carry the namespace.

/** Deepest path segment that gets a prefix tag: deeper paths are covered by their ancestor at this depth. */
export const MAX_PREFIX_DEPTH = 16

/** The tag of every response stored for this path and query (any host, method or variant). */
export function targetTag(namespace: string, target: RequestTarget): string {
  return `${namespace}:url:${formatTarget(target)}`
}

/**
 * A prefix given to invalidate(), as the tag covering it: `/products` and
 * `/products/` both mean the path /products and everything beneath it.
 */
export function prefixTag(namespace: string, prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '')
  const segments = trimmed.split('/').slice(1, 1 + MAX_PREFIX_DEPTH)
  return `${namespace}:prefix:/${segments.join('/')}`
}

/** The prefix tags of a path: one per ancestor, `/`, `/a`, `/a/b` for /a/b. */
export function prefixTags(namespace: string, path: string): string[] {
  const segments = path.split('/').slice(1)
  const tags = [`${namespace}:prefix:/`]
  for (let depth = 1; depth <= Math.min(segments.length, MAX_PREFIX_DEPTH); depth++) {
    const tag = `${namespace}:prefix:/${segments.slice(0, depth).join('/')}`
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}

/** Tags named by a Cache-Tag (comma-separated) or Surrogate-Key (space-separated) field. */
export function parseTagHeader(value: string | undefined): string[] {
  if (!value) return []
  return value.split(/[\s,]+/).filter(Boolean)
}
