/**
 * @keyv/test-suite registers its tests through vitest's API: `test.it(name,
 * fn)`, `test.beforeEach`, `test.afterEach`, where `fn` receives vitest's test
 * context and asserts with `t.expect(...)` and `t.expect.assertions(n)`. Jest
 * would read a one-parameter test function as a done-callback test and wait
 * for `done()`, so each function is wrapped in a zero-parameter one that hands
 * it a context holding jest's `expect` (whose `assertions(n)` matches
 * vitest's). Nothing else of vitest is used by the suite at run time.
 */
type Hook = (context: { expect: typeof expect }) => unknown

export const vitestContextApi = {
  it: (name: string, fn: Hook) => it(name, () => fn({ expect })),
  beforeEach: (fn: Hook) => beforeEach(() => fn({ expect })),
  afterEach: (fn: Hook) => afterEach(() => fn({ expect })),
}
