import { dataUrl } from '../data'

export const revalidate = 3600

export default async function FetchPage() {
  const response = await fetch(dataUrl('/data'), { next: { tags: ['data'], revalidate: 3600 } })
  const { n } = await response.json()
  return <p id="data">data {n}</p>
}
