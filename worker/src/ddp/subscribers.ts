// Which sockets of this shard read each stream: an index in memory, rebuilt from the sockets'
// attachments the first time it is needed after the object wakes from hibernation. Attachments
// stay the truth; the index only spares publish from reading every socket's attachment.
import { read, streamOf, type Attachment } from './attachment.ts'

const key = (collection: string, eventName: string) => `${collection}\n${eventName}`

export class Subscribers {
  readonly #sockets: () => WebSocket[]
  #index?: { byStream: Map<string, Map<string, WebSocket>>; bySession: Map<string, Set<string>> }

  constructor(sockets: () => WebSocket[]) {
    this.#sockets = sockets
  }

  #built() {
    if (!this.#index) {
      this.#index = { byStream: new Map(), bySession: new Map() }
      for (const ws of this.#sockets()) this.#put(ws, read(ws))
    }
    return this.#index
  }

  #put(ws: WebSocket, attachment: Attachment): void {
    const { byStream, bySession } = this.#index!
    const keys = new Set(attachment.subs.map((sub) => key(streamOf(sub), sub.e)))
    for (const old of bySession.get(attachment.session) ?? []) {
      if (!keys.has(old)) byStream.get(old)?.delete(attachment.session)
      if (byStream.get(old)?.size === 0) byStream.delete(old)
    }
    for (const k of keys) {
      if (!byStream.has(k)) byStream.set(k, new Map())
      byStream.get(k)!.set(attachment.session, ws)
    }
    bySession.set(attachment.session, keys)
  }

  /** Follows a socket's attachment after its subscriptions changed. */
  sync(ws: WebSocket, attachment: Attachment): void {
    this.#built()
    this.#put(ws, attachment)
  }

  /** Forgets a socket that closed. */
  forget(session: string): void {
    const { byStream, bySession } = this.#built()
    for (const k of bySession.get(session) ?? []) {
      byStream.get(k)?.delete(session)
      if (byStream.get(k)?.size === 0) byStream.delete(k)
    }
    bySession.delete(session)
  }

  /** The sockets reading (collection, eventName), each once however many subscriptions it has there
   * (the client matches events on collection and eventName: one frame reaches all its listeners). */
  of(collection: string, eventName: string): [session: string, ws: WebSocket][] {
    return [...(this.#built().byStream.get(key(collection, eventName)) ?? [])]
  }
}
