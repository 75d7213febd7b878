/** A request as the engine sees it, whichever framework received it. */
export interface CacheRequest {
  /** Upper case. */
  readonly method: string
  /** 'http' or 'https', as the connection arrived (not from X-Forwarded-Proto). */
  readonly scheme: string
  /** The Host header, lower case. */
  readonly host: string
  /** The request target in origin form: path and query. */
  readonly url: string
  /** A request header by lower-case name, repeated fields joined with ', '. */
  header(name: string): string | undefined
}
