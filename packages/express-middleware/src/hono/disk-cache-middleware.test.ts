import { describeHttpCacheBehaviour } from '../test-support/http-cache-behaviour.js'
import { honoApp } from '../test-support/hono-app.js'

describe('diskCacheMiddleware() on Hono', () => {
  describeHttpCacheBehaviour(honoApp)
})
