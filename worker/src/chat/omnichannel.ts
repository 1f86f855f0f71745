// One object for the whole contact center: the rooms index (each room's latest summary, pushed by
// the room), the queue derived from it (open rooms nobody serves), agents' statuses, the gateways
// subscribed to the queue, and the erasure of a visitor's rooms. It decides the visitor's open room
// and creates room ids, atomically: two concurrent requests of one visitor get one room.
import { DurableObject } from 'cloudflare:workers'
import type { AgentRoom, AgentStatus, Inquiry, Room } from '../../../shared/chat.ts'
import { agentsView } from '../contacts/agents-view.ts'
import { CONTACTS } from '../ddp/streams.ts'
import { randomId } from '../../../shared/ids.ts'
import { EventOutbox } from '../notifications/event-outbox.ts'
import { roomEvents } from '../notifications/room-events.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { agentRoom, inquiryOf, isQueued, newRoom, type RoomVisitor, type Seed, type Summary } from './room-record.ts'
import { RoomsIndex, type RoomFilter } from './rooms-index.ts'
import { chatRoom } from './stubs.ts'
import { Subscribers } from './subscribers.ts'
import { alarmBy } from '../alarm-by.ts'

export const QUEUE_STREAM = 'stream-livechat-inquiry-queue-observer'
const QUEUE_EVENT = /^(public|department\/.{1,128})$/

/** After a room's erasure failed. */
const ERASE_RETRY_MS = 10_000

export type OpenRoom = { room: Room; newRoom: boolean } | { refused: 'invalid-room' | 'invalid-token' }

export class Omnichannel extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private readonly index: RoomsIndex
  private readonly subscribers: Subscribers
  /** Session and offline-message events (public: tests swap its queue and settings). */
  readonly outbox: EventOutbox

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.index = new RoomsIndex(this.sql)
    this.subscribers = new Subscribers(this.sql, env)
    this.subscribers.create()
    this.outbox = new EventOutbox(ctx.storage, env)
    this.outbox.create()
    void this.outbox.resume()
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS agents (user_id TEXT PRIMARY KEY, status TEXT NOT NULL);
      -- Rooms whose object is still to be erased (retried by the alarm).
      CREATE TABLE IF NOT EXISTS erasing (rid TEXT PRIMARY KEY);
      -- Erased visitors' ids (random, nothing else about them): no room is ever opened for them again.
      CREATE TABLE IF NOT EXISTS erased_visitors (visitor_id TEXT PRIMARY KEY);
    `)
  }

  /**
   * The visitor's open room, or a new one, which enters the queue. `rid` names a room the visitor
   * wants back: its own open room is answered; another visitor's is refused.
   */
  async openRoom(visitor: RoomVisitor, rid?: string): Promise<OpenRoom> {
    if (this.isErased(visitor._id)) return { refused: 'invalid-token' }
    const named = rid === undefined ? undefined : this.index.get(rid)
    if (named && named.room.v._id !== visitor._id) return { refused: 'invalid-room' }
    let summary = named?.room.open ? named : this.index.openOf(visitor._id)
    if (!summary) {
      summary = { room: newRoom({ rid: randomId(), visitor, ts: Date.now() }), version: 0, message: '' }
      this.index.insert(summary)
    }
    const seed: Seed = { rid: summary.room._id, visitor, ts: Date.parse(summary.room.ts) }
    const { room, created } = await this.createRoom(seed)
    return room ? { room, newRoom: created } : { refused: 'invalid-token' }
  }

  /** An offline message: a closed room holding it, for agents to find. `origin`: the Worker's
   * public origin, for the owner's email to link to the console. */
  async recordOffline(visitor: RoomVisitor, message: string, origin?: string): Promise<Room | null> {
    if (this.isErased(visitor._id)) return null
    const seed: Seed = { rid: randomId(), visitor, ts: Date.now(), offline: message }
    this.index.insert({ room: { ...newRoom(seed), open: false }, version: 0, message })
    const event = this.outbox.record('LivechatOfflineMessage', { visitorId: visitor._id, rid: seed.rid, ...(origin && { origin }) })
    const { room } = await this.createRoom(seed)
    // Once the room exists: its payload is read from it.
    await this.outbox.send([event])
    return room
  }

  /** The visitor's open room as the index last heard of it. */
  openRoomOf(visitorId: string): Room | null {
    return this.index.openOf(visitorId)?.room ?? null
  }

  /** A room's summary, pushed by the room after each change (older ones are ignored). Version 0 is
   * the row written before the room existed: agents never heard of it, so its first summary, from
   * createRoom or from the room itself (whichever comes first), is the one that says `added`. */
  update(summary: Summary): void {
    const before = this.index.apply(summary)
    if (!before) return
    const { room } = summary
    void this.outbox.send(roomEvents(before.room, room, before.version === 0).map((type) => this.outbox.record(type, { rid: room._id, visitorId: room.v._id })))
    const [was, is] = [before.version > 0 && isQueued(before.room), isQueued(summary.room)]
    if (was && is) this.publishQueue('changed', inquiryOf(summary))
    else if (was) this.publishQueue('removed', inquiryOf(summary))
    else if (is) this.publishQueue('added', inquiryOf(summary))
  }

  /** One page of the queue, oldest first. */
  queuedInquiries(department: string | undefined, offset: number, count: number): { inquiries: Inquiry[]; total: number } {
    const { summaries, total } = this.index.queued(department, offset, count)
    return { inquiries: summaries.map(inquiryOf), total }
  }

  /** The inquiry of an open room, queued or taken; null once the room closed. */
  inquiry(rid: string): Inquiry | null {
    const summary = this.index.get(rid)
    return summary?.room.open ? inquiryOf(summary) : null
  }

  /** One page of rooms, newest first, as agents see them. */
  rooms(filter: RoomFilter, offset: number, count: number): { rooms: AgentRoom[]; total: number } {
    const { summaries, total } = this.index.list(filter, offset, count)
    return { rooms: summaries.map((s) => agentRoom(s.room)), total }
  }

  /** Records the gateway for an agents' stream: the queue's `public` or `department/<id>`, or new contacts. */
  subscribeAgents(gateway: string, collection: string, eventName: string): void {
    const known = collection === QUEUE_STREAM ? QUEUE_EVENT.test(eventName) : collection === CONTACTS && eventName === 'new'
    if (known) this.subscribers.add(gateway, collection, eventName)
  }

  /** A contact the widget's form just created, as agents see it, to the consoles open now. */
  async publishNewContact(contact: Visitor): Promise<void> {
    await this.subscribers.publish(CONTACTS, 'new', [agentsView(this.env)(contact)])
  }

  /** Whether any agent is available (a socket open or not). */
  online(): boolean {
    return this.sql.exec("SELECT 1 FROM agents WHERE status = 'available' LIMIT 1").toArray().length > 0
  }

  agentStatus(userId: string): AgentStatus {
    const [row] = this.sql.exec<{ status: AgentStatus }>('SELECT status FROM agents WHERE user_id = ?', userId).toArray()
    return row?.status ?? 'not-available'
  }

  /** Sets the agent's status; without one, toggles it. */
  setAgentStatus(userId: string, status?: AgentStatus): AgentStatus {
    const next = status ?? (this.agentStatus(userId) === 'available' ? 'not-available' : 'available')
    this.sql.exec('INSERT INTO agents VALUES (?, ?) ON CONFLICT DO UPDATE SET status = excluded.status', userId, next)
    return next
  }

  /** Erases the visitor's rooms everywhere: out of the index and the queue at once, then each
   * room's object (retried by the alarm until done). */
  async eraseVisitor(visitorId: string): Promise<void> {
    this.sql.exec('INSERT OR IGNORE INTO erased_visitors VALUES (?)', visitorId)
    const removed = this.index.removeVisitor(visitorId)
    for (const summary of removed) {
      this.sql.exec('INSERT OR IGNORE INTO erasing VALUES (?)', summary.room._id)
      if (isQueued(summary.room)) this.publishQueue('removed', inquiryOf(summary))
    }
    await this.eraseRooms(removed.map((s) => s.room._id))
  }

  async alarm(): Promise<void> {
    await this.outbox.flush()
    await this.eraseRooms(this.sql.exec<{ rid: string }>('SELECT rid FROM erasing').toArray().map((r) => r.rid))
  }

  private isErased(visitorId: string): boolean {
    return this.sql.exec('SELECT 1 FROM erased_visitors WHERE visitor_id = ?', visitorId).toArray().length > 0
  }

  /** Creates (or finds) the room's object and takes its summary like any other (update publishes the
   * new inquiry, unless a newer summary got here first). Null when the visitor was erased meanwhile:
   * the room just made is erased too. */
  private async createRoom(seed: Seed): Promise<{ room: Room | null; created: boolean }> {
    const { summary, created } = await chatRoom(this.env, seed.rid).init(seed)
    if (!this.index.get(seed.rid)) {
      this.sql.exec('INSERT OR IGNORE INTO erasing VALUES (?)', seed.rid)
      await this.eraseRooms([seed.rid])
      return { room: null, created: false }
    }
    this.update(summary)
    return { room: summary.room, created }
  }

  private async eraseRooms(rids: string[]): Promise<void> {
    const results = await Promise.allSettled(rids.map(async (rid) => {
      await chatRoom(this.env, rid).erase()
      this.sql.exec('DELETE FROM erasing WHERE rid = ?', rid)
    }))
    if (results.some((r) => r.status === 'rejected')) {
      console.warn('room erasure failed, retrying')
      await alarmBy(this.ctx.storage, Date.now() + ERASE_RETRY_MS)
    }
  }

  /** To the queue's public stream and the inquiry's department's. */
  private publishQueue(type: 'added' | 'changed' | 'removed', inquiry: Inquiry): void {
    const args = [{ type, ...inquiry }]
    void this.subscribers.publish(QUEUE_STREAM, 'public', args)
    if (inquiry.department) void this.subscribers.publish(QUEUE_STREAM, `department/${inquiry.department}`, args)
  }
}
