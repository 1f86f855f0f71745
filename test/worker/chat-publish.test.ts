// Rooms and the queue publish to the gateway shards subscribed to their streams, over real sockets:
// messages (the sender's own included, dates as {"$date": ms}), agentData, typing (never back to
// its sender), livechat-close, the queue's added/removed; who may read what; lazy pruning.
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Message } from '../../shared/chat.ts'
import { newRoom, type Seed } from '../../worker/src/chat/room-record.ts'
import { RoomsIndex } from '../../worker/src/chat/rooms-index.ts'
import { randomId } from '../../shared/ids.ts'
import { createAgentWithPassword, signIn } from './agent-support.ts'
import { expectStatus, post, sendAgent, take, visitorSays, visitorWithRoom } from './chat-support.ts'
import { NOT_ALLOWED, agentParams, connect, method, shardOf, sub, visitorParams, type Ddp, type Frame } from './ddp-support.ts'
import { env, newToken, register } from './support.ts'

const QUEUE = 'stream-livechat-inquiry-queue-observer'

const event = (ddp: Ddp, collection: string, eventName: string, match: (args: any[]) => boolean = () => true) =>
  ddp.until((f) => f.msg === 'changed' && f.collection === collection && f.fields?.eventName === eventName && match(f.fields.args))

async function signedInAgent(roles = ['livechat-agent']) {
  const agent = await createAgentWithPassword({ roles })
  const session = await signIn(agent.username)
  const ddp = await connect()
  const answer = await method(ddp, 'login', 'login', [{ resume: session.authToken }])
  expect(answer.result?.id, JSON.stringify(answer)).toBe(agent.userId)
  return { agent, ddp, headers: session.headers }
}

/** The room object's subscribers table. */
const subscribers = (rid: string) =>
  runInDurableObject(env.CHAT_ROOM.getByName(rid), (_i, state) =>
    state.storage.sql.exec('SELECT gateway, collection, event_name FROM subscribers ORDER BY collection, event_name').toArray())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A message as the streams carry it: dates as {"$date": ms}, and never the visitor's token (agents
 * read the stream too). */
const ddpShape = ({ token: _, ...message }: Message) => ({ ...message, ts: { $date: Date.parse(message.ts) }, _updatedAt: { $date: Date.parse(message._updatedAt) } })

describe('a conversation over the sockets', () => {
  it('queue, take, messages both ways, typing, close', async () => {
    const { ddp: agentSocket, agent, headers } = await signedInAgent()
    expect(await sub(agentSocket, 'q', QUEUE, agentParams('public'))).toEqual({ msg: 'ready', subs: ['q'] })

    const { visitor, room } = await visitorWithRoom()
    const added = await event(agentSocket, QUEUE, 'public', ([e]) => e._id === room._id)
    expect(added.fields.args).toEqual([expect.objectContaining({ type: 'added', rid: room._id, status: 'queued' })])
    expect(added.fields.args[0].v).toEqual({ _id: visitor._id, username: visitor.username })

    const visitorSocket = await connect()
    for (const [id, name, eventName] of [
      ['m', 'stream-room-messages', room._id], ['t', 'stream-notify-room', `${room._id}/user-activity`],
      ['d', 'stream-notify-room', `${room._id}/deleteMessage`], ['l', 'stream-livechat-room', room._id],
    ]) expect(await sub(visitorSocket, id, name, visitorParams(eventName, visitor.token))).toEqual({ msg: 'ready', subs: [id] })

    // The visitor's own message comes back on its stream; the queue hears the first words.
    const said = await visitorSays(visitor.token, room._id, 'hello')
    expect(said.token).toBe(visitor.token) // in the visitor's own answer only
    const echoed = await event(visitorSocket, 'stream-room-messages', room._id)
    expect(echoed).toEqual({ msg: 'changed', collection: 'stream-room-messages', id: 'id', fields: { eventName: room._id, args: [ddpShape(said)] } })
    const changed = await event(agentSocket, QUEUE, 'public', ([e]) => e._id === room._id)
    expect(changed.fields.args[0]).toMatchObject({ type: 'changed', message: 'hello' })
    expect(JSON.stringify(changed)).not.toContain(visitor.token)

    // Taking: agentData to the visitor, removed from the queue.
    await expectStatus(await take(headers, room._id), 200)
    const agentData = await event(visitorSocket, 'stream-livechat-room', room._id)
    expect(agentData.fields.args).toEqual([{ type: 'agentData', data: { _id: agent.userId, username: agent.username, status: 'not-available' } }])
    const removed = await event(agentSocket, QUEUE, 'public', ([e]) => e._id === room._id)
    expect(removed.fields.args[0]).toMatchObject({ type: 'removed', status: 'taken' })
    expect(JSON.stringify(removed)).not.toContain(visitor.token)

    expect(await sub(agentSocket, 'am', 'stream-room-messages', agentParams(room._id))).toEqual({ msg: 'ready', subs: ['am'] })
    expect(await sub(agentSocket, 'at', 'stream-notify-room', agentParams(`${room._id}/user-activity`))).toEqual({ msg: 'ready', subs: ['at'] })
    const { message: answer } = await expectStatus<{ message: Message }>(await sendAgent(headers, { rid: room._id, msg: 'Hi, I am here' }), 200)
    for (const socket of [visitorSocket, agentSocket])
      expect((await event(socket, 'stream-room-messages', room._id)).fields.args).toEqual([ddpShape(answer)])

    // Typing both ways, never back to the sender; the name shown is the sender's own.
    const typing = `${room._id}/user-activity`
    expect(await method(visitorSocket, 'v1', 'stream-notify-room', [typing, visitor.username, ['user-typing'], { token: visitor.token }])).toMatchObject({ msg: 'result', id: 'v1' })
    expect((await event(agentSocket, 'stream-notify-room', typing)).fields.args).toEqual([visitor.username, ['user-typing']])
    expect(await method(agentSocket, 'a1', 'stream-notify-room', [typing, agent.username, [], {}])).toMatchObject({ msg: 'result', id: 'a1' })
    expect((await event(visitorSocket, 'stream-notify-room', typing)).fields.args).toEqual([agent.username, []])
    const leftovers = [...await visitorSocket.quiet(), ...await agentSocket.quiet()]
    expect(leftovers.filter((f: Frame) => f.collection === 'stream-notify-room')).toEqual([])

    // The agent closes: both see livechat-close.
    await expectStatus(await post('/api/v1/livechat/room.closeByUser', { rid: room._id, comment: 'Bye' }, headers), 200)
    for (const socket of [visitorSocket, agentSocket]) {
      const closed = await event(socket, 'stream-room-messages', room._id)
      expect(closed.fields.args[0]).toMatchObject({ t: 'livechat-close', msg: 'Bye', u: { _id: agent.userId }, ts: { $date: expect.any(Number) } })
    }
    visitorSocket.ws.close()
    agentSocket.ws.close()
  })
})

describe('who may subscribe', () => {
  it('another visitor, an unknown room, an agent not serving it: nosub; a manager: ready', async () => {
    const { visitor, room } = await visitorWithRoom()
    const socket = await connect()
    expect(await sub(socket, 's1', 'stream-room-messages', visitorParams(room._id, newToken()))).toMatchObject({ msg: 'nosub', id: 's1', error: NOT_ALLOWED })
    expect(await sub(socket, 's2', 'stream-room-messages', visitorParams('no-such-room', visitor.token))).toMatchObject({ msg: 'nosub', error: NOT_ALLOWED })
    const { ddp: agentSocket } = await signedInAgent()
    expect(await sub(agentSocket, 's3', 'stream-room-messages', agentParams(room._id))).toMatchObject({ msg: 'nosub', error: NOT_ALLOWED })
    expect(await method(agentSocket, 'm1', 'stream-notify-room', [`${room._id}/user-activity`, 'x', ['user-typing'], {}])).toMatchObject({ error: NOT_ALLOWED })
    const { ddp: managerSocket } = await signedInAgent(['livechat-manager'])
    expect(await sub(managerSocket, 's4', 'stream-room-messages', agentParams(room._id))).toEqual({ msg: 'ready', subs: ['s4'] })
    for (const s of [socket, agentSocket, managerSocket]) s.ws.close()
  })
})

describe('the subscribers table', () => {
  it('records one row per gateway and stream; a gateway with no socket left is pruned on the next event', async () => {
    const { visitor, room } = await visitorWithRoom()
    expect(await subscribers(room._id)).toEqual([])
    const a = await connect()
    const b = await connect({ ip: a.ip }) // the same network: the same shard
    for (const s of [a, b]) expect((await sub(s, 'm', 'stream-room-messages', visitorParams(room._id, visitor.token))).msg).toBe('ready')
    const rows = await subscribers(room._id)
    expect(rows).toEqual([{ gateway: expect.stringMatching(/^shard-/), collection: 'stream-room-messages', event_name: room._id }])
    a.ws.close(1000, 'bye')
    await visitorSays(visitor.token, room._id, 'still one socket')
    await event(b, 'stream-room-messages', room._id)
    expect(await subscribers(room._id)).toHaveLength(1)
    b.ws.close(1000, 'bye')
    await new Promise((resolve) => setTimeout(resolve, 50))
    await visitorSays(visitor.token, room._id, 'nobody left')
    // Delivery runs after the answer: wait for the prune.
    for (let i = 0; i < 50 && (await subscribers(room._id)).length > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await subscribers(room._id)).toEqual([])
  })
})

describe('delivery', () => {
  it('the same sender resending an _id publishes the message again (its first delivery may have been lost)', async () => {
    const { visitor, room } = await visitorWithRoom()
    const socket = await connect()
    expect((await sub(socket, 'm', 'stream-room-messages', visitorParams(room._id, visitor.token))).msg).toBe('ready')
    const _id = `resent-${randomId()}`
    const said = await visitorSays(visitor.token, room._id, 'once', { _id })
    expect((await event(socket, 'stream-room-messages', room._id)).fields.args).toEqual([ddpShape(said)])
    expect(await visitorSays(visitor.token, room._id, 'once, resent', { _id })).toEqual(said)
    expect((await event(socket, 'stream-room-messages', room._id)).fields.args).toEqual([ddpShape(said)])
    socket.ws.close()
  })

  it('a publish that failed is tried again before the room\'s next event goes out', async () => {
    const { visitor, room } = await visitorWithRoom()
    const lost = await connect()
    expect((await sub(lost, 'm', 'stream-room-messages', visitorParams(room._id, visitor.token))).msg).toBe('ready')
    // The shard resets (as on a deploy): the publish queued meanwhile fails, and its sockets go.
    const reset = runInDurableObject(shardOf(lost.ip), (_i, state) =>
      state.blockConcurrencyWhile(async () => { await sleep(200); throw new Error('gateway reset') })).catch(() => {})
    await sleep(50)
    const first = await visitorSays(visitor.token, room._id, 'sent while the shard resets')
    await reset
    // The client reconnects to the shard at once (same network) and subscribes again: the retry
    // brings it what failed, then the next message, in order.
    const back = await connect({ ip: lost.ip })
    expect((await sub(back, 'm', 'stream-room-messages', visitorParams(room._id, visitor.token))).msg).toBe('ready')
    const second = await visitorSays(visitor.token, room._id, 'sent once it is back')
    const delivered = [await event(back, 'stream-room-messages', room._id), await event(back, 'stream-room-messages', room._id)]
    expect(delivered.map((f) => f.fields.args[0]._id)).toEqual([first._id, second._id])
    back.ws.close()
  })
})

describe('the queue stream', () => {
  it('a room that speaks before the index heard it was created enters the queue once, as added', async () => {
    const { ddp } = await signedInAgent()
    expect((await sub(ddp, 'q', QUEUE, agentParams('public'))).msg).toBe('ready')
    const visitor = await register({ token: newToken(), name: 'Early Bird' })
    const seed: Seed = { rid: randomId(), visitor: { _id: visitor._id, token: visitor.token, username: visitor.username }, ts: Date.now() }
    // As GET livechat/room does: the index row first (version 0), then the room; the room's answer
    // (its first summary) reaches the index only after the visitor's first words did.
    const omnichannel = env.OMNICHANNEL.getByName('global')
    await runInDurableObject(omnichannel, (_i, state) => new RoomsIndex(state.storage.sql).insert({ room: newRoom(seed), version: 0, message: '' }))
    const { summary } = await env.CHAT_ROOM.getByName(seed.rid).init(seed)
    await visitorSays(visitor.token, seed.rid, 'first words')
    await omnichannel.update(summary)
    const events = (await ddp.quiet(300)).filter((f) => f.collection === QUEUE && f.fields.args[0].rid === seed.rid)
    expect(events.map((f) => f.fields.args[0])).toEqual([expect.objectContaining({ type: 'added', message: 'first words', status: 'queued' })])
    ddp.ws.close()
  })
})
