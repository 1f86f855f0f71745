// Failed sign-ins, counted per username and per client IP as Rocket.Chat's defaults do: 10
// failures for one username, or 50 from one IP, block further attempts for 5 minutes. One SQLite
// Durable Object, so concurrent guesses are counted exactly: each method is one synchronous SQL
// step with no await inside, and an attempt counts as a failure from the moment it is admitted
// until it succeeds, so 30 guesses fired at once let exactly the limit through to the password check.
import { DurableObject } from 'cloudflare:workers'

export const USER_LIMIT = 10
export const IP_LIMIT = 50
export const BLOCK_MS = 5 * 60_000
/** A key with no failure for this long is forgotten (its count starts again). */
export const FORGET_MS = 24 * 60 * 60_000

export type Verdict = { admitted: true } | { admitted: false; retryAfter: number }

interface Row extends Record<string, SqlStorageValue> {
  key: string
  failures: number
  last_failure: number
  blocked_until: number | null
}

const userKey = (username: string) => `user:${username.toLowerCase().slice(0, 128)}`
const ipKey = (ip: string) => `ip:${ip.slice(0, 64)}`

export class LoginThrottle extends DurableObject<Env> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.sql.exec(`CREATE TABLE IF NOT EXISTS failures (
      key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure INTEGER NOT NULL, blocked_until INTEGER)`)
    this.sql.exec('CREATE INDEX IF NOT EXISTS failures_by_time ON failures (last_failure)')
  }

  /** Admits an attempt for `username` from `ip` (and counts it as a failure), or says how many
   * seconds to wait. A block that is over starts the count again from zero. */
  admit(username: string, ip: string, now = Date.now()): Verdict {
    this.sql.exec('DELETE FROM failures WHERE last_failure < ? AND (blocked_until IS NULL OR blocked_until <= ?)', now - FORGET_MS, now)
    const counted = [[userKey(username), USER_LIMIT], [ipKey(ip), IP_LIMIT]] as const
    const rows = counted.map(([key]) => this.sql.exec<Row>('SELECT * FROM failures WHERE key = ?', key).toArray()[0])
    const blockedUntil = Math.max(0, ...rows.map((row) => row?.blocked_until ?? 0))
    if (blockedUntil > now) return { admitted: false, retryAfter: Math.ceil((blockedUntil - now) / 1000) }
    counted.forEach(([key, limit], i) => {
      const failures = (rows[i] && rows[i].blocked_until === null ? rows[i].failures : 0) + 1
      this.sql.exec(
        'INSERT OR REPLACE INTO failures (key, failures, last_failure, blocked_until) VALUES (?, ?, ?, ?)',
        key, failures, now, failures >= limit ? now + BLOCK_MS : null)
    })
    return { admitted: true }
  }

  /** The admitted attempt was right: the username's failures are reset, and the IP's count loses
   * the attempt (which it counted in advance). Other successes do not clear an IP's failures. */
  succeeded(username: string, ip: string): void {
    this.sql.exec('DELETE FROM failures WHERE key = ?', userKey(username))
    this.sql.exec(
      `UPDATE failures SET failures = failures - 1, blocked_until = CASE WHEN failures - 1 < ? THEN NULL ELSE blocked_until END
       WHERE key = ? AND failures > 0`,
      IP_LIMIT, ipKey(ip))
  }
}
