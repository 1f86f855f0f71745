// The only strongly consistent state: KV has no atomic increment or compare-and-swap, so
// the guest sequence and the first claim of each token live in one SQLite-backed Durable
// Object. Each claim runs synchronous SQL with no await, so it is atomic.
import { DurableObject } from 'cloudflare:workers'
import { ContactStore } from './contact-store.ts'
import { randomId } from './ids.ts'
import { applyVisitorInput, type VisitorInput } from './visitor-input.ts'
import type { Visitor } from './visitor.ts'

/** A token's owner, with the registry's copy of the visitor (as created, or as adopted). */
export interface TokenClaim {
  visitor: Visitor
  /** True when this call created the visitor. */
  created: boolean
}

export type ClaimPlan =
  /** Only look: the caller found the visitor by phone, which keeps its own token. */
  | { kind: 'peek' }
  /** The caller found this visitor by email; it takes the new token. */
  | { kind: 'adopt'; visitor: Visitor }
  /** A new visitor from this registration, named `username` or else the next guest-N. */
  | { kind: 'create'; input: VisitorInput }

/** Erased visitors are erased again this long after, then once more: a registration that read
 * KV before the erasure (here, or at a location KV had not reached yet) may write them back. */
const SWEEPS_MS = [70_000, 600_000]

export class VisitorRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS claims (token TEXT PRIMARY KEY, id TEXT NOT NULL, visitor TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS erasures (id TEXT PRIMARY KEY, sweep INTEGER NOT NULL, due INTEGER NOT NULL);
    `)
  }

  /** Returns the token's owner if it has one; otherwise carries out `plan`. */
  claim(token: string, plan: ClaimPlan): TokenClaim | null {
    const sql = this.ctx.storage.sql
    const [owner] = sql.exec<{ visitor: string }>('SELECT visitor FROM claims WHERE token = ?', token).toArray()
    if (owner) return { visitor: JSON.parse(owner.visitor), created: false }
    if (plan.kind === 'peek') return null
    if (plan.kind === 'adopt') {
      const visitor = { ...plan.visitor, token }
      sql.exec('DELETE FROM claims WHERE token = ? AND id = ?', plan.visitor.token, visitor._id)
      sql.exec('INSERT INTO claims VALUES (?, ?, ?)', token, visitor._id, JSON.stringify(visitor))
      return { visitor, created: false }
    }
    const ts = new Date().toISOString()
    const username = plan.input.username ?? `guest-${this.next('guest')}`
    const base: Visitor = { _id: randomId(), username, token, ts, status: 'online', _updatedAt: ts }
    const visitor = applyVisitorInput(base, plan.input)
    sql.exec('INSERT INTO claims VALUES (?, ?, ?)', token, visitor._id, JSON.stringify(visitor))
    return { visitor, created: true }
  }

  /** Frees an erased visitor's token, so it can start a new contact, and schedules the sweeps. */
  async release(token: string, id: string): Promise<void> {
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM claims WHERE token = ? AND id = ?', token, id)
    sql.exec('INSERT OR REPLACE INTO erasures VALUES (?, 0, ?)', id, Date.now() + SWEEPS_MS[0])
    await this.scheduleSweep()
  }

  /** Erases again whatever a late write brought back. */
  async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql
    const store = new ContactStore(this.env.CONTACTS)
    // Every pending erasure, not only those due: an early sweep is harmless, a missed one is not.
    for (const { id, sweep } of sql.exec<{ id: string; sweep: number }>('SELECT id, sweep FROM erasures').toArray()) {
      const revived = await store.getVisitor(id)
      if (revived) await store.eraseVisitor(revived)
      if (sweep + 1 < SWEEPS_MS.length) sql.exec('UPDATE erasures SET sweep = ?, due = ? WHERE id = ?', sweep + 1, Date.now() + SWEEPS_MS[sweep + 1], id)
      else sql.exec('DELETE FROM erasures WHERE id = ?', id)
    }
    await this.scheduleSweep()
  }

  private async scheduleSweep(): Promise<void> {
    const { due } = this.ctx.storage.sql.exec<{ due: number | null }>('SELECT MIN(due) AS due FROM erasures').one()
    if (due !== null) await this.ctx.storage.setAlarm(due)
  }

  private next(name: string): number {
    return this.ctx.storage.sql.exec<{ value: number }>(
      `INSERT INTO sequences VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
      name).one().value
  }
}
