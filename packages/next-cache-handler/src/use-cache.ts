// The module `cacheHandlers` points at: Next imports it and uses its default export, an object.
// Options come from the environment (DISKCACHE_NEXT_DIR, ...); for options in code, write your own
// module exporting createUseCacheHandler({ ... }).
import { createUseCacheHandler } from './use-cache-handler.js'

export { createUseCacheHandler } from './use-cache-handler.js'
export type { UseCacheHandler } from './use-cache-handler.js'

const useCacheHandler = createUseCacheHandler()
export default useCacheHandler
