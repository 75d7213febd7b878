import express from 'express'
import express4 from 'express4'
import { describeHttpSecurityBehaviour } from '../test-support/http-security-behaviour.js'
import { expressApp } from '../test-support/express-app.js'

describe('diskCacheMiddleware() security on Express 5', () => {
  describeHttpSecurityBehaviour(expressApp(express))
})

describe('diskCacheMiddleware() security on Express 4', () => {
  describeHttpSecurityBehaviour(expressApp(express4 as unknown as typeof express))
})
