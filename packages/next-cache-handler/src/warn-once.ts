const warned = new Set<string>()

/**
 * Logs a store fault once per code and process: Next calls the handlers on every request, and a
 * broken disk must not flood the log (nor take the site down: callers serve a miss).
 */
export function warnOnce(code: string, message: string, error?: unknown): void {
  if (warned.has(code)) return
  warned.add(code)
  const reason = error instanceof Error ? `: ${error.message}` : ''
  process.emitWarning(`${message}${reason}`, { code })
}

/** Forgets which warnings were given (tests only). */
export function resetWarnings(): void {
  warned.clear()
}
