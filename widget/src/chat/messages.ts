// The conversation as the visitor sees it: messages from REST (ISO `ts`), from the stream
// (`{"$date": ms}`) and the visitor's own unsent ones, merged by `_id` so that a message
// delivered twice (a resend, a reconnection's history reload) is shown once.
import type { Message } from '../../../shared/chat'

export interface Shown {
  _id: string
  msg: string
  /** Milliseconds; unsent messages have none and come last, in the order they were written. */
  ts?: number
  mine: boolean
  /** The author's name or username (agents'). */
  from?: string
  t?: Message['t']
  state?: 'pending' | 'failed'
}

type Wire = Omit<Message, 'ts'> & { ts: string | { $date: number } }

export const fromWire = (m: Wire, visitorId: string | undefined): Shown => ({
  _id: m._id,
  msg: m.msg,
  ts: typeof m.ts == 'string' ? Date.parse(m.ts) : m.ts.$date,
  mine: !m.t && m.u._id === visitorId,
  from: m.u.name || m.u.username,
  t: m.t,
})

/** `list` with `incoming` added or replacing the same `_id`s; sent messages by time, then unsent ones. */
export function merge(list: Shown[], incoming: Shown[]): Shown[] {
  const byId = new Map(list.map((m) => [m._id, m]))
  for (const m of incoming) {
    const known = byId.get(m._id)
    // A stored message is never turned back into an unsent one by a stale local copy.
    if (!(known?.ts && !m.ts)) byId.set(m._id, m)
  }
  const all = [...byId.values()]
  const sent = all.filter((m) => m.ts).sort((a, b) => a.ts! - b.ts!)
  return [...sent, ...all.filter((m) => !m.ts)]
}
