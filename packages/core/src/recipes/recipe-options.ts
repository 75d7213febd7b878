import { describeType } from '../cache-key.js'
import { InvalidOptionError, InvalidTtlError } from '../errors.js'
import { unknownName } from '../options.js'

// Validation shared by the recipes, run once when a recipe is built, so a
// misspelt or out-of-range option fails at the line that wrote it, not at the
// first acquire in production.

/** Refuses a non-object or an option name not in `known`, suggesting the closest one. */
export function checkOptionNames(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${what} options must be an object like { ${known.slice(0, 2).join(', ')} }; got ${describeType(options)}`)
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw unknownName(`${what} option`, name, known)
  }
}

/** A ttl in milliseconds: finite and above zero (a lock that expires at once protects nothing). */
export function checkTtl(what: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidTtlError(`${what} "${name}" must be a number of milliseconds above 0, like 30_000; got ${show(value)}`)
  }
  return value
}

/** A duration in milliseconds: >= 0 (> 0 unless `allowZero`), Infinity only if `allowInfinity`. */
export function checkDuration(
  what: string,
  name: string,
  value: unknown,
  { allowZero = false, allowInfinity = false }: { allowZero?: boolean; allowInfinity?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (allowZero ? value >= 0 : value > 0) &&
    (allowInfinity || Number.isFinite(value))
  if (!ok) {
    const range = `${allowZero ? '>= 0' : 'above 0'}${allowInfinity ? ' (or Infinity)' : ''}`
    throw new InvalidOptionError(`${what} "${name}" must be a number of milliseconds ${range}; got ${show(value)}`)
  }
  return value as number
}

export function checkPositiveNumber(what: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(`${what} "${name}" must be a finite number above 0; got ${show(value)}`)
  }
  return value
}

export function checkPositiveInteger(what: string, name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new InvalidOptionError(`${what} "${name}" must be a whole number above 0; got ${show(value)}`)
  }
  return value as number
}

export function checkFunction<F>(what: string, name: string, value: unknown): F {
  if (typeof value !== 'function') throw new InvalidOptionError(`${what} "${name}" must be a function; got ${describeType(value)}`)
  return value as F
}

/** Tags, checked here rather than by the first write, which may come much later. */
export function checkTags(what: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== 'string' || tag.length === 0)) {
    throw new InvalidOptionError(`${what} "tags" must be an array of non-empty strings, like ['jobs']; got ${show(value)}`)
  }
  return [...(value as string[])]
}

/** The name that keys a wrapped function's entries: `name`, else the function's own name. */
export function resolveFunctionName(what: string, fn: unknown, name: unknown): string {
  if (typeof fn !== 'function') throw new InvalidOptionError(`${what} needs a function to wrap; got ${describeType(fn)}`)
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new InvalidOptionError(`${what} "name" must be a non-empty string; got ${show(name)}`)
  }
  const resolved = (name as string | undefined) ?? fn.name
  if (!resolved) {
    throw new InvalidOptionError(`${what} needs { name } for an anonymous function, so every process finds the same entries`)
  }
  return resolved
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' ? JSON.stringify(value) : describeType(value)
}
