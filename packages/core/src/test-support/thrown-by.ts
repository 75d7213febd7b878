/** What `fn` throws, or undefined when it returns: for asserting on an error's class, code and message at once. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}
