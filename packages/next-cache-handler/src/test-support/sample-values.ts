import type { IncrementalCacheValue } from '../next-types.js'

/** A page entry shaped as Next 16 stores it: html, rscData Buffer, segmentData Map of Buffers, tags header. */
export function appPage(tags = '_N_T_/layout,_N_T_/isr/layout,_N_T_/isr/page,_N_T_/isr,data'): IncrementalCacheValue {
  return {
    kind: 'APP_PAGE',
    html: '<html><body>rendered at 1</body></html>',
    rscData: Buffer.from('0:{"rsc":true}\n'),
    headers: { 'x-next-cache-tags': tags, 'x-nextjs-stale-time': '300' },
    postponed: undefined,
    status: 200,
    segmentData: new Map([
      ['/_tree', Buffer.from('tree')],
      ['/_full', Buffer.from('full')],
      ['/isr/__PAGE__', Buffer.from([0, 1, 2, 255])],
    ]),
  }
}

export function fetchValue(tags: string[] = ['data']): IncrementalCacheValue {
  return {
    kind: 'FETCH',
    data: { headers: { 'content-type': 'application/json' }, body: '{"n":1}', url: 'http://127.0.0.1:1/data', status: 200 },
    tags,
    revalidate: 3600,
  }
}
