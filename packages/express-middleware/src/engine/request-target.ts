/** How the query string takes part in the key. */
export interface QueryKeyOptions {
  /** Sort parameters by name, so `?b=1&a=2` and `?a=2&b=1` share an entry. */
  sortQuery: boolean
  /** Parameter names (or patterns) left out of the key, such as tracking parameters. */
  ignoreQuery: readonly (string | RegExp)[]
}

/** A request target with its path and query normalised for keys and invalidation. */
export interface RequestTarget {
  path: string
  /** Without the '?'; empty when there is none. */
  query: string
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

// RFC 3986 §6.2.2: hex digits in upper case, unreserved characters decoded, so
// that spellings of one URL the router treats alike also share one entry.
function normalisePercentEncoding(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16))
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`
  })
}

function parameterName(parameter: string): string {
  const name = parameter.split('=', 1)[0]!
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}

/** Path and query of `url` (origin form, or absolute form, whose scheme and host are dropped). */
export function normaliseTarget(url: string, options: QueryKeyOptions): RequestTarget {
  let target = url.split('#', 1)[0]!
  if (!target.startsWith('/')) {
    try {
      const parsed = new URL(target)
      target = parsed.pathname + parsed.search
    } catch {
      target = `/${target}`
    }
  }
  const mark = target.indexOf('?')
  const path = normalisePercentEncoding(mark === -1 ? target : target.slice(0, mark)) || '/'
  let parameters = mark === -1 ? [] : target.slice(mark + 1).split('&').filter(Boolean).map(normalisePercentEncoding)
  if (options.ignoreQuery.length > 0) {
    parameters = parameters.filter((parameter) => {
      const name = parameterName(parameter)
      return !options.ignoreQuery.some((rule) => (typeof rule === 'string' ? rule === name : rule.test(name)))
    })
  }
  if (options.sortQuery) {
    // Stable: repeated names keep their order, which an app reading arrays depends on.
    parameters = parameters
      .map((parameter, index) => ({ parameter, index, name: parameterName(parameter) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index))
      .map(({ parameter }) => parameter)
  }
  return { path, query: parameters.join('&') }
}

/** `path?query`, or the path alone. */
export function formatTarget(target: RequestTarget): string {
  return target.query ? `${target.path}?${target.query}` : target.path
}
