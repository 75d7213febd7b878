import { describeHttpSecurityBehaviour } from '../test-support/http-security-behaviour.js'
import { honoApp } from '../test-support/hono-app.js'

describe('diskCacheMiddleware() security on Hono', () => {
  describeHttpSecurityBehaviour(honoApp)
})
