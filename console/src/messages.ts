// A conversation as the console holds it: messages by `_id` (so a message arriving from REST, the
// stream and a reconnect's reload is shown once), in time order, with the agent's own unsent
// messages after them. The wire gives `ts` as ISO over REST and `{"$date": ms}` over DDP.
import type { ChatUser, Message } from '../../shared/chat'

export interface ChatMessage {
  _id: string
  msg: string
  /** ms since the epoch; a pending message's is when it was written. */
  ts: number
  u: ChatUser
  t?: Message['t']
  /** Only on the agent's own messages not yet stored: 'pending' while tried, 'failed' after. */
  state?: 'pending' | 'failed'
  error?: string
}

type WireMessage = Omit<Message, 'ts' | '_updatedAt'> & { ts: string | { $date: number } }

export const fromWire = (m: WireMessage): ChatMessage => ({
  _id: m._id,
  msg: m.msg,
  ts: typeof m.ts === 'string' ? Date.parse(m.ts) : m.ts.$date,
  u: m.u,
  ...(m.t && { t: m.t }),
})

/** `list` with `incoming` merged in by `_id`: a stored message replaces its pending copy. */
export function merge(list: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(list.map((m) => [m._id, m]))
  for (const m of incoming) {
    const known = byId.get(m._id)
    // A pending copy learns it was stored; a stored one is never turned back into pending.
    if (!known || known.state || !m.state) byId.set(m._id, m)
  }
  // Stored messages by time, unsent ones after them in the order written.
  return [...byId.values()].sort((a, b) => Number(!!a.state) - Number(!!b.state) || a.ts - b.ts)
}

/** Meteor-style random ids (17 characters of 55 unambiguous ones), chosen by the client so a
 * resend is recognised by the server as the same message. */
export function randomId(): string {
  const chars = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz'
  return Array.from(crypto.getRandomValues(new Uint8Array(17)), (b) => chars[b % chars.length]).join('')
}
