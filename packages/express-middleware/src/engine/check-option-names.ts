import { InvalidOptionError } from '@diskcache/core'

/** Refuses a non-object or an option name not in `known`, suggesting the closest known name. */
export function checkOptionNames(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${what} options must be an object like { ${known.slice(0, 2).join(', ')} }; got ${String(options)}`)
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const suggestion = closestName(name, known)
    throw new InvalidOptionError(
      `${what}: unknown option "${name}"` + (suggestion ? `; did you mean "${suggestion}"?` : `; known: ${known.join(', ')}`),
    )
  }
}

// Case and separators are ignored first (max_body_size → maxBodySize), then small typos count.
function closestName(name: string, known: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replace(/[^a-z]/g, '')
  const exact = known.find((candidate) => squash(candidate) === squash(name))
  if (exact) return exact
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(squash(name), squash(candidate))
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
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
