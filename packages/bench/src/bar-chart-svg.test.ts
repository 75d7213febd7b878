import { axisFor, barChartSvg, barLength, chooseScale } from './bar-chart-svg.js'

/** Every tag closed in order: a small well-formedness check (no XML parser among the dependencies). */
function assertBalanced(svg: string): void {
  const stack: string[] = []
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match
    if (selfClosing) continue
    if (closing) expect(stack.pop()).toBe(name)
    else stack.push(name!)
  }
  expect(stack).toEqual([])
}

function bars(svg: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const match of svg.matchAll(/<rect [^>]*width="([\d.]+)"[^>]*data-label="([^"]*)"/g)) out.set(match[2]!, Number(match[1]))
  return out
}

describe('barChartSvg()', () => {
  it('writes a standalone SVG document with every tag closed', () => {
    const svg = barChartSvg({ title: 'Latency', unit: 'µs', groups: [{ title: 'get', bars: [{ label: 'a', value: 3 }] }] })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    assertBalanced(svg)
  })

  it('draws bars proportional to their values on a linear scale', () => {
    const svg = barChartSvg({
      title: 't',
      unit: 'µs',
      scale: 'linear',
      groups: [{ bars: [{ label: 'one', value: 10 }, { label: 'two', value: 20 }, { label: 'four', value: 40 }] }],
    })
    const widths = bars(svg)
    expect(widths.get('two')! / widths.get('one')!).toBeCloseTo(2, 1)
    expect(widths.get('four')! / widths.get('one')!).toBeCloseTo(4, 1)
  })

  it('draws bars proportional to their logarithms on a log scale', () => {
    const svg = barChartSvg({ title: 't', unit: 'µs', scale: 'log', groups: [{ bars: [{ label: 'a', value: 20 }, { label: 'b', value: 200 }, { label: 'c', value: 2000 }] }] })
    const widths = bars(svg)
    // One decade is the same length wherever it falls.
    expect(widths.get('c')! - widths.get('b')!).toBeCloseTo(widths.get('b')! - widths.get('a')!, 0)
    expect(svg).toContain('log scale')
  })

  it('escapes labels, so a label cannot break the markup', () => {
    const svg = barChartSvg({ title: 'a < b & "c"', unit: 'µs', groups: [{ bars: [{ label: '<script>', value: 1 }] }] })
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;')
    assertBalanced(svg)
  })

  it('prints a note instead of a bar for a value that was not measured', () => {
    const svg = barChartSvg({ title: 't', unit: 'µs', groups: [{ bars: [{ label: 'ran', value: 5 }, { label: 'skipped one', value: undefined, note: 'skipped: fill cap' }] }] })
    expect(bars(svg).has('skipped one')).toBe(false)
    expect(svg).toContain('skipped: fill cap')
  })
})

describe('chooseScale()', () => {
  it('picks log when values span more than twentyfold, linear otherwise', () => {
    expect(chooseScale([1, 15])).toBe('linear')
    expect(chooseScale([1, 500])).toBe('log')
  })
})

describe('axisFor() and barLength()', () => {
  it('spans whole decades on a log axis', () => {
    expect(axisFor([3, 4000], 'log')).toMatchObject({ low: 1, high: 10_000, ticks: [1, 10, 100, 1000, 10_000] })
  })

  it('never draws a positive value as nothing, nor past the plot', () => {
    const axis = axisFor([1, 1_000_000], 'linear')
    expect(barLength(1, axis, 400)).toBeGreaterThanOrEqual(1)
    expect(barLength(1_000_000, axis, 400)).toBeLessThanOrEqual(400)
    expect(barLength(0, axis, 400)).toBe(0)
  })
})
