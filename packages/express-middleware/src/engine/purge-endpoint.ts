import { InvalidOptionError, unknownName } from '@diskcache/core'
import type { CacheRequest } from './cache-request.js'
import type { InvalidateTarget } from './http-cache-engine.js'
import type { OutgoingResponse } from './outgoing-response.js'
import type { HeaderRecord } from './response-headers.js'
import { digestSecret, isSecretMatch } from './purge-secret.js'

/** The purge endpoint: `purge: { path, secret }`. */
export interface PurgeOptions {
  /** Path the endpoint answers on, exactly as clients send it (query aside). @default '/__cache/purge' */
  path?: string
  /** Sent by callers as `Authorization: Bearer <secret>`; at least 16 characters. */
  secret: string
}

export interface ResolvedPurgeOptions {
  readonly path: string
  /** SHA-256 of the secret, so a comparison never depends on the secret's length. */
  readonly digest: Buffer
}

export const DEFAULT_PURGE_PATH = '/__cache/purge'
const MIN_SECRET_LENGTH = 16
const PURGE_OPTION_NAMES = ['path', 'secret']
const PARAMETERS = ['tag', 'url', 'prefix']

/** Validates `purge` once: false or undefined turn the endpoint off. */
export function resolvePurgeOptions(value: PurgeOptions | false | undefined): ResolvedPurgeOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`diskCacheMiddleware "purge" must be false or { path, secret }, like { secret: process.env.PURGE_SECRET }`)
  }
  for (const name of Object.keys(value)) if (!PURGE_OPTION_NAMES.includes(name)) throw unknownName('diskCacheMiddleware purge option', name, PURGE_OPTION_NAMES)
  const { path = DEFAULT_PURGE_PATH, secret } = value
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?') || path.includes('#')) {
    throw new InvalidOptionError(`diskCacheMiddleware "purge.path" must be a path starting with '/' and without a query, like '${DEFAULT_PURGE_PATH}'`)
  }
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new InvalidOptionError(
      `diskCacheMiddleware "purge.secret" must be a string of at least ${MIN_SECRET_LENGTH} characters, ` +
        `like crypto.randomBytes(24).toString('base64url') kept in an environment variable`,
    )
  }
  return { path, digest: digestSecret(secret) }
}

function answer(status: number, body: object, statusHeader: string | false, extra: HeaderRecord = {}): OutgoingResponse {
  const bytes = Buffer.from(JSON.stringify(body))
  const headers: HeaderRecord = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
    // An answer about the store is about this moment only: no cache, ours or the client's, may keep it.
    'cache-control': 'no-store',
    ...extra,
  }
  if (statusHeader) headers[statusHeader] = 'BYPASS'
  return { status, headers, body: bytes }
}

/** The secret a request offers, from `Authorization: Bearer <secret>`. */
function offeredSecret(request: CacheRequest): string | undefined {
  const match = /^Bearer[ \t]+(.+?)[ \t]*$/i.exec(request.header('authorization') ?? '')
  return match?.[1]
}

/** What the query names, or the message of a 400. */
function readTargets(query: string): InvalidateTarget[] | string {
  const params = new URLSearchParams(query)
  const targets: InvalidateTarget[] = []
  const tags: string[] = []
  for (const [name, value] of params) {
    if (!PARAMETERS.includes(name)) return unknownName('purge parameter', name, PARAMETERS).message
    if (value === '') return `purge parameter "${name}" is empty`
    if (name === 'tag') tags.push(value)
    else targets.push({ [name]: value })
  }
  if (tags.length > 0) targets.unshift({ tags })
  if (targets.length === 0) return 'name what to purge: ?tag=products, ?url=/products/1 or ?prefix=/products/ (each may repeat)'
  return targets
}

/**
 * The response to a request for the purge endpoint, or undefined when the
 * request is for another path. A request for the endpoint never reaches the
 * app and is never stored.
 */
export function answerPurge(
  request: CacheRequest,
  purge: ResolvedPurgeOptions,
  invalidate: (target: InvalidateTarget) => number,
  statusHeader: string | false,
  onError: (error: unknown) => void,
): OutgoingResponse | undefined {
  const queryStart = request.url.indexOf('?')
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart)
  if (path !== purge.path) return undefined
  // The secret is checked before anything else, so a caller without it learns nothing but 401/403.
  const secret = offeredSecret(request)
  if (secret === undefined) {
    return answer(401, { error: 'send the purge secret as Authorization: Bearer <secret>' }, statusHeader, { 'www-authenticate': 'Bearer realm="cache purge"' })
  }
  if (!isSecretMatch(secret, purge.digest)) return answer(403, { error: 'wrong purge secret' }, statusHeader)
  if (request.method !== 'POST') return answer(405, { error: 'purge with POST' }, statusHeader, { allow: 'POST' })
  const targets = readTargets(queryStart === -1 ? '' : request.url.slice(queryStart + 1))
  if (typeof targets === 'string') return answer(400, { error: targets }, statusHeader)
  let removed = 0
  try {
    for (const target of targets) removed += invalidate(target)
  } catch (error) {
    if (error instanceof InvalidOptionError) return answer(400, { error: error.message }, statusHeader)
    onError(error)
    return answer(500, { error: 'the store failed; see the server log', removed }, statusHeader)
  }
  return answer(200, { removed }, statusHeader)
}
