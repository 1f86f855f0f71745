// Erasing a visitor (DELETE livechat/visitor/:token, contacts.delete) erases their rooms, messages
// and inquiries everywhere, for good; and a cascade cut short is finished by the alarms.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Inquiry, Room } from '../../shared/chat.ts'
import {
  expectError, expectStatus, get, history, openRoom, post, sendAgent, sendVisitor, servingAgent, visitorSays, visitorWithRoom,
} from './chat-support.ts'
import { NOT_ALLOWED, connect, sub, visitorParams } from './ddp-support.ts'
import { call, createAgent, env, registry } from './support.ts'

const omnichannel = () => env.OMNICHANNEL.getByName('global')

/** Every table of a room object with its rows (none once erased), and its alarm. */
const roomStorage = (rid: string) =>
  runInDurableObject(env.CHAT_ROOM.getByName(rid), async (_i, state) => {
    const tables = state.storage.sql.exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray()
    return { tables: tables.map((t) => t.name), alarm: await state.storage.getAlarm() }
  })

const indexRows = (visitorId: string) =>
  runInDurableObject(omnichannel(), (_i, state) =>
    state.storage.sql.exec('SELECT rid FROM rooms WHERE visitor_id = ?', visitorId).toArray())

/** A visitor with a closed room and an open one that an agent serves, messages both ways. */
async function chattyVisitor() {
  const { visitor, room: first } = await visitorWithRoom()
  await visitorSays(visitor.token, first._id, 'my address is 1 Main St')
  await expectStatus(await post('/api/v1/livechat/room.close', { rid: first._id, token: visitor.token }), 200)
  const { room: second } = await expectStatus<{ room: Room }>(await openRoom(visitor.token), 200)
  await visitorSays(visitor.token, second._id, 'and my phone is 555')
  const agent = await servingAgent(second._id)
  await expectStatus(await sendAgent(agent.headers, { rid: second._id, msg: 'noted' }), 200)
  return { visitor, rooms: [first, second], agent }
}

async function expectErased(visitor: { _id: string; token: string }, rids: string[], agent: { headers: Record<string, string> }) {
  const manager = await createAgent(['livechat-manager'])
  await expectError(await openRoom(visitor.token), 'invalid-token')
  for (const rid of rids) {
    await expectError(await history(rid, visitor.token), 'invalid-token')
    await expectError(await sendVisitor(visitor.token, rid, 'still here?'), 'invalid-token')
    await expectError(await post('/api/v1/livechat/room.close', { rid, token: visitor.token }), 'invalid-token')
    await expectError(await get(`/api/v1/livechat/agent.info/${rid}/${visitor.token}`), 'invalid-token')
    for (const headers of [manager.headers, agent.headers])
      await expectError(await get(`/api/v1/chat.syncMessages?roomId=${rid}&lastUpdate=1970-01-01T00:00:00Z`, headers), 'error-not-allowed')
    expect(await expectStatus(await get(`/api/v1/livechat/inquiries.getOne?roomId=${rid}`, manager.headers), 200)).toEqual({ inquiry: null, success: true })
    expect(await roomStorage(rid)).toEqual({ tables: [], alarm: null })
  }
  const { rooms } = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms?count=100', manager.headers), 200)
  expect(rooms.filter((r) => rids.includes(r._id))).toEqual([])
  const own = await expectStatus<{ rooms: Room[] }>(await get('/api/v1/livechat/rooms', agent.headers), 200)
  expect(own.rooms).toEqual([])
  const { inquiries } = await expectStatus<{ inquiries: Inquiry[] }>(await get('/api/v1/livechat/inquiries.queuedForUser?count=100', manager.headers), 200)
  expect(inquiries.filter((i) => rids.includes(i.rid))).toEqual([])
  expect(await indexRows(visitor._id)).toEqual([])
  const socket = await connect()
  expect(await sub(socket, 's', 'stream-room-messages', visitorParams(rids[0], visitor.token))).toMatchObject({ msg: 'nosub', error: NOT_ALLOWED })
  socket.ws.close(1000, 'bye')
  const left = await runInDurableObject(registry(), (_i, state) => state.storage.sql.exec('SELECT * FROM room_erasures').toArray())
  expect(left).toEqual([])
}

describe('erasure', () => {
  it('DELETE livechat/visitor/:token erases the visitor\'s rooms, messages and inquiries everywhere', async () => {
    const { visitor, rooms, agent } = await chattyVisitor()
    await expectStatus(await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }), 200)
    await expectErased(visitor, rooms.map((r) => r._id), agent)
  })

  it('contacts.delete does the same, and a queued inquiry leaves the queue', async () => {
    const { visitor, rooms, agent } = await chattyVisitor()
    const queued = await visitorWithRoom()
    const manager = await createAgent(['livechat-manager'])
    await expectStatus(await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers), 200)
    await expectErased(visitor, rooms.map((r) => r._id), agent)
    // Someone else's room is untouched.
    expect((await history(queued.room._id, queued.visitor.token)).status).toBe(200)
    await expectStatus(await post('/api/v1/omnichannel/contacts.delete', { contactId: queued.visitor._id }, manager.headers), 200)
    const { inquiries } = await expectStatus<{ inquiries: Inquiry[] }>(await get('/api/v1/livechat/inquiries.queuedForUser?count=100', manager.headers), 200)
    expect(inquiries.map((i) => i.rid)).not.toContain(queued.room._id)
  })

  it('no room is ever opened again for an erased visitor, even by a request already past the registry', async () => {
    const { visitor } = await visitorWithRoom()
    await expectStatus(await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }), 200)
    const late = await omnichannel().openRoom({ _id: visitor._id, token: visitor.token, username: visitor.username })
    expect(late).toEqual({ refused: 'invalid-token' })
  })
})

describe('a cascade cut short', () => {
  it('the registry\'s alarm hands over rooms it could not hand over before', async () => {
    const { visitor, room } = await visitorWithRoom()
    await visitorSays(visitor.token, room._id, 'secret')
    // As if the registry had deleted the visitor and died before the Omnichannel object answered.
    await runInDurableObject(registry(), async (_i, state) => {
      state.storage.sql.exec('INSERT INTO room_erasures VALUES (?)', visitor._id)
      await state.storage.setAlarm(Date.now() + 10_000)
    })
    expect(await runDurableObjectAlarm(registry())).toBe(true)
    expect(await roomStorage(room._id)).toEqual({ tables: [], alarm: null })
    expect(await indexRows(visitor._id)).toEqual([])
    expect(await runInDurableObject(registry(), (_i, state) => state.storage.sql.exec('SELECT * FROM room_erasures').toArray())).toEqual([])
  })

  it('the Omnichannel object\'s alarm erases rooms whose erasure failed', async () => {
    const { visitor, room } = await visitorWithRoom()
    await visitorSays(visitor.token, room._id, 'secret')
    // As if the room's erasure had failed after the index let it go.
    await runInDurableObject(omnichannel(), async (_i, state) => {
      state.storage.sql.exec('DELETE FROM rooms WHERE rid = ?', room._id)
      state.storage.sql.exec('INSERT INTO erasing VALUES (?)', room._id)
      await state.storage.setAlarm(Date.now() + 10_000)
    })
    expect((await roomStorage(room._id)).tables).not.toEqual([])
    expect(await runDurableObjectAlarm(omnichannel())).toBe(true)
    expect(await roomStorage(room._id)).toEqual({ tables: [], alarm: null })
    expect(await runInDurableObject(omnichannel(), (_i, state) => state.storage.sql.exec('SELECT * FROM erasing').toArray())).toEqual([])
  })
})
