// One livechat room: its record and its messages, in one SQLite-backed object per room. It is the
// authority on the room and serialises everything about it: message ids, strictly increasing
// times, the one agent who takes it, its close. It publishes its events to the gateway shards
// subscribed to its streams and keeps the Omnichannel index's copy of its state up to date.
import { DurableObject } from 'cloudflare:workers'
import type { AgentInfo, ChatUser, Message, PageInfo, Room } from '../../../shared/chat.ts'
import { randomId } from '../../../shared/ids.ts'
import { activityStream, isRoomStream, mayAccess, type AgentWho, type Who } from './access.ts'
import { ddpMessage } from './ddp-dates.ts'
import type { Except } from './fanout.ts'
import { MessageTable, NAVIGATOR } from './message-table.ts'
import { EventOutbox } from '../notifications/event-outbox.ts'
import { inquiryOf, isQueued, newRoom, type Seed, type Summary } from './room-record.ts'
import { omnichannel } from './stubs.ts'
import { Subscribers } from './subscribers.ts'
import { alarmBy } from '../alarm-by.ts'

/** Why a room refused: the routes turn each into Rocket.Chat's error. */
export type RoomRefusal = 'unknown-room' | 'not-allowed' | 'room-closed' | 'id-taken' | 'taken'
export type Outcome<T> = { ok: T } | { refused: RoomRefusal }

/** Messages changed since the index last heard of the room reach it at most this late. */
const SUMMARY_DELAY_MS = 1000
/** After the index failed to take a summary. */
const SUMMARY_RETRY_MS = 5000
/** Pages of a room's navigation history kept: the first ones (the visit that led to the chat). */
export const NAVIGATION_MAX = 50
/** Rocket.Chat's system user, the author of navigation history. */
const SYSTEM_USER: ChatUser = { _id: NAVIGATOR, username: NAVIGATOR }
/** The most messages one history page or one sync answers. */
export const PAGE_MAX = { history: 100, sync: 1000 }

const iso = (ms: number) => new Date(ms).toISOString()

export class ChatRoom extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private readonly messages: MessageTable
  private readonly subscribers: Subscribers
  /** Message events for the webhook (public: tests swap its queue and settings). */
  readonly outbox: EventOutbox
  /** Null until the room is created, and again once erased. Its `msgs` and `_updatedAt` change
   * with every message, in memory only: they are derived from the messages at each start. */
  private room: Room | null = null
  /** Writes of the record (the `version` column). The room's version is these plus its messages,
   * both durable and only growing, so a restart never answers a version the index already had. */
  private saves = 0
  private lastTs = 0
  /** A summary alarm is already set for the messages since the last summary. */
  private summaryDue = false
  /** The visitor's first message (the inquiry's `message`), '' before it: kept here, since every
   * visitor message and every summary needs it. */
  private firstWords = ''

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.messages = new MessageTable(this.sql)
    this.subscribers = new Subscribers(this.sql, env)
    this.outbox = new EventOutbox(ctx.storage, env)
    const exists = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'room'").toArray().length > 0
    if (!exists) return
    const [row] = this.sql.exec<{ record: string; version: number; pushed: number }>('SELECT record, version, pushed FROM room').toArray()
    if (!row) return
    this.messages.create()
    const { count, lastTs, lastUpdated } = this.messages.totals()
    const room: Room = JSON.parse(row.record)
    const updated = Math.max(Date.parse(room._updatedAt), lastUpdated)
    this.room = { ...room, msgs: count, _updatedAt: iso(updated) }
    this.saves = row.version
    this.lastTs = lastTs
    this.firstWords = this.messages.firstFrom(room.v._id)
    this.outbox.create()
    void this.outbox.resume()
    // Messages the index has yet to hear of, whose alarm the last instance may not have set.
    if (row.pushed < this.version()) this.scheduleSummary()
  }

  /** Creates the room from the index's seed unless it exists; answers its summary either way. */
  init(seed: Seed): { summary: Summary; created: boolean } {
    if (this.room) return { summary: this.summary(), created: false }
    this.sql.exec(`CREATE TABLE IF NOT EXISTS room (
      id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL, version INTEGER NOT NULL, pushed INTEGER NOT NULL)`)
    this.messages.create()
    this.subscribers.create()
    this.outbox.create()
    const room = newRoom(seed)
    // Version 1 at least: the index's row for a room not yet made is version 0.
    this.sql.exec('INSERT INTO room VALUES (1, ?, 1, 0)', JSON.stringify(room))
    this.room = room
    this.saves = 1
    if (seed.offline !== undefined) {
      this.append({ _id: randomId(), msg: seed.offline }, this.visitorUser(room))
      const closedAt = iso(this.lastTs)
      this.save({ ...this.room, open: false, closedAt, closedBy: { ...this.visitorUser(room), type: 'visitor' } })
    }
    this.sql.exec('UPDATE room SET pushed = ?', this.version())
    return { summary: this.summary(), created: true }
  }

  /** The room, for whoever may see it. */
  view(who: Who): Outcome<Room> {
    const refused = this.refusal(who)
    return refused ? { refused } : { ok: this.room! }
  }

  /**
   * Stores a message and publishes it. An `_id` already stored answers that message and stores
   * nothing: the same sender's resend (idempotent), published again in case its first delivery was
   * lost (clients drop an _id they have); another sender's is refused.
   */
  async post(who: Who, input: { _id?: string; msg: string }): Promise<Outcome<Message>> {
    const refused = this.refusal(who)
    if (refused) return { refused }
    const author = this.author(who)
    const stored = input._id === undefined ? undefined : this.messages.get(input._id)
    if (stored && stored.sender !== author._id) return { refused: 'id-taken' }
    if (stored) {
      this.publishMessage(stored.message)
      return { ok: this.shown(stored.message, who) }
    }
    if (!this.room!.open) return { refused: 'room-closed' }
    const firstWords = author._id === this.room!.v._id && this.firstWords === ''
    const message = this.append({ _id: input._id ?? randomId(), msg: input.msg }, author)
    const event = this.outbox.record('Message', { rid: message.rid, messageId: message._id, visitorId: this.room!.v._id })
    this.publishMessage(message)
    const answer = this.shown(message, who)
    // The visitor's first words are the inquiry's message: agents see them in the queue at once;
    // others reach the index by the alarm. That alarm is set with the event's row, so it also sends
    // the event should this instance stop before the queue took it. The room may be erased meanwhile.
    const pushNow = firstWords && isQueued(this.room!)
    if (!pushNow || event) this.scheduleSummary()
    await Promise.all([this.outbox.send([event]), pushNow && this.pushSummary()])
    return { ok: answer }
  }

  /**
   * Rocket.Chat's navigation history: a `livechat_navigation_history` message, from its system user,
   * for a page the visitor opened while the room is open. Bounded: at most NAVIGATION_MAX per room,
   * and a reload of the page just recorded adds nothing. Null when nothing was recorded.
   */
  visit(who: Who, page: PageInfo): Outcome<Message | null> {
    const refused = this.refusal(who)
    if (refused) return { refused }
    if (!this.room!.open || !('visitorToken' in who)) return { ok: null }
    const { count, newest } = this.messages.navigation()
    if (count >= NAVIGATION_MAX || newest?.navigation?.page.location.href === page.location.href) return { ok: null }
    const message = this.append({ _id: randomId(), msg: `${page.title} - ${page.location.href}`, t: 'livechat_navigation_history', navigation: { page } }, SYSTEM_USER)
    this.publishMessage(message)
    this.scheduleSummary()
    return { ok: message }
  }

  /** The room and its messages (the one with this id, else the newest PAGE_MAX.sync, oldest first),
   * for notifications built at delivery; null once erased. */
  transcript(messageId?: string): { room: Room; messages: Message[] } | null {
    if (!this.room) return null
    const messages = messageId === undefined
      ? this.messages.page(Number.MAX_SAFE_INTEGER, PAGE_MAX.sync).reverse()
      : [this.messages.get(messageId)?.message].filter((m) => m !== undefined)
    return { room: this.room, messages }
  }

  /** Up to `limit` messages before `end` (ms), newest first. */
  history(who: Who, end: number, limit: number): Outcome<Message[]> {
    const refused = this.refusal(who)
    return refused ? { refused } : { ok: this.messages.page(end, Math.min(limit, PAGE_MAX.history)).map((m) => this.shown(m, who)) }
  }

  /** Messages changed after `since` (ms). */
  sync(who: Who, since: number): Outcome<Message[]> {
    const refused = this.refusal(who)
    return refused ? { refused } : { ok: this.messages.changedSince(since, PAGE_MAX.sync) }
  }

  /** Closes the room with a `livechat-close` message carrying the comment. */
  async close(who: Who, comment: string): Promise<Outcome<Room>> {
    const refused = this.refusal(who)
    if (refused) return { refused }
    if (!this.room!.open) return { refused: 'room-closed' }
    const closer = this.author(who)
    const message = this.append({ _id: randomId(), msg: comment, t: 'livechat-close' }, closer)
    const room = this.save({
      ...this.room!, open: false, closedAt: message.ts, closedBy: { ...closer, type: 'visitorToken' in who ? 'visitor' : 'user' },
    })
    this.publishMessage(message)
    await this.pushSummary()
    return { ok: room }
  }

  /** The agent takes the room's inquiry: exactly one of any number of concurrent takers wins. */
  async take(agent: AgentWho, status: AgentInfo['status']): Promise<Outcome<ReturnType<typeof inquiryOf>>> {
    if (!this.room) return { refused: 'unknown-room' }
    if (!this.room.open) return { refused: 'room-closed' }
    if (this.room.servedBy) return { refused: 'taken' }
    // Never before the newest message's time, which a restart would derive instead.
    const room = this.save({ ...this.room, servedBy: { _id: agent.userId, username: agent.username }, _updatedAt: iso(Math.max(Date.now(), this.lastTs)) })
    const data: AgentInfo = { _id: agent.userId, username: agent.username, ...(agent.name && { name: agent.name }), status }
    void this.subscribers.publish('stream-livechat-room', room._id, [{ type: 'agentData', data }])
    await this.pushSummary()
    return { ok: inquiryOf(this.summary()) }
  }

  /** Records the gateway for one of the room's streams, if `who` may read it. */
  subscribe(gateway: string, collection: string, eventName: string, who: Who): boolean {
    if (!this.room || !isRoomStream(this.room._id, collection, eventName) || !mayAccess(this.room, who)) return false
    this.subscribers.add(gateway, collection, eventName)
    return true
  }

  /** Typing: to every subscriber of the room's user-activity stream but the sender's socket. The
   * name shown is the sender's own, whatever was sent. */
  notifyActivity(_username: string, activities: string[], who: Who, except: Except): boolean {
    if (!this.room || !mayAccess(this.room, who)) return false
    const stream = activityStream(this.room._id)
    void this.subscribers.publish('stream-notify-room', stream, [this.author(who).username, activities], except)
    return true
  }

  /** Erases the room for good: record, messages, subscribers, alarm. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
    this.subscribers.forget()
    this.room = null
    this.saves = 0
    this.lastTs = 0
    this.summaryDue = false
    this.firstWords = ''
  }

  /** Brings the index up to date (messages since the last summary, or a failed push). */
  async alarm(): Promise<void> {
    await this.outbox.flush()
    this.summaryDue = false
    if (this.room && this.pushedVersion() < this.version()) await this.pushSummary()
  }

  private refusal(who: Who): RoomRefusal | null {
    if (!this.room) return 'unknown-room'
    return mayAccess(this.room, who) ? null : 'not-allowed'
  }

  private visitorUser(room: Room): ChatUser {
    return { _id: room.v._id, username: room.v.username, name: room.fname }
  }

  private author(who: Who): ChatUser {
    if ('visitorToken' in who) return this.visitorUser(this.room!)
    const { userId, username, name } = who.agent
    return { _id: userId, username, ...(name && { name }) }
  }

  /** Stores a message at max(now, last + 1) ms, so times strictly increase; counts it in the room
   * (in memory: the record is not rewritten). Stored without the visitor's token: only the
   * visitor's own answers show it (shown). */
  private append(fields: Pick<Message, '_id' | 'msg' | 't' | 'navigation'>, u: ChatUser): Message {
    const ts = Math.max(Date.now(), this.lastTs + 1)
    const room = this.room!
    const message: Message = {
      ...fields, rid: room._id, ts: iso(ts), u, _updatedAt: iso(ts),
    }
    this.messages.insert(message)
    this.lastTs = ts
    if (u._id === room.v._id && this.firstWords === '') this.firstWords = message.msg
    this.room = { ...room, msgs: room.msgs + 1, _updatedAt: message._updatedAt }
    return message
  }

  /** On the room's stream, as stored: without the token, since agents read it too. */
  private publishMessage(message: Message): void {
    void this.subscribers.publish('stream-room-messages', message.rid, [ddpMessage(message)])
  }

  /** The message as `who` sees it: the visitor's own carry its token for the visitor alone, as in
   * Rocket.Chat's answers to the visitor. */
  private shown(message: Message, who: Who): Message {
    const room = this.room!
    return 'visitorToken' in who && message.u._id === room.v._id ? { ...message, token: room.v.token } : message
  }

  /** Writes the record, which makes a new version the index has yet to see. */
  private save(room: Room): Room {
    this.saves++
    this.sql.exec('UPDATE room SET record = ?, version = ?', JSON.stringify(room), this.saves)
    this.room = room
    return room
  }

  private version(): number {
    return this.saves + this.room!.msgs
  }

  private summary(): Summary {
    return { room: this.room!, version: this.version(), message: this.firstWords }
  }

  private pushedVersion(): number {
    return this.sql.exec<{ pushed: number }>('SELECT pushed FROM room').one().pushed
  }

  /** Sends the summary to the index, awaited; on failure the alarm sends it again. */
  private async pushSummary(): Promise<void> {
    const summary = this.summary()
    try {
      await omnichannel(this.env).update(summary)
      if (this.room) this.sql.exec('UPDATE room SET pushed = MAX(pushed, ?)', summary.version)
    } catch (error) {
      console.warn('room summary not taken by the index, retrying', String(error))
      await alarmBy(this.ctx.storage, Date.now() + SUMMARY_RETRY_MS)
    }
  }

  /** Messages change the index's copy (msgs, _updatedAt) too, but reach it batched, by the alarm. */
  private scheduleSummary(): void {
    if (this.summaryDue) return
    this.summaryDue = true
    void alarmBy(this.ctx.storage, Date.now() + SUMMARY_DELAY_MS)
  }
}
