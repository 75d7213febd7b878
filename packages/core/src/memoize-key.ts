import { InvalidKeyError } from './errors.js'

/**
 * A deterministic text form of function arguments: equal data gives equal
 * text whatever the property or Map/Set insertion order, and different types
 * never collide (`1`, `'1'` and `1n` differ). With `typed`, class instances
 * also carry their class name, so two classes with the same fields differ.
 */
export function canonicalArguments(args: readonly unknown[], typed: boolean): string {
  const seen = new Set<object>()
  return args.map((arg) => canonical(arg, typed, seen)).join(',')
}

function canonical(value: unknown, typed: boolean, seen: Set<object>): string {
  switch (typeof value) {
    case 'undefined':
      return 'u'
    case 'boolean':
      return value ? 't' : 'f'
    case 'number':
      return 'n' + (Object.is(value, -0) ? '0' : String(value))
    case 'bigint':
      return 'b' + value.toString()
    case 'string':
      return JSON.stringify(value)
    case 'function':
    case 'symbol':
      throw new InvalidKeyError(
        `a ${typeof value} cannot be part of a memoize key; leave its argument out with { ignore: [position] } or give a { key } function`,
      )
  }
  if (value === null) return 'z'
  const object = value as object
  if (seen.has(object)) throw new InvalidKeyError('a memoize argument refers to itself; give a { key } function instead')
  seen.add(object)
  try {
    return canonicalObject(object, typed, seen)
  } finally {
    seen.delete(object)
  }
}

function canonicalObject(object: object, typed: boolean, seen: Set<object>): string {
  if (object instanceof Date) return 'D' + object.getTime()
  if (ArrayBuffer.isView(object)) {
    const bytes = Buffer.from(object.buffer, object.byteOffset, object.byteLength)
    return `x${object.constructor.name}:${bytes.toString('hex')}`
  }
  if (Array.isArray(object)) return '[' + object.map((item) => canonical(item, typed, seen)).join(',') + ']'
  if (object instanceof Map) {
    const entries = [...object].map(([k, v]) => canonical(k, typed, seen) + '=>' + canonical(v, typed, seen))
    return 'M{' + entries.sort().join(',') + '}'
  }
  if (object instanceof Set) return 'S{' + [...object].map((item) => canonical(item, typed, seen)).sort().join(',') + '}'
  if (object instanceof RegExp) return 'R' + String(object)
  const prefix = typed && Object.getPrototypeOf(object) !== Object.prototype ? `${object.constructor?.name ?? 'null'}` : ''
  const fields = Object.keys(object)
    .sort()
    .map((name) => JSON.stringify(name) + ':' + canonical((object as Record<string, unknown>)[name], typed, seen))
  return prefix + '{' + fields.join(',') + '}'
}

/** Drops ignored arguments: numbers are positions, strings are properties of plain-object arguments. */
export function withoutIgnored(args: readonly unknown[], ignore: readonly (number | string)[]): unknown[] {
  if (ignore.length === 0) return args as unknown[]
  const names = ignore.filter((item): item is string => typeof item === 'string')
  return args
    .filter((_, index) => !ignore.includes(index))
    .map((arg) => {
      if (names.length === 0 || typeof arg !== 'object' || arg === null || Object.getPrototypeOf(arg) !== Object.prototype) return arg
      const copy = { ...(arg as Record<string, unknown>) }
      for (const name of names) delete copy[name]
      return copy
    })
}
