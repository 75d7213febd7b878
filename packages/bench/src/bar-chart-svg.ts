// Horizontal bar charts as standalone SVG text: no charting library, no
// fonts to load, and a diff of the page shows what moved. A bar's length is
// proportional to its value on a linear axis, or to its logarithm when the
// values span more than LOG_SCALE_SPAN (a 1 µs in-memory get next to a 10 ms
// fsync would otherwise leave every fast bar a sliver).
import { formatMicros } from './run-statistics.js'

export type BarTone = 'ours' | 'floor' | 'peer' | 'memory'

export interface Bar {
  label: string
  /** undefined draws no bar, only `note` (or "not run") */
  value: number | undefined
  tone?: BarTone
  note?: string
}

export interface BarGroup {
  title?: string
  bars: Bar[]
}

export interface BarChartOptions {
  title: string
  subtitle?: string
  /** printed after each value, e.g. "µs" */
  unit: string
  groups: BarGroup[]
  /** 'auto' (the default) picks log when the values span more than LOG_SCALE_SPAN */
  scale?: 'linear' | 'log' | 'auto'
  /** formats a value for its label; µs-style rounding by default */
  format?: (value: number) => string
}

export const LOG_SCALE_SPAN = 20

const TONES: Record<BarTone, string> = { ours: '#2563eb', floor: '#111827', peer: '#9ca3af', memory: '#a78bfa' }
const WIDTH = 760
const LABEL_WIDTH = 230
const PLOT_WIDTH = 380
const ROW = 20
const BAR = 13
const GROUP_TITLE = 22

/** 'log' when the largest positive value is more than LOG_SCALE_SPAN times the smallest. */
export function chooseScale(values: readonly number[]): 'linear' | 'log' {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0)
  if (positive.length < 2) return 'linear'
  return Math.max(...positive) / Math.min(...positive) > LOG_SCALE_SPAN ? 'log' : 'linear'
}

export interface Axis {
  scale: 'linear' | 'log'
  low: number
  high: number
  ticks: number[]
}

/** The axis for `values`: from 0 (linear) or the decade below the smallest (log) to a round number above the largest. */
export function axisFor(values: readonly number[], scale: 'linear' | 'log'): Axis {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0)
  const max = positive.length ? Math.max(...positive) : 1
  if (scale === 'log') {
    const low = 10 ** Math.floor(Math.log10(Math.min(...positive, max)))
    let high = 10 ** Math.ceil(Math.log10(max))
    if (high <= low) high = low * 10
    const ticks: number[] = []
    for (let t = low; t <= high * 1.0001; t *= 10) ticks.push(t)
    return { scale, low, high, ticks }
  }
  const step = niceStep(max / 4)
  const high = Math.ceil(max / step) * step
  const ticks: number[] = []
  for (let t = 0; t <= high + step / 2; t += step) ticks.push(t)
  return { scale, low: 0, high, ticks }
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw))
  const fraction = raw / power
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
}

/** Length in pixels of a bar for `value` on `axis`, over `width` pixels; at least 1 px for a positive value. */
export function barLength(value: number, axis: Axis, width = PLOT_WIDTH): number {
  if (!(value > 0)) return 0
  const share =
    axis.scale === 'log'
      ? (Math.log10(value) - Math.log10(axis.low)) / (Math.log10(axis.high) - Math.log10(axis.low))
      : value / axis.high
  return Math.max(1, Math.min(width, share * width))
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const round = (x: number) => Math.round(x * 10) / 10
const tickLabel = (x: number) => (x >= 1 ? x.toLocaleString('en-US') : String(+x.toPrecision(2)))

export function barChartSvg({ title, subtitle, unit, groups, scale = 'auto', format = formatMicros }: BarChartOptions): string {
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter((v): v is number => v !== undefined)
  const axis = axisFor(values, scale === 'auto' ? chooseScale(values) : scale)
  const top = subtitle ? 52 : 36
  const parts: string[] = []
  let y = top
  for (const group of groups) {
    if (group.title) {
      parts.push(`<text x="8" y="${y + 15}" font-weight="bold">${escapeXml(group.title)}</text>`)
      y += GROUP_TITLE
    }
    for (const bar of group.bars) {
      const label = `<text x="${LABEL_WIDTH - 8}" y="${y + BAR - 2}" text-anchor="end">${escapeXml(bar.label)}</text>`
      if (bar.value === undefined || !Number.isFinite(bar.value)) {
        parts.push(label, `<text x="${LABEL_WIDTH + 4}" y="${y + BAR - 2}" fill="#6b7280" font-style="italic">${escapeXml(bar.note ?? 'not run')}</text>`)
      } else {
        const length = barLength(bar.value, axis)
        const text = `${format(bar.value)} ${unit}${bar.note ? ` · ${bar.note}` : ''}`
        parts.push(
          label,
          `<rect x="${LABEL_WIDTH}" y="${y}" width="${round(length)}" height="${BAR}" fill="${TONES[bar.tone ?? 'peer']}" data-label="${escapeXml(bar.label)}" data-value="${bar.value}"><title>${escapeXml(`${bar.label}: ${text}`)}</title></rect>`,
          `<text x="${round(LABEL_WIDTH + length + 5)}" y="${y + BAR - 2}">${escapeXml(text)}</text>`,
        )
      }
      y += ROW
    }
  }
  const bottom = y + 4
  const grid = axis.ticks.map((tick) => {
    const x = round(LABEL_WIDTH + (tick === 0 ? 0 : barLength(tick, axis)))
    return `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="#e5e7eb"/><text x="${x}" y="${bottom + 14}" text-anchor="middle" fill="#6b7280">${escapeXml(tickLabel(tick))}</text>`
  })
  const height = bottom + 24
  const caption = `${unit}, ${axis.scale === 'log' ? 'log scale' : 'linear scale'}`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    subtitle ? `<text x="8" y="38" fill="#374151">${escapeXml(subtitle)}</text>` : '',
    `<text x="${WIDTH - 8}" y="20" text-anchor="end" fill="#6b7280">${escapeXml(caption)}</text>`,
    ...grid,
    ...parts,
    '</svg>',
  ]
    .filter((line) => line !== '')
    .join('\n') + '\n'
}
