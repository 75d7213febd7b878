import express from 'express'
import express4 from 'express4'
import { describeHttpCacheBehaviour } from '../test-support/http-cache-behaviour.js'
import { expressApp } from '../test-support/express-app.js'

describe('diskCacheMiddleware() on Express 5', () => {
  describeHttpCacheBehaviour(expressApp(express))
})

describe('diskCacheMiddleware() on Express 4', () => {
  describeHttpCacheBehaviour(expressApp(express4 as unknown as typeof express))
})
