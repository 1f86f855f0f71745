// Events recorded where they happen: in the same step as the change (one outbox row), sent to the
// real queue after it, the row gone once the queue took it; a failed send kept and retried by the
// object's alarm, nothing lost; only what something consumes is recorded.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SEND_RETRY_MS } from '../../worker/src/notifications/event-outbox.ts'
import type { EventType } from '../../worker/src/notifications/events.ts'
import { call, env, newToken, postVisitor, register, registry } from './support.ts'
import { expectStatus, openRoom, post, sendVisitor, servingAgent, visitorSays, visitorWithRoom } from './chat-support.ts'
import { emailOn, outboxOf, outboxRows, recordingQueue, webhookOn } from './notifications-support.ts'

const WEBHOOK = 'http://127.0.0.1:9/not-called'
const omnichannel = () => env.OMNICHANNEL.getByName('global')

let restores: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const restore of restores) await restore()
  restores = []
  vi.restoreAllMocks()
})

/** The object's outbox sends to a recording (or failing) real queue, with these settings. */
async function watch(stub: Parameters<typeof outboxOf>[0], settings?: Partial<Env>) {
  const recording = recordingQueue()
  const { restore } = await outboxOf(stub, { queue: recording.queue, settings })
  restores.push(restore)
  return recording
}

const types = (sent: { type: EventType }[]) => sent.map((e) => e.type)

describe('a registration', () => {
  it('of a new contact sends LivechatNewContact to the consoles, with ids only, and keeps no row', async () => {
    const { sent } = await watch(registry())
    const contact = await register({ token: newToken(), name: 'Private Name', email: 'private@example.com' })
    expect(sent).toEqual([{
      eventId: expect.any(String), type: 'LivechatNewContact', at: expect.any(String), to: 'console',
      visitorId: contact._id, origin: 'https://contact.example',
    }])
    expect(JSON.stringify(sent)).not.toMatch(/Private|private@/)
    expect(await outboxRows(registry())).toEqual([])
  })

  it('goes to every destination that wants it, one message each, under one eventId', async () => {
    const { sent } = await watch(registry(), { ...webhookOn(WEBHOOK), ...emailOn })
    await register({ token: newToken(), name: 'Ana' })
    expect(sent.map((e) => e.to)).toEqual(['webhook', 'email', 'console'])
    expect(new Set(sent.map((e) => e.eventId)).size).toBe(1)
  })

  it('of a known contact, or one refused, records nothing', async () => {
    const token = newToken()
    await register({ token, name: 'Ana' })
    const { sent } = await watch(registry(), { ...webhookOn(WEBHOOK), ...emailOn })
    await register({ token, phone: '+1 555 0102' })
    expect((await postVisitor({ visitor: { token: newToken(), email: 'not an email' } })).status).toBe(400)
    expect(sent).toEqual([])
    expect(await outboxRows(registry())).toEqual([])
  })
})

describe('a send the queue refuses', () => {
  it('leaves the answer as it was; the row waits, and the alarm sends it later with the same eventId', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { sent, failing } = await watch(registry())
    failing.on = true
    const before = Date.now()
    const contact = await register({ token: newToken(), name: 'Kept' })
    const [row, ...more] = await outboxRows(registry())
    expect(more).toEqual([])
    const waiting = JSON.parse(row.body)
    expect(waiting).toEqual([expect.objectContaining({ type: 'LivechatNewContact', visitorId: contact._id, eventId: row.id })])
    const alarm = await runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())
    expect(alarm).toBeGreaterThanOrEqual(before + SEND_RETRY_MS - 50)

    // Still down when the alarm fires: kept, and the alarm set again.
    await runDurableObjectAlarm(registry())
    expect(await outboxRows(registry())).toHaveLength(1)
    expect(await runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())).not.toBeNull()

    failing.on = false
    await runDurableObjectAlarm(registry())
    expect(sent).toEqual(waiting)
    expect(await outboxRows(registry())).toEqual([])
  })

  it('never sets an earlier alarm later', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { failing } = await watch(registry())
    failing.on = true
    const soon = Date.now() + 1000
    await runInDurableObject(registry(), (_i, state) => state.storage.setAlarm(soon))
    await register({ token: newToken() })
    expect(await runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())).toBe(soon)
    failing.on = false
    await runDurableObjectAlarm(registry())
    expect(await outboxRows(registry())).toEqual([])
  })

  it('left by an instance that stopped goes out when the object starts again', async () => {
    const row = { eventId: 'left-behind-event', type: 'LivechatNewContact', at: new Date().toISOString(), to: 'console', visitorId: 'nobody' }
    await runInDurableObject(omnichannel(), async (instance, state) => {
      state.storage.sql.exec('INSERT INTO event_outbox VALUES (?, ?)', row.eventId, JSON.stringify([row]))
      await state.storage.deleteAlarm()
      await instance.outbox.resume()
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(Date.now())
    })
    const { sent } = await watch(omnichannel())
    await runDurableObjectAlarm(omnichannel())
    expect(sent).toEqual([row])
    expect(await outboxRows(omnichannel())).toEqual([])
  })
})

describe('a room', () => {
  it('reports each transition once: start and queued, taken, closed (LivechatSession)', async () => {
    const { sent } = await watch(omnichannel(), webhookOn(WEBHOOK))
    const { visitor, room } = await visitorWithRoom()
    expect(types(sent)).toEqual(['LivechatSessionStart', 'LivechatSessionQueued'])
    expect(sent[0]).toMatchObject({ rid: room._id, visitorId: visitor._id, to: 'webhook' })
    expect(sent[0].eventId).not.toBe(sent[1].eventId)
    // Asking for the open room again, and the visitor's words, change no state the webhooks report.
    await expectStatus(await openRoom(visitor.token), 200)
    await visitorSays(visitor.token, room._id, 'Hello')
    await servingAgent(room._id)
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    await runDurableObjectAlarm(env.CHAT_ROOM.getByName(room._id))
    expect(types(sent)).toEqual(['LivechatSessionStart', 'LivechatSessionQueued', 'LivechatSessionTaken', 'LivechatSession'])
    expect(await outboxRows(omnichannel())).toEqual([])
  })

  it('records only the types LIVECHAT_WEBHOOK_EVENTS lists, and nothing with the webhook off', async () => {
    const { sent } = await watch(omnichannel(), webhookOn(WEBHOOK, { LIVECHAT_WEBHOOK_EVENTS: 'LivechatSessionTaken' }))
    const { room } = await visitorWithRoom()
    expect(sent).toEqual([])
    await servingAgent(room._id)
    expect(types(sent)).toEqual(['LivechatSessionTaken'])

    const off = await watch(omnichannel())
    await visitorWithRoom()
    expect(off.sent).toEqual([])
    expect(await outboxRows(omnichannel())).toEqual([])
  })

  it('reports a message once, with its id; a resend of the same _id reports nothing', async () => {
    const { visitor, room } = await visitorWithRoom()
    const { sent } = await watch(env.CHAT_ROOM.getByName(room._id), webhookOn(WEBHOOK))
    const message = await visitorSays(visitor.token, room._id, 'Hi there', { _id: 'client-message-1' })
    await visitorSays(visitor.token, room._id, 'Hi there', { _id: 'client-message-1' })
    expect(sent).toEqual([expect.objectContaining({ type: 'Message', rid: room._id, messageId: message._id, visitorId: visitor._id })])
    expect(await outboxRows(env.CHAT_ROOM.getByName(room._id))).toEqual([])
  })

  it('with the webhook off, a message records nothing', async () => {
    const { visitor, room } = await visitorWithRoom()
    const { sent } = await watch(env.CHAT_ROOM.getByName(room._id))
    await visitorSays(visitor.token, room._id, 'Quiet')
    expect(sent).toEqual([])
  })
})

describe('a message while the queue is slow to take its event', () => {
  /** The room's outbox sends to a queue that takes `ms` to answer (or to fail with `error`);
   * `state.sending` once asked. */
  async function slowQueue(rid: string, ms: number, error?: Error) {
    const state = { sending: false }
    const sendBatch = async () => {
      state.sending = true
      await new Promise((r) => setTimeout(r, ms))
      if (error) throw error
    }
    const queue = { sendBatch } as unknown as Queue
    restores.push((await outboxOf(env.CHAT_ROOM.getByName(rid), { queue, settings: webhookOn(WEBHOOK) })).restore)
    return state
  }
  const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)) }
  const roomState = (rid: string) => runInDurableObject(env.CHAT_ROOM.getByName(rid), async (_i, state) => ({
    rows: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'event_outbox'").toArray().length
      ? state.storage.sql.exec('SELECT id FROM event_outbox').toArray().length : 0,
    alarm: await state.storage.getAlarm(),
  }))

  it('has the alarm set with its row, first words or not: an instance that stops mid-send loses nothing', async () => {
    const { visitor, room } = await visitorWithRoom()
    for (const words of ['first words', 'more words']) {
      // No alarm left from the message before (the summary's).
      await runDurableObjectAlarm(env.CHAT_ROOM.getByName(room._id))
      expect((await roomState(room._id)).alarm).toBeNull()
      const sending = await slowQueue(room._id, 300)
      const answer = sendVisitor(visitor.token, room._id, words)
      await until(() => sending.sending)
      const during = await roomState(room._id)
      expect(during.rows).toBe(1)
      expect(during.alarm).not.toBeNull()
      await expectStatus(await answer, 200)
    }
  })

  it('answers the visitor when the room is erased meanwhile, and leaves nothing of it', async () => {
    const { visitor, room } = await visitorWithRoom()
    const sending = await slowQueue(room._id, 300)
    const answer = sendVisitor(visitor.token, room._id, 'first words, then gone')
    await until(() => sending.sending)
    await expectStatus(await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }), 200)
    const { message } = await expectStatus<{ message: { msg: string } }>(await answer, 200)
    expect(message.msg).toBe('first words, then gone')
    expect(await roomState(room._id)).toEqual({ rows: 0, alarm: null })
    const tables = await runInDurableObject(env.CHAT_ROOM.getByName(room._id), (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray())
    expect(tables).toEqual([])
  })

  it('leaves no alarm in a room erased while the queue refused its event', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { visitor, room } = await visitorWithRoom()
    const sending = await slowQueue(room._id, 300, new Error('Queue sendBatch failed: 503 Service Unavailable'))
    const answer = sendVisitor(visitor.token, room._id, 'words, then gone')
    await until(() => sending.sending)
    await expectStatus(await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }), 200)
    await expectStatus(await answer, 200)
    expect(await roomState(room._id)).toEqual({ rows: 0, alarm: null })
  })
})

describe('an offline message', () => {
  it('is LivechatOfflineMessage (email and webhook), never a session', async () => {
    const { sent } = await watch(omnichannel(), { ...webhookOn(WEBHOOK), ...emailOn })
    const response = await post('/api/v1/livechat/offline.message', { name: 'Olga', email: 'olga@example.com', message: 'Call me' })
    expect(response.status).toBe(200)
    expect(sent.map((e) => `${e.type} ${e.to}`)).toEqual(['LivechatOfflineMessage webhook', 'LivechatOfflineMessage email'])
  })
})

it('a probe of an unknown room stores nothing in its object', async () => {
  await expectStatus(await post('/api/v1/livechat/message', { token: newToken(), rid: 'NoSuchRoom1234567', msg: 'x' }), 400)
  const tables = await runInDurableObject(env.CHAT_ROOM.getByName('NoSuchRoom1234567'), (_i, state) =>
    state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray())
  expect(tables).toEqual([])
})
