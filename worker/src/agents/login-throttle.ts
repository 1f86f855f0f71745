// Failed sign-ins, counted so that guesses from one network cannot lock an agent out from another:
// 10 failures for one username from one network block that pair; 50 from one network (any
// usernames) block that network; 100 for one username from all networks together block the name.
// Each block lasts 5 minutes. A network is an IPv4 address or an IPv6 /64 (http/client-network.ts).
//
// One SQLite Durable Object, so concurrent guesses are counted exactly: each method is one
// synchronous SQL step with no await inside, and an attempt counts as a failure from the moment
// it is admitted until it succeeds, so 30 guesses fired at once let exactly the limit through.
//
// Storage is bounded: at most ROW_CAP rows, whatever stream of usernames and networks arrives.
import { DurableObject } from 'cloudflare:workers'

/** Failures for one username from one network. */
const PAIR_LIMIT = 10
/** Failures from one network, any usernames. */
const NETWORK_LIMIT = 50
/** Failures for one username from every network together. */
const USER_CEILING = 100
export const BLOCK_MS = 5 * 60_000
/** A count with no failure for this long is forgotten (its count starts again). */
export const FORGET_MS = 24 * 60 * 60_000
/** The most rows the table holds: about 30 MB with the longest keys (measured), far more live
 * counts than real sign-ins leave, and a flood must fill all of it to flush one count. */
export const ROW_CAP = 100_000

export type Verdict = { admitted: true } | { admitted: false; retryAfter: number }

interface Row extends Record<string, SqlStorageValue> {
  key: string
  failures: number
  last_failure: number
  blocked_until: number | null
}

const userName = (username: string) => username.toLowerCase().slice(0, 128)
const userKey = (username: string) => `user:${userName(username)}`
// The network comes first: it never contains '|', so the key is unambiguous.
const pairKey = (username: string, network: string) => `pair:${network.slice(0, 64)}|${userName(username)}`
const networkKey = (network: string) => `net:${network.slice(0, 64)}`

export class LoginThrottle extends DurableObject<Env> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.sql.exec(`CREATE TABLE IF NOT EXISTS failures (
      key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure INTEGER NOT NULL, blocked_until INTEGER)`)
    this.sql.exec('DROP INDEX IF EXISTS failures_by_time') // the first version's, which no query uses now
    // The rows whose window is over, found without a scan.
    this.sql.exec('CREATE INDEX IF NOT EXISTS failures_by_block ON failures (blocked_until, last_failure)')
    // The order in which rows are evicted at the cap.
    this.sql.exec('CREATE INDEX IF NOT EXISTS failures_by_worth ON failures (failures, last_failure)')
    // The row count, kept by triggers so that no code path can let it drift (COUNT(*) is a scan).
    this.sql.exec('CREATE TABLE IF NOT EXISTS row_count (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)')
    this.sql.exec('INSERT OR IGNORE INTO row_count VALUES (1, (SELECT COUNT(*) FROM failures))')
    this.sql.exec('CREATE TRIGGER IF NOT EXISTS failures_added AFTER INSERT ON failures BEGIN UPDATE row_count SET n = n + 1; END')
    this.sql.exec('CREATE TRIGGER IF NOT EXISTS failures_removed AFTER DELETE ON failures BEGIN UPDATE row_count SET n = n - 1; END')
  }

  /** Admits an attempt for `username` from `network` (and counts it as a failure), or says how
   * many seconds to wait. A block that is over starts the count again from zero. */
  admit(username: string, network: string, now = Date.now()): Verdict {
    // A row whose block is over, or with no failure for FORGET_MS, counts as zero: drop it.
    this.sql.exec('DELETE FROM failures WHERE blocked_until <= ?', now)
    this.sql.exec('DELETE FROM failures WHERE blocked_until IS NULL AND last_failure < ?', now - FORGET_MS)
    const counted = [
      [userKey(username), USER_CEILING], [pairKey(username, network), PAIR_LIMIT], [networkKey(network), NETWORK_LIMIT],
    ] as const
    const rows = counted.map(([key]) => this.sql.exec<Row>('SELECT * FROM failures WHERE key = ?', key).toArray()[0])
    // Every row left is either unblocked or blocked until later than now.
    const blockedUntil = Math.max(0, ...rows.map((row) => row?.blocked_until ?? 0))
    if (blockedUntil > now) return { admitted: false, retryAfter: Math.ceil((blockedUntil - now) / 1000) }
    counted.forEach(([key, limit], i) => {
      const failures = (rows[i]?.failures ?? 0) + 1
      this.sql.exec(
        `INSERT INTO failures (key, failures, last_failure, blocked_until) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET failures = ?2, last_failure = ?3, blocked_until = ?4`,
        key, failures, now, failures >= limit ? now + BLOCK_MS : null)
    })
    this.evictOver(counted.map(([key]) => key))
    return { admitted: true }
  }

  /** The admitted attempt was right: its username's count from its network is reset; the network's
   * and the username's overall counts lose the attempt (counted in advance) and nothing more, so a
   * legitimate sign-in never refills the budget of guesses from elsewhere. */
  succeeded(username: string, network: string): void {
    this.sql.exec('DELETE FROM failures WHERE key = ?', pairKey(username, network))
    for (const [key, limit] of [[networkKey(network), NETWORK_LIMIT], [userKey(username), USER_CEILING]] as const) {
      this.sql.exec(
        `UPDATE failures SET failures = failures - 1, blocked_until = CASE WHEN failures - 1 < ? THEN NULL ELSE blocked_until END
         WHERE key = ? AND failures > 0`,
        limit, key)
    }
  }

  /** Above ROW_CAP, evicts the rows that took the fewest failures to build (then the oldest),
   * never those of the attempt being counted: to flush a count of n an attacker must first fill
   * the table with ROW_CAP counts of at least n. Rows whose window is over are already gone. */
  private evictOver(keep: readonly string[]): void {
    const over = this.sql.exec<{ n: number }>('SELECT n FROM row_count').one().n - ROW_CAP
    if (over <= 0) return
    this.sql.exec(
      `DELETE FROM failures WHERE key IN (
         SELECT key FROM failures WHERE key NOT IN (?, ?, ?) ORDER BY failures, last_failure LIMIT ?)`,
      ...keep, over)
  }
}
