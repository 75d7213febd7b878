// Every page reads from a small HTTP server (the tests start one on loopback, up during the build too).
export function dataUrl(path) {
  return `${process.env.STUB_URL || 'http://127.0.0.1:4999'}${path}`
}
