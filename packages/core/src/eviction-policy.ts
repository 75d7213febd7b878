/**
 * Eviction policies as data, one row per policy (after DiskCache's EVICTION_POLICY):
 * the index that makes victim selection cheap, and the column that orders victims.
 * Access bookkeeping for LRU/LFU is the same UPDATE for every policy (see access-log.ts),
 * so a policy is nothing more than this row.
 */
export interface EvictionPolicy {
  /** Index to create when the policy is in force; dropped when another policy takes over. */
  readonly index: { readonly name: string; readonly sql: string } | null
  /** ORDER BY for choosing victims, oldest or least used first; null never evicts. */
  readonly victimOrder: string | null
  /** Whether reads must be recorded (access time, access count) for this policy. */
  readonly tracksAccess: boolean
}

export type EvictionPolicyName = 'least-recently-stored' | 'least-recently-used' | 'least-frequently-used' | 'none'

export const EVICTION_POLICIES: Readonly<Record<EvictionPolicyName, EvictionPolicy>> = {
  // An overwrite keeps the row's id (iteration order is first-insertion order, as in a Map), so the
  // store time needs an index of its own, as in DiskCache.
  'least-recently-stored': {
    index: { name: 'entries_stored_at', sql: 'CREATE INDEX IF NOT EXISTS entries_stored_at ON entries (stored_at)' },
    victimOrder: 'stored_at, id',
    tracksAccess: false,
  },
  'least-recently-used': {
    index: { name: 'entries_accessed_at', sql: 'CREATE INDEX IF NOT EXISTS entries_accessed_at ON entries (accessed_at)' },
    victimOrder: 'accessed_at',
    tracksAccess: true,
  },
  'least-frequently-used': {
    index: {
      name: 'entries_access_count',
      sql: 'CREATE INDEX IF NOT EXISTS entries_access_count ON entries (access_count, accessed_at)',
    },
    victimOrder: 'access_count, accessed_at',
    tracksAccess: true,
  },
  none: { index: null, victimOrder: null, tracksAccess: false },
}

export function isEvictionPolicyName(name: unknown): name is EvictionPolicyName {
  return typeof name === 'string' && Object.hasOwn(EVICTION_POLICIES, name)
}
