// A transactional outbox for events: a Durable Object records an event in its own SQLite in the
// same synchronous step as the change it reports (one INSERT), sends it to the queue after the
// change, and deletes the row once the queue took it (one DELETE, after the answer). A send that fails leaves the
// row for the object's alarm, and a row an instance left behind (it died mid-send) goes out when
// the object next starts: nothing recorded is lost; a row may be sent twice, and receivers
// deduplicate on its eventId.
import { randomId } from '../../../shared/ids.ts'
import { destinations, type EventRefs, type EventType, type QueuedEvent } from './events.ts'
import { afterAnswer } from '../after-answer.ts'
import { alarmBy } from '../alarm-by.ts'

/** After a send to the queue failed. */
export const SEND_RETRY_MS = 10_000
/** Rows one alarm run sends (each is at most three messages; a batch takes 100). */
const ROWS_PER_RUN = 30

/** An event recorded and not yet sent. */
export interface Recorded {
  id: string
  messages: QueuedEvent[]
}

export class EventOutbox {
  /** Where events go; tests swap in a queue that fails. */
  queue: Queue
  /** The settings that say who wants which event; tests swap in others. */
  settings: Env
  private readonly storage: DurableObjectStorage
  /** Rows being sent now, or sent and not yet deleted: the alarm leaves them to their own send. */
  private readonly inFlight = new Set<string>()
  /** What deleting sent rows waits for (tests hold it back). */
  afterAnswer = afterAnswer
  /** Deletions of sent rows still to come (see send). */
  private readonly forgetting = new Set<Promise<void>>()

  constructor(storage: DurableObjectStorage, env: Env) {
    this.storage = storage
    this.settings = env
    this.queue = env.LIVECHAT_EVENTS
  }

  /** The table, made by the object when it makes its own (a ChatRoom stores nothing before init). */
  create(): void {
    this.storage.sql.exec('CREATE TABLE IF NOT EXISTS event_outbox (id TEXT PRIMARY KEY, body TEXT NOT NULL)')
  }

  /** Records the event, synchronously, so it commits with the caller's change; null (and nothing
   * stored) when nothing consumes this type. */
  record(type: EventType, refs: EventRefs): Recorded | null {
    const to = destinations(this.settings, type)
    if (to.length === 0) return null
    const eventId = randomId()
    const at = new Date().toISOString()
    const messages = to.map((destination): QueuedEvent => ({ eventId, type, at, to: destination, ...refs }))
    this.storage.sql.exec('INSERT INTO event_outbox VALUES (?, ?)', eventId, JSON.stringify(messages))
    return { id: eventId, messages }
  }

  /** Sends recorded events to the queue; resolves once it took them. Never throws: what fails
   * waits for the alarm. The rows are deleted after the caller's answer (afterAnswer): should the
   * instance die first, they are sent again, and receivers deduplicate. `settled()` waits for it. */
  async send(events: (Recorded | null)[]): Promise<void> {
    const due = events.filter((e) => e !== null && !this.inFlight.has(e.id)) as Recorded[]
    if (due.length === 0) return
    for (const e of due) this.inFlight.add(e.id)
    try {
      await this.queue.sendBatch(due.flatMap((e) => e.messages.map((body) => ({ body, contentType: 'json' as const }))))
    } catch (error) {
      for (const e of due) this.inFlight.delete(e.id)
      console.error(`events not taken by the queue (${due.map((e) => e.messages[0].type).join(', ')}), retrying:`, String(error))
      // Unless the object was erased meanwhile (ChatRoom.erase): no alarm outlives its data.
      return this.exists() ? this.retryLater() : undefined
    }
    const forgotten = this.forget(due)
    this.forgetting.add(forgotten)
    void forgotten.then(() => this.forgetting.delete(forgotten))
  }

  /** Resolves once the rows of every send so far are deleted. */
  async settled(): Promise<void> {
    while (this.forgetting.size > 0) await Promise.all(this.forgetting)
  }

  /** Deletes rows the queue took, after the answer. */
  private async forget(sent: Recorded[]): Promise<void> {
    await this.afterAnswer()
    try {
      this.storage.sql.exec('DELETE FROM event_outbox WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(sent.map((e) => e.id)))
    } catch {
      // The object was erased meanwhile (ChatRoom.erase), and the table with it.
    } finally {
      for (const e of sent) this.inFlight.delete(e.id)
    }
  }

  /** The alarm's work: every row still here, ROWS_PER_RUN at a time. */
  async flush(): Promise<void> {
    if (!this.exists()) return
    const rows = this.storage.sql.exec<{ id: string; body: string }>('SELECT id, body FROM event_outbox LIMIT ?', ROWS_PER_RUN + 1).toArray()
    await this.send(rows.slice(0, ROWS_PER_RUN).map((r) => ({ id: r.id, messages: JSON.parse(r.body) })))
    await this.settled()
    if (rows.length > ROWS_PER_RUN) await this.alarmBy(Date.now())
  }

  /** At the object's start: rows a previous instance left go out from the alarm at once. */
  async resume(): Promise<void> {
    if (this.exists() && this.storage.sql.exec('SELECT 1 FROM event_outbox LIMIT 1').toArray().length > 0) await this.alarmBy(Date.now())
  }

  private exists(): boolean {
    return this.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_outbox'").toArray().length > 0
  }

  private retryLater(): Promise<void> {
    return this.alarmBy(Date.now() + SEND_RETRY_MS)
  }

  private alarmBy(due: number): Promise<void> {
    return alarmBy(this.storage, due)
  }
}
