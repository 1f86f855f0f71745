// The inbox's side of the fake server: the agents' chat endpoints (through fakeServer's overrides),
// publishing to the fake server's DDP socket (fake-ddp.ts) as the Worker does (a take removes the
// inquiry from the queue stream, a message goes to the room's).
import type { AgentRoom, Inquiry, Message } from '../../shared/chat'
import { json, type FakeServer } from './support'

const iso = (ms: number) => new Date(ms).toISOString()
const T0 = Date.UTC(2026, 0, 5, 10)

export function inquiry(n: number): Inquiry {
  return { _id: `room${n}`, rid: `room${n}`, name: `Visitor ${n}`, message: `Hello from ${n}`, status: 'queued', ts: iso(T0 + n), v: { _id: `id${n}`, username: `guest-${n}` }, _updatedAt: iso(T0 + n) }
}

export const visitorMessage = (rid: string, _id: string, msg: string, n = 1, ts = T0 + 1000): Message => ({
  _id, rid, msg, ts: iso(ts), u: { _id: `id${n}`, username: `guest-${n}`, name: `Visitor ${n}` }, _updatedAt: iso(ts),
})

/** The stream's shape of a message: `ts` as {$date}, no token. */
export const onStream = (m: Message) => ({ ...m, ts: { $date: Date.parse(m.ts) }, _updatedAt: { $date: Date.parse(m._updatedAt) } })

/** Chat endpoints on `server`, queue `queued` inquiries; `taken` rooms are already the agent's. */
export function fakeChat(server: FakeServer, options: { queued?: number[]; taken?: number[] } = {}) {
  const { ddp } = server
  const queue = new Map((options.queued ?? []).map((n) => [`room${n}`, inquiry(n)]))
  const rooms = new Map<string, AgentRoom>()
  const messages = new Map<string, Message[]>()
  const openRoom = (n: number, agent: string) => {
    const i = inquiry(n)
    rooms.set(i.rid, { _id: i.rid, t: 'l', fname: i.name, v: i.v, open: true, ts: i.ts, msgs: 1, servedBy: { _id: agent, username: agent }, _updatedAt: i.ts })
    messages.set(i.rid, [visitorMessage(i.rid, `first${n}`, i.message, n)])
  }
  for (const n of options.taken ?? []) openRoom(n, 'u-maria')

  server.on('POST /api/v1/livechat/agent.status', (req) => json({ status: req.body.status, success: true }))
  server.on('GET /api/v1/livechat/inquiries.queuedForUser', () => json({ inquiries: [...queue.values()], count: queue.size, offset: 0, total: queue.size, success: true }))
  server.on('POST /api/v1/livechat/inquiries.take', (req) => {
    const taken = queue.get(req.body.inquiryId)
    if (!taken) return json({ success: false, error: 'Inquiry already taken [error-not-allowed]', errorType: 'error-not-allowed' }, 400)
    queue.delete(taken._id)
    openRoom(Number(taken._id.slice(4)), req.headers['x-user-id'])
    ddp.emit('stream-livechat-inquiry-queue-observer', 'public', [{ type: 'removed', ...taken, status: 'taken' }])
    return json({ inquiry: { ...taken, status: 'taken' }, success: true })
  })
  server.on('GET /api/v1/livechat/rooms', (req) => {
    const open = req.params.get('open') !== 'false'
    const list = [...rooms.values()].filter((r) => r.open === open).sort((a, b) => b.ts.localeCompare(a.ts))
    return json({ rooms: list, count: list.length, offset: 0, total: list.length, success: true })
  })
  server.on('GET /api/v1/chat.syncMessages', (req) => json({ result: { updated: messages.get(req.params.get('roomId')!) ?? [], deleted: [] }, success: true }))
  server.on('POST /api/v1/chat.sendMessage', (req) => {
    const { rid, msg, _id } = req.body.message
    const list = messages.get(rid)!
    let stored = list.find((m) => m._id === _id)
    if (!stored) {
      stored = { _id, rid, msg, ts: iso(Date.now()), u: { _id: req.headers['x-user-id'], username: 'maria' }, _updatedAt: iso(Date.now()) }
      list.push(stored)
    }
    ddp.emit('stream-room-messages', rid, [onStream(stored)])
    return json({ message: stored, success: true })
  })
  server.on('POST /api/v1/livechat/room.closeByUser', (req) => {
    const room = rooms.get(req.body.rid)!
    room.open = false
    const close: Message = { _id: `close-${room._id}`, rid: room._id, msg: req.body.comment, t: 'livechat-close', ts: iso(Date.now()), u: { _id: 'u-maria', username: 'maria' }, _updatedAt: iso(Date.now()) }
    messages.get(room._id)!.push(close)
    ddp.emit('stream-room-messages', room._id, [onStream(close)])
    return json({ success: true })
  })

  return {
    ddp,
    queue,
    rooms,
    messages,
    /** A message left through the offline form: a closed room nobody served, holding it. */
    offline(n: number, msg: string) {
      const i = inquiry(n)
      rooms.set(i.rid, { _id: i.rid, t: 'l', fname: i.name, v: i.v, open: false, ts: i.ts, msgs: 1, closedAt: i.ts, _updatedAt: i.ts })
      messages.set(i.rid, [visitorMessage(i.rid, `offline${n}`, msg, n, T0 + n)])
    },
    /** A visitor opens a chat: the queue stream says `added`. */
    arrive(n: number) {
      const i = inquiry(n)
      queue.set(i._id, i)
      ddp.emit('stream-livechat-inquiry-queue-observer', 'public', [{ type: 'added', ...i }])
    },
  }
}
