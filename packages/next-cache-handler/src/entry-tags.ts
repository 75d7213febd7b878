import type { GetContext, IncrementalCacheValue, SetContext } from './next-types.js'

/** Next's header carrying a page's or route's tags, comma-joined (implicit `_N_T_` tags included). */
export const CACHE_TAGS_HEADER = 'x-next-cache-tags'

/** The tags an incremental entry is stored under: the tags header of pages and routes, value and context tags of fetches. */
export function tagsOfIncrementalEntry(value: IncrementalCacheValue | null, ctx: SetContext): string[] {
  const tags = new Set<string>(ctx.tags ?? [])
  for (const tag of value?.tags ?? []) tags.add(tag)
  const header = value?.headers?.[CACHE_TAGS_HEADER]
  const joined = Array.isArray(header) ? header.join(',') : typeof header === 'string' ? header : ''
  for (const tag of joined.split(',')) if (tag !== '') tags.add(tag)
  return [...tags]
}

/** Tags to check at read time: the stored ones plus what Next passes for fetches (`tags`, implicit `softTags`). */
export function tagsToCheck(stored: readonly string[], ctx: GetContext): string[] {
  return [...stored, ...(ctx.tags ?? []), ...(ctx.softTags ?? [])]
}

/**
 * Tags as stored (on entries and in the tag table): behind the key prefix, so apps sharing a
 * directory under different prefixes never revalidate each other's entries.
 */
export function namespaceTags(keyPrefix: string, tags: readonly string[]): string[] {
  return keyPrefix === '' ? [...tags] : tags.map((tag) => `${keyPrefix}\u001f${tag}`)
}
