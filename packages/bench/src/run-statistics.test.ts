import { formatMicros, formatRatio, median, medianOfRuns, ratio } from './run-statistics.js'

describe('median()', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5)
  })

  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('sorts numerically, not as strings', () => {
    expect(median([10, 9, 100])).toBe(10)
  })

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN()
  })
})

describe('medianOfRuns()', () => {
  it('takes the median of each field separately', () => {
    const runs = [
      { mean: 10, p99: 50 },
      { mean: 30, p99: 20 },
      { mean: 20, p99: 40 },
    ]
    expect(medianOfRuns(runs)).toEqual({ mean: 20, p99: 40 })
  })

  it('takes a field over the runs that have it', () => {
    const runs: Record<string, number>[] = [{ mean: 1, errors: 4 }, { mean: 3 }]
    expect(medianOfRuns(runs)).toEqual({ mean: 2, errors: 4 })
  })
})

describe('ratio()', () => {
  it('divides a figure by its reference', () => {
    expect(ratio(13, 10)).toBeCloseTo(1.3)
  })

  it('is undefined when either figure is missing or the reference is not positive', () => {
    expect(ratio(undefined, 10)).toBeUndefined()
    expect(ratio(5, undefined)).toBeUndefined()
    expect(ratio(5, 0)).toBeUndefined()
    expect(ratio(Number.NaN, 1)).toBeUndefined()
  })
})

describe('formatRatio() and formatMicros()', () => {
  it('prints ratios with two decimals below 10 and a dash for none', () => {
    expect(formatRatio(1.234)).toBe('1.23×')
    expect(formatRatio(12.34)).toBe('12.3×')
    expect(formatRatio(undefined)).toBe('–')
  })

  it('prints µs with precision that suits the magnitude', () => {
    expect(formatMicros(0.8234)).toBe('0.82')
    expect(formatMicros(12.34)).toBe('12.3')
    expect(formatMicros(123.4)).toBe('123')
    expect(formatMicros(12345.6)).toBe('12,346')
  })
})
