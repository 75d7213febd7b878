// Plain-text tables and number formats for the report.

/** µs with precision that suits the magnitude. */
export function us(x) {
  if (x === undefined || Number.isNaN(x)) return '–'
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}

export function ratio(x) {
  return x === undefined || Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`
}

export function mib(x, digits = 1) {
  return x === undefined ? '–' : x.toFixed(digits)
}

export function percent(x, digits = 1) {
  return `${(x * 100).toFixed(digits)}%`
}

export function count(n) {
  return n.toLocaleString('en-US')
}

export function duration(ms) {
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

export function verdict(pass) {
  return pass ? 'PASS' : 'MISS'
}

/**
 * Renders rows as an aligned table. `columns`: [{ title, align: 'left'|'right' }];
 * a row that is a string is printed as is (a note or a separator).
 */
export function table(columns, rows, { indent = '  ', gap = '  ', groups } = {}) {
  const cells = rows.filter((row) => Array.isArray(row))
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => String(row[i] ?? '').length)))
  const line = (row) =>
    indent +
    row
      .map((cell, i) => {
        const text = String(cell ?? '')
        return columns[i]?.align === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i])
      })
      .join(gap)
      .trimEnd()
  const out = [line(columns.map((column) => column.title)), indent + widths.map((w) => '-'.repeat(w)).join(gap)]
  // Optional titles over runs of columns: [{ title, span }], centred over their columns.
  if (groups) {
    let text = ''
    let at = 0
    for (const { title, span } of groups) {
      const width = widths.slice(at, at + span).reduce((a, b) => a + b, 0) + gap.length * (span - 1)
      const left = Math.max(0, Math.floor((width - title.length) / 2))
      text += (' '.repeat(left) + title).padEnd(width) + gap
      at += span
    }
    out.unshift(indent + text.trimEnd())
  }
  for (const row of rows) out.push(Array.isArray(row) ? line(row) : indent + row)
  return out.join('\n')
}
