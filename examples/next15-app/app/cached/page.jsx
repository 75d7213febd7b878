// Next 15 names the 'use cache' helpers unstable_cacheLife and unstable_cacheTag (16: cacheLife, cacheTag).
import { unstable_cacheLife as cacheLife, unstable_cacheTag as cacheTag } from 'next/cache'
import { dataUrl } from '../data'

export const revalidate = 3600

async function getThing() {
  'use cache'
  cacheTag('thing')
  cacheLife('hours')
  const response = await fetch(dataUrl('/thing'), { cache: 'no-store' })
  const { n } = await response.json()
  return n
}

export default async function CachedPage() {
  return <p id="thing">thing {await getThing()}</p>
}
