export const revalidate = 15

export function GET() {
  return Response.json({ time: Date.now(), random: Math.random() })
}
