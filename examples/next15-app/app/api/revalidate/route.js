import { revalidatePath, revalidateTag } from 'next/cache'

export const dynamic = 'force-dynamic'

// /api/revalidate?tag=data  or  /api/revalidate?path=/isr
// Next 15's revalidateTag takes no profile: the tag expires at once (no stale-while-revalidate).
export function GET(request) {
  const { searchParams } = new URL(request.url)
  const tag = searchParams.get('tag')
  const path = searchParams.get('path')
  if (tag) revalidateTag(tag)
  if (path) revalidatePath(path)
  return Response.json({ revalidated: true, tag, path })
}
