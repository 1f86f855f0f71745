// The visitor's chat endpoints: a room, messages (idempotent, strictly increasing times, durable),
// history, closing, the agent's card, config, offline messages, limits.
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import type { Message, Room } from '../../shared/chat.ts'
import { MAX_MESSAGE_LENGTH } from '../../shared/chat.ts'
import { randomId } from '../../shared/ids.ts'
import {
  expectError, expectStatus, get, history, openRoom, post, sendAgent, sendVisitor, servingAgent, visitorSays, visitorWithRoom,
} from './chat-support.ts'
import { call, createAgent, env, fetchVisitor, inOneRateWindow, newToken, register } from './support.ts'

// Rate-limit tests may wait up to 15 s for a fresh window (inOneRateWindow).
vi.setConfig({ testTimeout: 60_000 })

const off = { RATE_LIMITS: 'off' } as Partial<Env>

let block = 0
/** An address no other test uses, as the request header. */
const freshIp = () => ({ 'cf-connecting-ip': `198.18.${++block}.${Math.floor(Math.random() * 250)}` })

const sendFrom = (ip: Record<string, string>, token: string, rid: string, msg: string, overrides: Partial<Env> = {}) =>
  post('/api/v1/livechat/message', { token, rid, msg }, ip, overrides)

describe('GET livechat/room', () => {
  it('opens a Rocket.Chat-shaped room once, then answers the same open room', async () => {
    const visitor = await register({ token: newToken(), name: 'Ada Visitor', department: 'sales' })
    const first = await expectStatus<{ room: Room; newRoom: boolean }>(await openRoom(visitor.token), 200)
    expect(first.newRoom).toBe(true)
    expect(first.room).toMatchObject({
      t: 'l', fname: 'Ada Visitor', open: true, msgs: 0, departmentId: 'sales',
      v: { _id: visitor._id, token: visitor.token, username: visitor.username },
    })
    expect(first.room.servedBy).toBeUndefined()
    const again = await expectStatus<{ room: Room; newRoom: boolean }>(await openRoom(visitor.token), 200)
    expect(again).toMatchObject({ newRoom: false, room: { _id: first.room._id } })
  })

  it('two concurrent requests of one visitor get one room', async () => {
    const visitor = await register({ token: newToken() })
    const [a, b] = await Promise.all([openRoom(visitor.token), openRoom(visitor.token)])
    const [ra, rb] = [await expectStatus<{ room: Room; newRoom: boolean }>(a, 200), await expectStatus<{ room: Room; newRoom: boolean }>(b, 200)]
    expect(ra.room._id).toBe(rb.room._id)
    expect([ra.newRoom, rb.newRoom].filter(Boolean)).toHaveLength(1)
  })

  it('unknown token: [invalid-token]; another visitor\'s rid: [invalid-room]', async () => {
    await expectError(await openRoom(newToken()), 'invalid-token')
    await expectError(await openRoom('bad%20token'), 'invalid-token')
    const { room } = await visitorWithRoom()
    const other = await register({ token: newToken() })
    await expectError(await openRoom(other.token, `&rid=${room._id}`), 'invalid-room')
  })

  it('10 new rooms a minute per client network; the open room is still answered; RATE_LIMITS=off lifts it', async () => {
    await inOneRateWindow()
    const ip = freshIp()
    const visitor = await register({ token: newToken() })
    for (let i = 0; i < 10; i++) {
      const { room, newRoom } = await expectStatus<{ room: Room; newRoom: boolean }>(await get(`/api/v1/livechat/room?token=${visitor.token}`, ip), 200)
      expect(newRoom).toBe(true)
      await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }, ip), 200)
    }
    await expectError(await get(`/api/v1/livechat/room?token=${visitor.token}`, ip), 'error-too-many-requests', 429)
    // Refused before anything was made.
    const { config } = await expectStatus<{ config: { room?: Room } }>(await get(`/api/v1/livechat/config?token=${visitor.token}`), 200)
    expect(config.room).toBeUndefined()
    // A visitor who has an open room gets it from the same address: only a new room costs.
    const { visitor: returning, room } = await visitorWithRoom()
    const again = await expectStatus<{ room: Room; newRoom: boolean }>(await get(`/api/v1/livechat/room?token=${returning.token}`, ip), 200)
    expect(again).toMatchObject({ newRoom: false, room: { _id: room._id } })
    const lifted = await expectStatus<{ newRoom: boolean }>(await get(`/api/v1/livechat/room?token=${visitor.token}`, ip, off), 200)
    expect(lifted.newRoom).toBe(true)
  })

  it('a new room after the visitor closed theirs', async () => {
    const { visitor, room } = await visitorWithRoom()
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    const next = await expectStatus<{ room: Room; newRoom: boolean }>(await openRoom(visitor.token, `&rid=${room._id}`), 200)
    expect(next.newRoom).toBe(true)
    expect(next.room._id).not.toBe(room._id)
  })
})

describe('POST livechat/message', () => {
  it('stores the message as Rocket.Chat shapes it and counts it in the room', async () => {
    const { visitor, room } = await visitorWithRoom()
    const message = await visitorSays(visitor.token, room._id, 'Hello\nthere')
    expect(message).toMatchObject({
      rid: room._id, msg: 'Hello\nthere', token: visitor.token, u: { _id: visitor._id, username: visitor.username, name: 'Ada Visitor' },
    })
    expect(message._id).toMatch(/^[A-Za-z0-9]{17}$/)
    expect(new Date(message.ts).toISOString()).toBe(message.ts)
    const again = await expectStatus<{ room: Room }>(await openRoom(visitor.token), 200)
    expect(again.room.msgs).toBe(1)
  })

  it('a client-chosen _id is idempotent: the same again stores nothing; another sender gets 400', async () => {
    const { visitor, room } = await visitorWithRoom()
    const _id = `client-${randomId()}`
    const first = await visitorSays(visitor.token, room._id, 'once', { _id })
    const resent = await visitorSays(visitor.token, room._id, 'once, resent', { _id })
    expect(resent).toEqual(first)
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(messages.map((m) => m._id)).toEqual([_id])
    const agent = await servingAgent(room._id)
    await expectError(await sendAgent(agent.headers, { rid: room._id, msg: 'mine?', _id }), 'error-message-id-taken')
    const malformed = await expectStatus<{ error: string }>(await sendVisitor(visitor.token, room._id, 'x', { _id: 'has space' }), 400)
    expect(malformed.error).toMatch(/^Match error: _id/)
  })

  it('refuses over 5,000 characters, blank text, a closed room, and strangers', async () => {
    const { visitor, room } = await visitorWithRoom()
    expect((await sendVisitor(visitor.token, room._id, 'x'.repeat(MAX_MESSAGE_LENGTH))).status).toBe(200)
    await expectError(await sendVisitor(visitor.token, room._id, 'x'.repeat(MAX_MESSAGE_LENGTH + 1)), 'error-message-size-exceeded')
    expect((await sendVisitor(visitor.token, room._id, '   ')).status).toBe(400)
    expect((await sendVisitor(visitor.token, room._id, 'bell\u0007')).status).toBe(400)
    const stranger = await register({ token: newToken() })
    await expectError(await sendVisitor(stranger.token, room._id, 'hi'), 'invalid-room')
    await expectError(await sendVisitor(newToken(), room._id, 'hi'), 'invalid-token')
    await expectError(await sendVisitor(visitor.token, 'no-such-room', 'hi'), 'invalid-room')
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    await expectError(await sendVisitor(visitor.token, room._id, 'after close'), 'room-closed')
  })

  it('times strictly increase under 100 concurrent sends to one room', async () => {
    const { visitor, room } = await visitorWithRoom()
    const sent = await Promise.all(Array.from({ length: 100 }, (_, i) => sendVisitor(visitor.token, room._id, `m${i}`, {}, off)))
    expect(sent.map((r) => r.status)).toEqual(Array(100).fill(200))
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token, '&limit=100'), 200)
    expect(messages).toHaveLength(100)
    const times = messages.map((m) => Date.parse(m.ts)).reverse()
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1])
  })

  it('an acknowledged message survives a restart of its room', async () => {
    const { visitor, room } = await visitorWithRoom()
    const message = await visitorSays(visitor.token, room._id, 'keep me')
    const stub = env.CHAT_ROOM.getByName(room._id)
    await runInDurableObject(stub, (_instance, state) => state.abort()).catch(() => {})
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(messages).toEqual([message])
    // And its times keep increasing after the restart.
    const next = await visitorSays(visitor.token, room._id, 'later')
    expect(Date.parse(next.ts)).toBeGreaterThan(Date.parse(message.ts))
  })

  it('60 messages a minute per visitor, from any address; another visitor behind the same address is unaffected', async () => {
    await inOneRateWindow()
    const [a, b] = [await visitorWithRoom(), await visitorWithRoom()]
    const ip = freshIp()
    const sent = await Promise.all(Array.from({ length: 60 }, () => sendFrom(ip, a.visitor.token, a.room._id, 'spam')))
    expect(sent.map((r) => r.status)).toEqual(Array(60).fill(200))
    await expectError(await sendFrom(ip, a.visitor.token, a.room._id, 'more'), 'error-too-many-requests', 429)
    // Counted by visitor, not by address: another address does not help A, and B still talks.
    await expectError(await sendFrom(freshIp(), a.visitor.token, a.room._id, 'elsewhere'), 'error-too-many-requests', 429)
    expect((await sendFrom(ip, b.visitor.token, b.room._id, 'hello')).status).toBe(200)
    expect((await sendFrom(ip, a.visitor.token, a.room._id, 'lifted', off)).status).toBe(200)
  })

  it('600 messages a minute per client network, whatever the token (a scan of tokens too); RATE_LIMITS=off lifts it', async () => {
    await inOneRateWindow()
    const { visitor, room } = await visitorWithRoom()
    const ip = freshIp()
    const scan = await Promise.all(Array.from({ length: 600 }, () => sendFrom(ip, newToken(), room._id, 'guess')))
    expect(scan.map((r) => r.status)).toEqual(Array(600).fill(400))
    await expectError(await sendFrom(ip, visitor.token, room._id, 'mine'), 'error-too-many-requests', 429)
    expect((await sendFrom(freshIp(), visitor.token, room._id, 'elsewhere')).status).toBe(200)
    expect((await sendFrom(ip, visitor.token, room._id, 'lifted', off)).status).toBe(200)
  })
})

describe('GET livechat/messages.history/:rid', () => {
  it('newest first, 20 by default, `limit` and `end` page back; closing adds livechat-close', async () => {
    const { visitor, room } = await visitorWithRoom()
    for (let i = 0; i < 25; i++) await visitorSays(visitor.token, room._id, `m${i}`)
    const first = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token), 200)
    expect(first.messages.map((m) => m.msg)).toEqual(Array.from({ length: 20 }, (_, i) => `m${24 - i}`))
    const end = first.messages.at(-1)!.ts
    const older = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token, `&end=${end}&limit=3`), 200)
    expect(older.messages.map((m) => m.msg)).toEqual(['m4', 'm3', 'm2'])
    const closed = await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    expect(closed).toEqual({ rid: room._id, comment: 'Closed by visitor', success: true })
    const last = await expectStatus<{ messages: Message[] }>(await history(room._id, visitor.token, '&limit=1'), 200)
    expect(last.messages[0]).toMatchObject({ t: 'livechat-close', msg: 'Closed by visitor', u: { _id: visitor._id } })
    await expectError(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 'room-closed')
  })

  it('another visitor\'s room, an unknown token, a bad date', async () => {
    const { visitor, room } = await visitorWithRoom()
    const stranger = await register({ token: newToken() })
    await expectError(await history(room._id, stranger.token), 'invalid-room')
    await expectError(await history(room._id, newToken()), 'invalid-token')
    expect((await history(room._id, visitor.token, '&end=not-a-date')).status).toBe(400)
  })
})

describe('agent.info and config', () => {
  it('agent.info once an agent serves the room; config shows online, room, agent, settings', async () => {
    const { visitor, room } = await visitorWithRoom()
    await expectError(await get(`/api/v1/livechat/agent.info/${room._id}/${visitor.token}`), 'invalid-agent')
    const agent = await servingAgent(room._id)
    await expectStatus(await post('/api/v1/livechat/agent.status', { status: 'available' }, agent.headers), 200)
    const info = await expectStatus<{ agent: unknown }>(await get(`/api/v1/livechat/agent.info/${room._id}/${visitor.token}`), 200)
    expect(info.agent).toEqual({ _id: agent.userId, username: `agent-${agent.userId}`, status: 'available' })
    const { config } = await expectStatus<{ config: Record<string, unknown> }>(await get(`/api/v1/livechat/config?token=${visitor.token}`), 200)
    expect(config).toMatchObject({ online: true, settings: { visitorsCanCloseChat: true }, room: { _id: room._id, servedBy: { _id: agent.userId } }, agent: info.agent })
    await expectStatus(await post('/api/v1/livechat/agent.status', { status: 'not-available' }, agent.headers), 200)
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    const after = await expectStatus<{ config: Record<string, unknown> }>(await get(`/api/v1/livechat/config?token=${visitor.token}`), 200)
    expect(after.config.room).toBeUndefined()
    expect(after.config.agent).toBeUndefined()
  })

  it('config without a token, or with an unknown one, has no room', async () => {
    const { config } = await expectStatus<{ config: Record<string, unknown> }>(await get(`/api/v1/livechat/config?token=${newToken()}`), 200)
    expect(config.room).toBeUndefined()
    expect(typeof config.online).toBe('boolean')
    expect((await get('/api/v1/livechat/config')).status).toBe(200)
  })
})

describe('offline.message, visitor.status, page.visited', () => {
  it('stores a contact and a closed room holding the message, for agents to find', async () => {
    const email = `off-${randomId(8).toLowerCase()}@example.com`
    const body = { name: 'Offline Olga', email, message: 'Call me back', department: 'support' }
    expect(await expectStatus(await post('/api/v1/livechat/offline.message', body), 200)).toEqual({ message: 'Livechat offline message sent', success: true })
    const manager = await createAgent(['livechat-manager'])
    const { rooms } = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms?open=false&count=100', manager.headers), 200)
    const room = rooms.find((r) => r.fname === 'Offline Olga')!
    expect(room).toMatchObject({ open: false, msgs: 1, departmentId: 'support', closedBy: { type: 'visitor' } })
    const { result } = await expectStatus<{ result: { updated: Message[] } }>(
      await get(`/api/v1/chat.syncMessages?roomId=${room._id}&lastUpdate=1970-01-01T00:00:00.000Z`, manager.headers), 200)
    expect(result.updated.map((m) => m.msg)).toEqual(['Call me back'])
    const { contact } = await expectStatus<{ contact: { visitorEmails: { address: string }[] } }>(
      await get(`/api/v1/omnichannel/contact?contactId=${room.v._id}`, manager.headers), 200)
    expect(contact.visitorEmails[0].address).toBe(email)
  })

  it('always makes a new contact, even in mode true with a known visitor\'s email', async () => {
    const email = `victim-${randomId(8).toLowerCase()}@example.com`
    const victim = await register({ token: newToken(), name: 'Victim', email })
    const name = `Mallory ${randomId(6)}`
    const body = { name, email, message: 'I am you now' }
    await expectStatus(await post('/api/v1/livechat/offline.message', body, {}, { MATCH_VISITORS_BY_CONTACT: 'true' }), 200)
    expect(await fetchVisitor(victim.token)).toEqual(victim)
    const manager = await createAgent(['livechat-manager'])
    const { rooms } = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms?open=false&count=100', manager.headers), 200)
    const room = rooms.find((r) => r.fname === name)!
    expect(room.v._id).not.toBe(victim._id)
    expect(rooms.filter((r) => r.v._id === victim._id)).toEqual([])
  })

  it('refuses bad input, and 5 a minute per client network', async () => {
    await inOneRateWindow()
    expect((await post('/api/v1/livechat/offline.message', { name: 'X', email: 'not-an-email', message: 'hi' })).status).toBe(400)
    expect((await post('/api/v1/livechat/offline.message', { name: 'X', email: 'x@example.com' })).status).toBe(400)
    const ip = { 'cf-connecting-ip': `198.51.101.${Math.floor(Math.random() * 250)}` }
    const body = { name: 'Spam', email: 'spam@example.com', message: 'hi' }
    for (let i = 0; i < 5; i++) expect((await post('/api/v1/livechat/offline.message', body, ip)).status).toBe(200)
    await expectError(await post('/api/v1/livechat/offline.message', body, ip), 'error-too-many-requests', 429)
  })

  it('visitor.status answers success for any token and stores nothing', async () => {
    const answer = await post('/api/v1/livechat/visitor.status', { token: newToken(), status: 'online' })
    expect(await expectStatus(answer, 200)).toEqual({ success: true })
  })
})
