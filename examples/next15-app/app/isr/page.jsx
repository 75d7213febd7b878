export const revalidate = 20

export default function IsrPage() {
  return <p id="rendered">rendered {Date.now()}-{Math.random()}</p>
}
