// The store is a file other processes (and other versions of this package, or a person with
// sqlite3) can write. Next trusts what a handler returns and throws an invariant error, or renders
// garbage, on a value of the wrong shape or kind; so every row read is checked before it is
// handed over, and a row that fails is read as a miss.

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string')

/** Whether a row of the incremental handler has the shape `set` writes. */
export function isIncrementalRow(row: unknown): boolean {
  if (!isObject(row) || !isFiniteNumber(row['lastModified']) || !isStringArray(row['tags'])) return false
  const value = row['value']
  if (value !== null && !(isObject(value) && typeof value['kind'] === 'string')) return false
  const cacheControl = row['cacheControl']
  if (cacheControl !== undefined) {
    if (!isObject(cacheControl)) return false
    const { revalidate, expire } = cacheControl
    if (revalidate !== false && !isFiniteNumber(revalidate)) return false
    if (expire !== undefined && !isFiniteNumber(expire)) return false
  }
  const revalidate = row['revalidate']
  return revalidate === undefined || revalidate === false || isFiniteNumber(revalidate)
}

/**
 * Whether a stored value's kind is one Next accepts for the kind it asked for: the same kind,
 * or a REDIRECT for a page. Without a kind (Next 14), a fetch must get a FETCH and a page must not.
 */
export function isKindFor(storedKind: string, askedKind: string | undefined, isFetch: boolean): boolean {
  if (askedKind === undefined) return isFetch === (storedKind === 'FETCH')
  if (storedKind === askedKind) return true
  return storedKind === 'REDIRECT' && (askedKind === 'PAGES' || askedKind === 'APP_PAGE')
}

/** Whether a row of the 'use cache' handler has the shape its `set` writes. */
export function isUseCacheRow(row: unknown): boolean {
  return (
    isObject(row) &&
    row['bytes'] instanceof Uint8Array &&
    isStringArray(row['tags']) &&
    ['stale', 'timestamp', 'expire', 'revalidate'].every((field) => isFiniteNumber(row[field]))
  )
}

/** Whether a tag row has the shape recordRevalidation writes: `{ stale?, expired? }`, epoch ms. */
export function isTagStateRow(row: unknown): boolean {
  if (!isObject(row)) return false
  const { stale, expired } = row
  return (stale === undefined || isFiniteNumber(stale)) && (expired === undefined || isFiniteNumber(expired))
}
