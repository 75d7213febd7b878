import type { StoredResponse } from './stored-response.js'

/** What a store key holds, decoded: a stored response, the fields of a vary marker, or nothing of ours. */
export type DecodedValue = StoredResponse | readonly string[] | undefined

/** A decoded copy of one store entry, and what tells whether it is still the stored one. */
export interface MemoryRecord {
  /** The value as the store returned it: compared with a fresh read before the decoded copy is trusted again. */
  raw: Buffer | string
  decoded: DecodedValue
  /** The entry's expiry in the store (epoch ms), or null. */
  expiresAt: number | null
  /** The store's dataVersion when the copy was known to match it. */
  version: number
  /** Bytes this record holds, roughly: the raw value plus a fixed overhead. */
  size: number
}

/** Per-record bookkeeping (Map slot, record object, decoded headers) counted against the budget. */
const RECORD_OVERHEAD = 512

/**
 * The hot entries of the store, decoded, in this process's memory: least
 * recently used first out once they hold more than `maxBytes`. It knows
 * nothing about freshness or other processes; HttpCacheEngine checks each
 * record against the store's dataVersion before it uses one.
 */
export class MemoryFront {
  private readonly records = new Map<string, MemoryRecord>()
  private bytes = 0

  constructor(readonly maxBytes: number) {}

  /** The record for `key`, now the most recently used; undefined when there is none. */
  get(key: string): MemoryRecord | undefined {
    const record = this.records.get(key)
    if (record === undefined) return undefined
    // A Map iterates in insertion order: moving the record to the end makes the first one the least recently used.
    this.records.delete(key)
    this.records.set(key, record)
    return record
  }

  /** Keeps `record` (replacing what `key` had), then drops the least recently used until the budget holds. */
  set(key: string, record: MemoryRecord): void {
    this.delete(key)
    if (record.size > this.maxBytes) return
    this.records.set(key, record)
    this.bytes += record.size
    for (const [oldest, old] of this.records) {
      if (this.bytes <= this.maxBytes) break
      this.records.delete(oldest)
      this.bytes -= old.size
    }
  }

  delete(key: string): void {
    const record = this.records.get(key)
    if (record === undefined) return
    this.records.delete(key)
    this.bytes -= record.size
  }

  get size(): number {
    return this.records.size
  }

  /** Bytes held, as counted against maxBytes. */
  get volume(): number {
    return this.bytes
  }

  static sizeOf(raw: Buffer | string): number {
    return (typeof raw === 'string' ? raw.length * 2 : raw.length) + RECORD_OVERHEAD
  }
}
