import { revalidatePath, revalidateTag } from 'next/cache'

export const dynamic = 'force-dynamic'

// /api/revalidate?tag=data&profile=max|expire0  or  /api/revalidate?path=/isr
export function GET(request) {
  const { searchParams } = new URL(request.url)
  const tag = searchParams.get('tag')
  const path = searchParams.get('path')
  if (tag) revalidateTag(tag, searchParams.get('profile') === 'max' ? 'max' : { expire: 0 })
  if (path) revalidatePath(path)
  return Response.json({ revalidated: true, tag, path })
}
