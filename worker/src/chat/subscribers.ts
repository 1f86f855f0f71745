// The gateway shards subscribed to an object's streams, and the delivery of its events to them.
// Events go out one after another (a failing gateway's retries included, fanout.ts), so every
// gateway sees one object's events in the order they happened; a gateway that reached no socket is dropped from that stream (see fanout.ts), unless
// it subscribed again meanwhile.
import { fanout, type Except } from './fanout.ts'

/** Collection names hold no newline. */
const streamKey = (collection: string, eventName: string) => `${collection}\n${eventName}`

export class Subscribers {
  private readonly sql: SqlStorage
  private readonly env: Env
  private delivery: Promise<unknown> = Promise.resolve()
  /** The gateways of each stream published to, as stored: every change of the table goes through
   * here and drops its stream's entry, so a publish (every message) reads no SQL. */
  private readonly known = new Map<string, string[]>()

  constructor(sql: SqlStorage, env: Env) {
    this.sql = sql
    this.env = env
  }

  create(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS subscribers (
      gateway TEXT NOT NULL, collection TEXT NOT NULL, event_name TEXT NOT NULL, since INTEGER NOT NULL,
      PRIMARY KEY (collection, event_name, gateway))`)
  }

  add(gateway: string, collection: string, eventName: string): void {
    this.sql.exec(`INSERT INTO subscribers VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET since = excluded.since`, gateway, collection, eventName, Date.now())
    this.known.delete(streamKey(collection, eventName))
  }

  /** After the object's storage was deleted. */
  forget(): void {
    this.known.clear()
  }

  private gateways(collection: string, eventName: string): string[] {
    const key = streamKey(collection, eventName)
    let gateways = this.known.get(key)
    if (!gateways) {
      gateways = this.sql.exec<{ gateway: string }>(
        'SELECT gateway FROM subscribers WHERE collection = ? AND event_name = ?', collection, eventName).toArray().map((r) => r.gateway)
      this.known.set(key, gateways)
    }
    return gateways
  }

  /** Queues the event for every gateway subscribed now; resolves once it went out. */
  publish(collection: string, eventName: string, args: unknown[], except?: Except): Promise<unknown> {
    const gateways = this.gateways(collection, eventName)
    if (gateways.length === 0) return this.delivery
    const started = Date.now()
    this.delivery = this.delivery.then(async () => {
      const idle = await fanout(this.env, gateways, collection, eventName, args, except)
      try {
        for (const gateway of idle)
          this.sql.exec('DELETE FROM subscribers WHERE collection = ? AND event_name = ? AND gateway = ? AND since < ?', collection, eventName, gateway, started)
        if (idle.length > 0) this.known.delete(streamKey(collection, eventName))
      } catch {
        // The object was erased meanwhile: nothing left to prune.
      }
    })
    return this.delivery
  }
}
