// The authority on visitors' identity: one SQLite-backed Durable Object holds every visitor,
// its token, phone, email, verified identifier and username, and the guest sequence. KV has no
// atomic operations and lags between locations, so it cannot decide who a registration is; here
// each decision and its write are one synchronous SQL step, which nothing can interleave. KV keeps
// a copy of each visitor for agents' reads (kv-replica.ts).
import { DurableObject } from 'cloudflare:workers'
import type { MatchMode } from './config.ts'
import { randomId } from './ids.ts'
import { keys } from './keys.ts'
import { KvReplica } from './kv-replica.ts'
import { applyVisitorInput, type VisitorInput } from './visitor-input.ts'
import type { Visitor } from './visitor.ts'

interface Row extends Record<string, SqlStorageValue> {
  id: string
  record: string
  identifier: string | null
}

// Reserved for the sequence, so a visitor who asks for `guest-1063` never collides with it.
const GUEST_NAME = /^guest-\d+$/i

export class VisitorRegistry extends DurableObject<Env> {
  readonly replica: KvReplica

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`
      -- 0.1 kept copies of visitors in claims, never updated nor erased: they go.
      DROP TABLE IF EXISTS claims;
      DROP TABLE IF EXISTS erasures;
      CREATE TABLE IF NOT EXISTS visitors (
        id TEXT PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        phone TEXT,
        email TEXT,
        identifier TEXT,
        record TEXT NOT NULL,
        updated INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS visitors_phone ON visitors (phone) WHERE phone IS NOT NULL;
      CREATE INDEX IF NOT EXISTS visitors_email ON visitors (email) WHERE email IS NOT NULL;
      CREATE INDEX IF NOT EXISTS visitors_identifier ON visitors (identifier) WHERE identifier IS NOT NULL;
      CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `)
    this.replica = new KvReplica(ctx.storage, env.CONTACTS)
    void ctx.blockConcurrencyWhile(() => this.replica.resume())
  }

  /**
   * Rocket.Chat's upsert, made safe: finds who this registration is, updates or creates that
   * visitor, and answers with it once its copy is in KV.
   *
   * - A verified identifier (mode `verified` or `true`) finds the visitor verified as it, who keeps its token.
   * - Else the token; but a token whose visitor is verified as someone else is never theirs:
   *   they get a new visitor with a fresh token.
   * - Else, in mode `true` only, an unverified visitor with the same phone (keeps its token) or
   *   email (takes the new token), as Rocket.Chat does.
   * - Else a new visitor.
   */
  async register(input: VisitorInput, mode: MatchMode): Promise<Visitor> {
    let token = input.token
    let row = input.identifier && mode !== 'false' ? this.one('identifier = ?', input.identifier) : undefined
    if (!row) {
      const holder = this.one('token = ?', token)
      if (holder?.identifier && input.identifier && holder.identifier !== input.identifier) token = randomId(24)
      else row = holder
    }
    if (!row && mode === 'true') {
      // Rocket.Chat's rule; never onto a verified visitor, whose identity was vouched for.
      row = input.phone ? this.one('phone = ? AND identifier IS NULL', input.phone) : undefined
      const byEmail = !row && input.email ? this.one('email = ? AND identifier IS NULL', input.email) : undefined
      if (byEmail) row = { ...byEmail, record: JSON.stringify({ ...JSON.parse(byEmail.record), token }) }
    }
    const visitor = row ? this.update(row, input) : this.create(token, input)
    await this.replica.flush([keys.visitor(visitor._id)])
    return visitor
  }

  /** The visitor holding this token, straight from the authority. */
  find(token: string): Visitor | null {
    const row = this.one('token = ?', token)
    return row ? JSON.parse(row.record) : null
  }

  /** Erases the visitor holding this token: here at once, from KV before answering. */
  async erase(token: string): Promise<{ _id: string } | null> {
    const row = this.one('token = ?', token)
    if (!row) return null
    this.ctx.storage.sql.exec('DELETE FROM visitors WHERE id = ?', row.id)
    this.replica.want(keys.visitor(row.id), null, true)
    await this.replica.flush([keys.visitor(row.id)])
    return { _id: row.id }
  }

  /** Retries KV writes that failed, and re-sweeps erased records. */
  async alarm(): Promise<void> {
    await this.replica.flushDue()
  }

  private one(where: string, value: string): Row | undefined {
    // The newest first: phone, email and identifier need not be unique.
    return this.ctx.storage.sql.exec<Row>(
      `SELECT id, record, identifier FROM visitors WHERE ${where} ORDER BY updated DESC LIMIT 1`, value).toArray()[0]
  }

  private update(row: Row, input: VisitorInput): Visitor {
    const visitor = applyVisitorInput(JSON.parse(row.record), input)
    this.ctx.storage.sql.exec(
      `UPDATE visitors SET token = ?, phone = ?, email = ?, identifier = COALESCE(?, identifier), record = ?, updated = ?
       WHERE id = ?`,
      visitor.token, phoneOf(visitor), emailOf(visitor), input.identifier ?? null, JSON.stringify(visitor), Date.now(), row.id)
    this.replica.want(keys.visitor(visitor._id), JSON.stringify(visitor))
    return visitor
  }

  private create(token: string, input: VisitorInput): Visitor {
    const ts = new Date().toISOString()
    const base: Visitor = { _id: randomId(), username: this.username(input.username), token, ts, status: 'online', _updatedAt: ts }
    const visitor = applyVisitorInput(base, input)
    this.ctx.storage.sql.exec(
      'INSERT INTO visitors (id, token, username, phone, email, identifier, record, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      visitor._id, token, visitor.username, phoneOf(visitor), emailOf(visitor), input.identifier ?? null,
      JSON.stringify(visitor), Date.now())
    this.replica.want(keys.visitor(visitor._id), JSON.stringify(visitor))
    return visitor
  }

  /** The username asked for when it is free and not guest-N shaped; else the next free guest-N. */
  private username(wanted: string | undefined): string {
    if (wanted && !GUEST_NAME.test(wanted) && !this.taken(wanted)) return wanted
    let name: string
    do name = `guest-${this.next('guest')}`
    while (this.taken(name))
    return name
  }

  private taken(username: string): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 FROM visitors WHERE username = ?', username).toArray().length > 0
  }

  private next(name: string): number {
    return this.ctx.storage.sql.exec<{ value: number }>(
      'INSERT INTO sequences VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
      name).one().value
  }
}

const phoneOf = (v: Visitor) => v.phone?.[0]?.phoneNumber ?? null
const emailOf = (v: Visitor) => v.visitorEmails?.[0]?.address ?? null
