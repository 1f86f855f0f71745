// The agents' chat endpoints: status, the queue, taking (exactly one of many wins), rooms, sending,
// syncing, closing; each with its permission.
import { describe, expect, it } from 'vitest'
import type { Inquiry, Message, Room } from '../../shared/chat.ts'
import { randomId } from '../../shared/ids.ts'
import {
  expectError, expectStatus, get, history, post, sendAgent, servingAgent, take, visitorSays, visitorWithRoom,
} from './chat-support.ts'
import { call, createAgent } from './support.ts'

const FORBIDDEN = 'User does not have the permissions required for this action [error-unauthorized]'

/** The visitor's message as agents get it. */
const withoutToken = ({ token: _, ...message }: Message) => message

const status = (headers: Record<string, string>, body: Record<string, unknown> = {}) => post('/api/v1/livechat/agent.status', body, headers)
const queue = (headers: Record<string, string>, query = '') => get(`/api/v1/livechat/inquiries.queuedForUser${query}`, headers)

describe('POST livechat/agent.status', () => {
  it('sets and toggles the caller\'s status; not-available by default', async () => {
    const agent = await createAgent()
    expect(await expectStatus(await status(agent.headers), 200)).toEqual({ status: 'available', success: true })
    expect(await expectStatus(await status(agent.headers), 200)).toEqual({ status: 'not-available', success: true })
    expect(await expectStatus(await status(agent.headers, { status: 'not-available' }), 200)).toEqual({ status: 'not-available', success: true })
    expect((await status(agent.headers, { status: 'busy' })).status).toBe(400)
    expect((await status(agent.headers, { status: 'available', agentId: 'someone-else' })).status).toBe(403)
  })

  it('online while any agent is available', async () => {
    const agent = await createAgent()
    await expectStatus(await status(agent.headers, { status: 'available' }), 200)
    const { config } = await expectStatus<{ config: { online: boolean } }>(await get('/api/v1/livechat/config'), 200)
    expect(config.online).toBe(true)
    await expectStatus(await status(agent.headers, { status: 'not-available' }), 200)
  })

  it('401 without credentials, 403 without view-l-room', async () => {
    expect((await status({})).status).toBe(401)
    const user = await createAgent(['user'])
    const refused = await expectStatus<{ error: string }>(await status(user.headers), 403)
    expect(refused.error).toBe(FORBIDDEN)
  })
})

describe('inquiries', () => {
  it('a new room is queued (oldest first, by department), readable by getOne, gone once taken', async () => {
    const agent = await createAgent()
    const { visitor, room } = await visitorWithRoom({ department: 'support' })
    await visitorSays(visitor.token, room._id, 'first words')
    await visitorSays(visitor.token, room._id, 'second words')
    const { inquiry } = await expectStatus<{ inquiry: Inquiry }>(await get(`/api/v1/livechat/inquiries.getOne?roomId=${room._id}`, agent.headers), 200)
    expect(inquiry).toMatchObject({
      _id: room._id, rid: room._id, name: 'Ada Visitor', message: 'first words', status: 'queued', department: 'support',
      v: { _id: visitor._id, username: visitor.username },
    })
    const all = await expectStatus<{ inquiries: Inquiry[]; total: number; count: number; offset: number }>(await queue(agent.headers, '?count=100'), 200)
    const ids = all.inquiries.map((i) => i._id)
    expect(ids).toContain(room._id)
    const times = all.inquiries.map((i) => i.ts)
    expect(times).toEqual([...times].sort())
    const support = await expectStatus<{ inquiries: Inquiry[] }>(await queue(agent.headers, '?department=support&count=100'), 200)
    expect(support.inquiries.every((i) => i.department === 'support')).toBe(true)
    expect(support.inquiries.map((i) => i._id)).toContain(room._id)
    const sales = await expectStatus<{ inquiries: Inquiry[] }>(await queue(agent.headers, '?department=sales&count=100'), 200)
    expect(sales.inquiries.map((i) => i._id)).not.toContain(room._id)

    const taken = await expectStatus<{ inquiry: Inquiry }>(await take(agent.headers, room._id), 200)
    expect(taken.inquiry).toMatchObject({ _id: room._id, status: 'taken' })
    const after = await expectStatus<{ inquiries: Inquiry[] }>(await queue(agent.headers, '?count=100'), 200)
    expect(after.inquiries.map((i) => i._id)).not.toContain(room._id)
    const { room: served } = await expectStatus<{ room: Room }>(await get(`/api/v1/livechat/room?token=${visitor.token}`), 200)
    expect(served.servedBy).toEqual({ _id: agent.userId, username: `agent-${agent.userId}` })
  })

  it('20 agents take one inquiry at once: exactly one wins, the others get a Rocket.Chat-shaped 400', async () => {
    const { room } = await visitorWithRoom()
    const agents = await Promise.all(Array.from({ length: 20 }, () => createAgent()))
    const answers = await Promise.all(agents.map((a) => take(a.headers, room._id)))
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1)
    const losers = answers.filter((r) => r.status !== 200)
    expect(losers).toHaveLength(19)
    for (const loser of losers) await expectError(loser, 'error-not-allowed')
    const winner = agents[answers.findIndex((r) => r.status === 200)]
    const { rooms } = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms', winner.headers), 200)
    expect(rooms.map((r) => r._id)).toEqual([room._id])
  })

  it('unknown, closed and malformed inquiries cannot be taken; getOne answers null', async () => {
    const agent = await createAgent()
    await expectError(await take(agent.headers, randomId()), 'error-not-allowed')
    await expectError(await take(agent.headers, 'bad id!'), 'error-not-allowed')
    const { visitor, room } = await visitorWithRoom()
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    await expectError(await take(agent.headers, room._id), 'error-not-allowed')
    expect(await expectStatus(await get(`/api/v1/livechat/inquiries.getOne?roomId=${room._id}`, agent.headers), 200)).toEqual({ inquiry: null, success: true })
    expect((await take({}, room._id)).status).toBe(401)
    expect((await take((await createAgent(['user'])).headers, room._id)).status).toBe(403)
  })
})

describe('GET livechat/rooms', () => {
  it('managers see every room, newest first, filtered by open and agents[]; agents only theirs', async () => {
    const manager = await createAgent(['livechat-manager'])
    const a = await visitorWithRoom()
    const b = await visitorWithRoom()
    const agent = await servingAgent(b.room._id)
    const all = await expectStatus<{ rooms: Room[]; total: number }>(await get('/api/v1/livechat/rooms?count=100', manager.headers), 200)
    const ids = all.rooms.map((r) => r._id)
    expect(ids.indexOf(b.room._id)).toBeLessThan(ids.indexOf(a.room._id))
    const times = all.rooms.map((r) => r.ts)
    expect(times).toEqual([...times].sort().reverse())
    const byAgent = await expectStatus<{ rooms: Room[] }>(await get(`/api/v1/livechat/rooms?agents[]=${agent.userId}`, manager.headers), 200)
    expect(byAgent.rooms.map((r) => r._id)).toEqual([b.room._id])
    const own = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms?count=100', agent.headers), 200)
    expect(own.rooms.map((r) => r._id)).toEqual([b.room._id])
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: b.room._id, token: b.visitor.token }), 200)
    const open = await expectStatus<{ rooms: Room[] }>(await get(`/api/v1/livechat/rooms?open=true&agents[]=${agent.userId}`, manager.headers), 200)
    expect(open.rooms).toEqual([])
    const closed = await expectStatus<{ rooms: Room[] }>(await get(`/api/v1/livechat/rooms?open=false&agents[]=${agent.userId}`, manager.headers), 200)
    expect(closed.rooms[0]).toMatchObject({ _id: b.room._id, open: false, closedBy: { type: 'visitor' } })
    expect((await get('/api/v1/livechat/rooms?open=maybe', manager.headers)).status).toBe(400)
    const many = Array.from({ length: 51 }, (_, i) => `agents[]=a${i}`).join('&')
    expect((await get(`/api/v1/livechat/rooms?${many}`, manager.headers)).status).toBe(400)
    const fifty = Array.from({ length: 50 }, (_, i) => `agents[]=a${i}`).join('&')
    expect(await expectStatus(await get(`/api/v1/livechat/rooms?${fifty}`, manager.headers), 200)).toMatchObject({ rooms: [], total: 0 })
  })
})

describe('POST chat.sendMessage and GET chat.syncMessages', () => {
  it('the serving agent writes (idempotent by _id); the visitor reads it', async () => {
    const { visitor, room } = await visitorWithRoom()
    const agent = await servingAgent(room._id)
    const _id = `agent-msg-${randomId()}`
    const { message } = await expectStatus<{ message: Message }>(await sendAgent(agent.headers, { rid: room._id, msg: 'How can I help?', _id }), 200)
    expect(message).toMatchObject({ _id, rid: room._id, msg: 'How can I help?', u: { _id: agent.userId, username: `agent-${agent.userId}` } })
    expect(message.token).toBeUndefined()
    const resent = await expectStatus<{ message: Message }>(await sendAgent(agent.headers, { rid: room._id, msg: 'changed?', _id }), 200)
    expect(resent.message).toEqual(message)
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(messages).toEqual([message])
  })

  it('another agent may not write or sync; a manager or an admin may; a user has no permission', async () => {
    const { visitor, room } = await visitorWithRoom()
    await visitorSays(visitor.token, room._id, 'hi')
    const other = await createAgent()
    await expectError(await sendAgent(other.headers, { rid: room._id, msg: 'not mine' }), 'error-not-allowed')
    await expectError(await get(`/api/v1/chat.syncMessages?roomId=${room._id}&lastUpdate=2000-01-01T00:00:00Z`, other.headers), 'error-not-allowed')
    await expectError(await sendAgent(other.headers, { rid: randomId(), msg: 'nowhere' }), 'error-not-allowed')
    for (const role of ['livechat-manager', 'admin']) {
      const boss = await createAgent([role])
      await expectStatus(await sendAgent(boss.headers, { rid: room._id, msg: `from ${role}` }), 200)
    }
    expect((await sendAgent((await createAgent(['user'])).headers, { rid: room._id, msg: 'x' })).status).toBe(403)
    expect((await sendAgent({}, { rid: room._id, msg: 'x' })).status).toBe(401)
    const manager = await createAgent(['livechat-manager'])
    await expectError(await sendAgent(manager.headers, { rid: room._id, msg: 'y'.repeat(5001) }), 'error-message-size-exceeded')
  })

  it('syncMessages answers what changed after lastUpdate', async () => {
    const { visitor, room } = await visitorWithRoom()
    const agent = await servingAgent(room._id)
    const first = await visitorSays(visitor.token, room._id, 'one')
    const second = await visitorSays(visitor.token, room._id, 'two')
    const sync = (lastUpdate: string) => get(`/api/v1/chat.syncMessages?roomId=${room._id}&lastUpdate=${lastUpdate}`, agent.headers)
    const everything = await expectStatus<{ result: { updated: Message[]; deleted: unknown[] } }>(await sync('1970-01-01T00:00:00.000Z'), 200)
    expect(everything.result).toEqual({ updated: [first, second].map(withoutToken), deleted: [] })
    const since = await expectStatus<{ result: { updated: Message[] } }>(await sync(first._updatedAt), 200)
    expect(since.result.updated).toEqual([withoutToken(second)])
    await expectError(await sync('yesterday'), 'error-lastUpdate-param-invalid')
    await expectError(await get('/api/v1/chat.syncMessages?lastUpdate=2000-01-01T00:00:00Z', agent.headers), 'error-roomId-param-not-provided')
    await expectError(await get(`/api/v1/chat.syncMessages?roomId=${room._id}`, agent.headers), 'error-lastUpdate-param-not-provided')
  })
})

describe('the visitor\'s token', () => {
  // It would let any agent read and write in the visitor's rooms as the visitor (messages.history,
  // livechat/message, room.close), bypassing "only the agent serving the room".
  it('is in nothing agents receive: inquiries, the take, rooms, sendMessage, syncMessages', async () => {
    const { visitor, room } = await visitorWithRoom()
    const said = await visitorSays(visitor.token, room._id, 'my first words')
    expect(said.token).toBe(visitor.token) // the visitor's own answer keeps it
    const agent = await createAgent()
    const manager = await createAgent(['livechat-manager'])
    const sync = (headers: Record<string, string>) => get(`/api/v1/chat.syncMessages?roomId=${room._id}&lastUpdate=1970-01-01T00:00:00Z`, headers)
    const answers: [string, Response][] = [
      ['getOne', await get(`/api/v1/livechat/inquiries.getOne?roomId=${room._id}`, agent.headers)],
      ['queuedForUser', await get('/api/v1/livechat/inquiries.queuedForUser?count=100', agent.headers)],
      ['take', await take(agent.headers, room._id)],
      ['rooms, agent', await get('/api/v1/livechat/rooms?count=100', agent.headers)],
      ['rooms, manager', await get('/api/v1/livechat/rooms?count=100', manager.headers)],
      ['sendMessage', await sendAgent(agent.headers, { rid: room._id, msg: 'hello' })],
      ['syncMessages, agent', await sync(agent.headers)],
      ['syncMessages, manager', await sync(manager.headers)],
    ]
    for (const [label, answer] of answers) {
      const text = await answer.text()
      expect(answer.status, text).toBe(200)
      expect(text, label).not.toContain(visitor.token)
      if (label !== 'sendMessage') expect(text, label).toContain(visitor._id) // the visitor is there, by id
    }
    const { rooms } = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms', agent.headers), 200)
    expect(rooms[0].v).toEqual({ _id: visitor._id, username: visitor.username })
    // The visitor's own answers still carry it, on its own messages only.
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(messages.map((m) => m.token)).toEqual([undefined, visitor.token])
    const { room: own } = await expectStatus<{ room: Room }>(await get(`/api/v1/livechat/room?token=${visitor.token}`), 200)
    expect(own.v.token).toBe(visitor.token)
  })
})

describe('POST livechat/room.closeByUser', () => {
  it('the serving agent closes with a comment: livechat-close in history, no more messages', async () => {
    const { visitor, room } = await visitorWithRoom()
    const agent = await servingAgent(room._id)
    await expectError(await post('/api/v1/livechat/room.closeByUser', { rid: room._id }, (await createAgent()).headers), 'error-not-allowed')
    expect(await expectStatus(await post('/api/v1/livechat/room.closeByUser', { rid: room._id, comment: 'Solved' }, agent.headers), 200)).toEqual({ success: true })
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(messages[0]).toMatchObject({ t: 'livechat-close', msg: 'Solved', u: { _id: agent.userId } })
    await expectError(await sendAgent(agent.headers, { rid: room._id, msg: 'late' }), 'room-closed')
    await expectError(await post('/api/v1/livechat/room.closeByUser', { rid: room._id }, agent.headers), 'room-closed')
    const { room: next } = await expectStatus<{ room: Room; newRoom: boolean }>(await get(`/api/v1/livechat/room?token=${visitor.token}`), 200)
    expect(next._id).not.toBe(room._id)
  })
})

describe('CORS', () => {
  it('agent endpoints under livechat/ and chat.* follow the agents\' policy; the visitor\'s the widget\'s', async () => {
    const preflight = (path: string) => call(path, {
      method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    }, { ALLOWED_ORIGINS: '*', AGENT_ALLOWED_ORIGINS: '' } as Partial<Env>)
    for (const path of ['livechat/agent.status', 'livechat/inquiries.take', 'livechat/inquiries.queuedForUser', 'livechat/rooms', 'livechat/room.closeByUser', 'chat.sendMessage', 'chat.syncMessages']) {
      expect((await preflight(`/api/v1/${path}`)).headers.get('access-control-allow-origin'), path).toBeNull()
    }
    for (const path of ['livechat/room', 'livechat/message', 'livechat/room.close', 'livechat/messages.history/x', 'livechat/agent.info/x/y', 'livechat/offline.message']) {
      expect((await preflight(`/api/v1/${path}`)).headers.get('access-control-allow-origin'), path).toBe('*')
    }
  })
})
