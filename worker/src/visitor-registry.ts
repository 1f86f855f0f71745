// The only strongly consistent state: KV has no atomic increment or compare-and-swap, so
// the guest sequence and the first claim of each token live in one SQLite-backed Durable
// Object. Each method runs synchronous SQL with no await, so it is atomic.
import { DurableObject } from 'cloudflare:workers'
import { randomId } from './ids.ts'

/** Who owns a token: enough to build the visitor even before KV shows it here. */
export interface TokenClaim {
  _id: string
  username: string
  ts: string
  token: string
  /** True when this call created the visitor. */
  created: boolean
}

export type ClaimPlan =
  /** Only look: the caller found the visitor by phone, which keeps its own token. */
  | { kind: 'peek' }
  /** The caller found this visitor by email; it takes the new token. */
  | { kind: 'adopt'; visitor: { _id: string; username: string; ts: string; token: string } }
  /** A new visitor, named `username` or else the next guest-N. */
  | { kind: 'create'; username?: string }

export class VisitorRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS claims (token TEXT PRIMARY KEY, id TEXT NOT NULL, username TEXT NOT NULL, ts TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `)
  }

  /** Returns the token's owner if it has one; otherwise carries out `plan`. */
  claim(token: string, plan: ClaimPlan): TokenClaim | null {
    const sql = this.ctx.storage.sql
    const [owner] = sql.exec<Omit<TokenClaim, 'created' | 'token'>>(
      'SELECT id AS _id, username, ts FROM claims WHERE token = ?', token).toArray()
    if (owner) return { ...owner, token, created: false }
    if (plan.kind === 'peek') return null
    if (plan.kind === 'adopt') {
      const { _id, username, ts, token: oldToken } = plan.visitor
      sql.exec('DELETE FROM claims WHERE token = ? AND id = ?', oldToken, _id)
      sql.exec('INSERT INTO claims VALUES (?, ?, ?, ?)', token, _id, username, ts)
      return { _id, username, ts, token, created: false }
    }
    const username = plan.username ?? `guest-${this.next('guest')}`
    const claim = { _id: randomId(), username, ts: new Date().toISOString(), token }
    sql.exec('INSERT INTO claims VALUES (?, ?, ?, ?)', token, claim._id, username, claim.ts)
    return { ...claim, created: true }
  }

  /** Frees a token after its visitor was erased, so it can start a new contact. */
  release(token: string, id: string): void {
    this.ctx.storage.sql.exec('DELETE FROM claims WHERE token = ? AND id = ?', token, id)
  }

  private next(name: string): number {
    return this.ctx.storage.sql.exec<{ value: number }>(
      `INSERT INTO sequences VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
      name).one().value
  }
}
