import { cacheLife } from 'next/cache'
import { connection } from 'next/server'
import { dataUrl } from '../data'

// Rendered on every request (connection() makes it dynamic), so each request asks the 'use cache'
// handler for getReport's value: the page the throughput benchmark uses for 'use cache'.
async function getReport() {
  'use cache'
  cacheLife('hours')
  const response = await fetch(dataUrl('/report'), { cache: 'no-store' })
  const { n } = await response.json()
  return n
}

export default async function DynamicCachedPage() {
  await connection()
  return <p id="report">report {await getReport()}</p>
}
