/**
 * An HTTP-date (RFC 9110 §5.6.7) in epoch milliseconds, or undefined when
 * absent or invalid. Date.parse reads all three historical formats.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  // Starts with a day name in all three formats; Date.parse alone would read "0" as the year 2000.
  if (!value || !/^\s*[A-Za-z]{3,9},? /.test(value)) return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

/** Epoch milliseconds as an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(time: number): string {
  return new Date(time).toUTCString()
}
