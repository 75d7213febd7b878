import { createHash, timingSafeEqual } from 'node:crypto'

/** The form a purge secret is kept in: its SHA-256 digest, never the text. */
export function digestSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

/**
 * Whether `given` is the secret whose digest is `expected`. Both sides are
 * compared as 32-byte digests with timingSafeEqual: the time taken tells a
 * caller neither how many leading characters were right nor how long the
 * secret is.
 */
export function isSecretMatch(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digestSecret(given), expected)
}
