// The authority on visitors' identity: one SQLite-backed Durable Object holds every visitor,
// its token, phone, email, verified identifier and username, and the guest sequence. KV has no
// atomic operations and lags between locations, so it cannot decide who a registration is; here
// each decision and its write are one synchronous SQL step, which nothing can interleave. KV keeps
// a copy of each visitor for agents' reads (kv-replica.ts).
import { DurableObject } from 'cloudflare:workers'
import type { MatchMode } from '../config.ts'
import { applyContactInput, type ContactInput } from '../contacts/contact-input.ts'
import { applyContactUpdate, type ContactUpdate } from '../contacts/contact-update.ts'
import { randomId, sha256Hex } from '../../../shared/ids.ts'
import { keys } from '../keys.ts'
import { omnichannel } from '../chat/stubs.ts'
import { KvReplica } from './kv-replica.ts'
import { EventOutbox, type Recorded } from '../notifications/event-outbox.ts'
import { applyVisitorInput, type VisitorInput } from './visitor-input.ts'
import { VisitorTable, type Criteria, type Found } from './visitor-table.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { alarmBy } from '../alarm-by.ts'

/** After handing an erased visitor's rooms to the Omnichannel object failed. */
const ROOM_ERASURE_RETRY_MS = 10_000

/** The one registry every request talks to. */
export const registry = (env: Env) => env.VISITOR_REGISTRY.getByName('global')

export class VisitorRegistry extends DurableObject<Env> {
  readonly replica: KvReplica
  /** New contacts' events (public: tests swap its queue and settings). */
  readonly outbox: EventOutbox
  private readonly visitors: VisitorTable

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.visitors = new VisitorTable(ctx.storage.sql)
    this.replica = new KvReplica(ctx.storage, env.CONTACTS)
    this.outbox = new EventOutbox(ctx.storage, env)
    this.outbox.create()
    // Erased visitors whose rooms the Omnichannel object has yet to take over erasing.
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS room_erasures (visitor_id TEXT PRIMARY KEY)')
    void ctx.blockConcurrencyWhile(async () => {
      await this.replica.resume()
      await this.outbox.resume()
    })
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
   *
   * Without a human check (Turnstile on, no token sent: the host page's own calls, later updates),
   * only the first two may happen: the visitor the token or the signed identity names is updated;
   * anything that would create or match a visitor answers null and stores nothing.
   */
  async register(input: VisitorInput, mode: MatchMode, origin: string | undefined, humanChecked: boolean): Promise<Visitor | null> {
    let token = input.token
    let found = input.identifier && mode !== 'false' ? this.visitors.find('identifier = ?', input.identifier) : undefined
    if (!found) {
      const holder = this.visitors.find('token = ?', token)
      if (holder?.identifier && input.identifier && holder.identifier !== input.identifier) token = randomId(24)
      else found = holder
    }
    if (!found && !humanChecked) return null
    if (!found && mode === 'true') {
      // Rocket.Chat's rule; never onto a verified visitor, whose identity was vouched for.
      found = input.phone ? this.visitors.find('phone = ? AND identifier IS NULL', input.phone) : undefined
      const byEmail = !found && input.email ? this.visitors.find('email = ? AND identifier IS NULL', input.email) : undefined
      if (byEmail) found = { ...byEmail, visitor: { ...byEmail.visitor, token } }
    }
    const base = found?.visitor ?? this.visitors.blank(token, input.username)
    const visitor = applyVisitorInput(base, input)
    // A contact the widget's form made: the owner and the consoles hear of it. `origin` (the
    // Worker's public origin) is for the email's link to the console.
    const event = found ? null : this.outbox.record('LivechatNewContact', { visitorId: visitor._id, ...(origin && { origin }) })
    return this.write(visitor, input.identifier, event)
  }

  /**
   * An agent's create-or-update (POST omnichannel/contact), Rocket.Chat's registerContact made
   * safe: the visitor with this token; else, in mode `true` only, an unverified visitor with this
   * email; else a new contact with this token. A contact found keeps its own token: the agent API
   * never moves a token between visitors, so it can neither lock a visitor out of their record nor
   * plant a token that reads it.
   */
  async saveContact(input: ContactInput, mode: MatchMode): Promise<{ id: string } | { erased: true }> {
    const tokenHash = await sha256Hex(input.token) // before the synchronous step below
    const found = this.visitors.find('token = ?', input.token) ??
      (mode === 'true' && input.email ? this.visitors.find('email = ? AND identifier IS NULL', input.email) : undefined)
    // The token of an erased contact: an integration or a stale screen must not re-create it.
    if (!found && this.visitors.isBuried(tokenHash)) return { erased: true }
    const base = found?.visitor ?? this.visitors.blank(input.token, input.username)
    return { id: (await this.write(applyContactInput(base, input)))._id }
  }

  /** An agent's edit of the contact with this _id (contacts.update); null when there is none, and
   * then nothing is written: an erased contact stays erased. */
  async updateContact(update: ContactUpdate): Promise<Visitor | null> {
    const found = this.visitors.find('id = ?', update.contactId)
    return found ? this.write(applyContactUpdate(found.visitor, update)) : null
  }

  /** The visitor holding this token, straight from the authority. */
  find(token: string): Visitor | null {
    return this.visitors.find('token = ?', token)?.visitor ?? null
  }

  /** The visitor with this _id. */
  info(id: string): Visitor | null {
    return this.visitors.find('id = ?', id)?.visitor ?? null
  }

  /** The newest visitor matching every criterion (contact.search). */
  search(criteria: Criteria): Visitor | null {
    return this.visitors.search(criteria)
  }

  /** One page of visitors, newest first (visitors.search). */
  list(term: string, count: number, offset: number): { visitors: Visitor[]; total: number } {
    return this.visitors.list(term, count, offset)
  }

  /** Erases the visitor holding this token: here at once, from KV before answering. */
  async erase(token: string): Promise<{ _id: string } | null> {
    const tokenHash = await sha256Hex(token)
    return this.eraseFound(this.visitors.find('token = ?', token), tokenHash)
  }

  /** Erases the visitor with this _id, as `erase` does. */
  async eraseById(id: string): Promise<{ _id: string } | null> {
    for (;;) {
      const seen = this.visitors.find('id = ?', id)
      if (!seen) return null
      const tokenHash = await sha256Hex(seen.visitor.token)
      // Hashing awaited: erase only if the token is still the one hashed (a registration in mode
      // `true` may have moved it meanwhile), so the row and its token's tombstone go in one step.
      const found = this.visitors.find('id = ?', id)
      if (found?.visitor.token !== seen.visitor.token) continue
      return this.eraseFound(found, tokenHash)
    }
  }

  /** Retries KV writes that failed, and re-sweeps erased records. */
  async alarm(): Promise<void> {
    await this.outbox.flush()
    await this.replica.flushDue()
    const left = this.ctx.storage.sql.exec<{ visitor_id: string }>('SELECT visitor_id FROM room_erasures').toArray()
    for (const { visitor_id } of left) await this.eraseRooms(visitor_id)
  }

  /** Stores the visitor, then its copy in KV; answers once KV has it (or the outbox will retry). */
  private async write(visitor: Visitor, identifier?: string, event: Recorded | null = null): Promise<Visitor> {
    this.visitors.save(visitor, identifier)
    this.replica.want(keys.visitor(visitor._id), JSON.stringify(visitor))
    await Promise.all([this.replica.flush([keys.visitor(visitor._id)]), this.outbox.send([event])])
    return visitor
  }

  private async eraseFound(found: Found | undefined, tokenHash: string): Promise<{ _id: string } | null> {
    if (!found) return null
    this.visitors.delete(found.id, tokenHash)
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO room_erasures VALUES (?)', found.id)
    this.replica.want(keys.visitor(found.id), null, true)
    await this.replica.flush([keys.visitor(found.id)])
    await this.eraseRooms(found.id)
    return { _id: found.id }
  }

  /** Hands the visitor's rooms to the Omnichannel object, which erases them (and retries what
   * fails); until it has them, the alarm asks again. */
  private async eraseRooms(visitorId: string): Promise<void> {
    try {
      await omnichannel(this.env).eraseVisitor(visitorId)
      this.ctx.storage.sql.exec('DELETE FROM room_erasures WHERE visitor_id = ?', visitorId)
    } catch (error) {
      console.error('erasing rooms failed, retrying', String(error))
      await alarmBy(this.ctx.storage, Date.now() + ROOM_ERASURE_RETRY_MS)
    }
  }
}
