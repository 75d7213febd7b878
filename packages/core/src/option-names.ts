import { InvalidOptionError } from './errors.js'

/**
 * The error for an option (or setting) name nobody knows, naming the closest
 * known one: `unknown option "ttlMs"; did you mean "ttl"?`. Exported so every
 * adapter validates its options the same way.
 */
export function unknownName(what: string, name: string, known: readonly string[]): InvalidOptionError {
  const suggestion = closestName(name, known)
  return new InvalidOptionError(
    `unknown ${what} "${name}"` + (suggestion ? `; did you mean "${suggestion}"?` : `; known: ${known.join(', ')}`),
  )
}

/**
 * Throws InvalidOptionError unless `options` is undefined or a plain object
 * whose every own name is in `known`. `what` names the options in the message
 * ('diskCacheMiddleware option').
 */
export function checkOptionNames(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${what}s must be an object like { ${known.slice(0, 2).join(', ')} }; got ${describeOptions(options)}`)
  }
  for (const name of Object.keys(options)) if (!known.includes(name)) throw unknownName(what, name, known)
}

/**
 * The options argument of a method, `{}` when left out. Anything else that is
 * not an object (null included) is an InvalidOptionError, never a TypeError
 * from reading a field of it.
 */
export function readOptions<T extends object>(method: string, options: T | undefined): T {
  if (options === undefined) return {} as T
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${method}() options must be an object; got ${describeOptions(options)}`)
  }
  return options
}

function describeOptions(value: unknown): string {
  try {
    return String(value)
  } catch {
    // An array holding an object without a prototype has no text form.
    return Object.prototype.toString.call(value)
  }
}

// Case and separators are ignored first (size_limit → sizeLimit), then small typos.
function closestName(name: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '')
  const exact = known.find((k) => squash(k) === squash(name))
  if (exact) return exact
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(squash(name), squash(candidate))
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  if (best) return best
  return known.find((k) => squash(name).startsWith(squash(k)) || squash(k).startsWith(squash(name)))
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
