// A registration answers once the visitor is stored, its KV copy acknowledged and its event taken by
// the queue; recording those acknowledgments (the outbox rows going) follows the answer. Held back
// here, to show the answer does not wait for them, that a 200 already means stored and findable,
// and that an instance dying before them loses nothing (it only sends again what is already there).
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import type { VisitorRegistry } from '../../worker/src/visitors/visitor-registry.ts'
import { afterAnswer } from '../../worker/src/after-answer.ts'
import { env, fetchVisitor, newToken, register, registry, registrySettled } from './support.ts'
import { outboxOf, recordingQueue } from './notifications-support.ts'

/** Releases what `holdAcknowledgments` holds. */
let release: (() => Promise<unknown>) | undefined
let restoreQueue: (() => Promise<unknown>) | undefined
let realKv: KVNamespace | undefined
afterEach(async () => {
  await release?.()
  await restoreQueue?.()
  await runInDurableObject(registry(), (instance: VisitorRegistry) => {
    instance.replica.afterAnswer = afterAnswer
    instance.outbox.afterAnswer = afterAnswer
    if (realKv) instance.replica.kv = realKv
  })
  realKv = undefined
  release = restoreQueue = undefined
})

/** The registry's acknowledgments wait until `release()`. */
async function holdAcknowledgments() {
  await runInDurableObject(registry(), (instance: VisitorRegistry) => {
    let open!: () => void
    const held = new Promise<void>((resolve) => { open = resolve })
    instance.replica.afterAnswer = () => held
    instance.outbox.afterAnswer = () => held
    release = () => runInDurableObject(registry(), () => open())
  })
}

/** The registry's outbox rows for this visitor: its KV copy's and its events'. */
const rowsOf = (visitor: Visitor) => runInDurableObject(registry(), (_i, state) => ({
  replication: state.storage.sql.exec('SELECT key, unsent FROM replication WHERE key = ?', keys.visitor(visitor._id)).toArray(),
  events: state.storage.sql.exec<{ body: string }>('SELECT body FROM event_outbox').toArray()
    .filter((r) => r.body.includes(visitor._id)),
}))

/** Every value the registry puts into KV from now on. */
async function watchPuts(): Promise<string[]> {
  const values: string[] = []
  await runInDurableObject(registry(), (instance: VisitorRegistry) => {
    const kv = (realKv = instance.replica.kv)
    instance.replica.kv = {
      put: (key: string, value: string) => { values.push(value); return kv.put(key, value) },
      delete: (key: string) => kv.delete(key),
    } as KVNamespace
  })
  return values
}

const kvCopy = (id: string) => env.CONTACTS.get<Visitor>(keys.visitor(id), 'json')

async function watchQueue() {
  const recording = recordingQueue()
  ;({ restore: restoreQueue } = await outboxOf(registry(), { queue: recording.queue }))
  return recording
}

describe('a new contact\'s registration, its acknowledgments held back', () => {
  it('answers 200 with the visitor stored, findable by token, copied into KV and its event queued', async () => {
    const { sent } = await watchQueue()
    await holdAcknowledgments()
    const visitor = await register({ token: newToken(), name: 'Held' })
    expect(await fetchVisitor(visitor.token)).toEqual(visitor)
    expect(await kvCopy(visitor._id)).toEqual(visitor)
    expect(sent.map((e) => [e.type, e.visitorId])).toContainEqual(['LivechatNewContact', visitor._id])
    // Not yet recorded: the rows are still there.
    const waiting = await rowsOf(visitor)
    expect(waiting.replication).toEqual([{ key: keys.visitor(visitor._id), unsent: 1 }])
    expect(waiting.events).toHaveLength(1)
    await release!()
    await registrySettled()
    expect(await rowsOf(visitor)).toEqual({ replication: [], events: [] })
  })

  it('an instance that dies before them sends the same again at its start, and then keeps nothing', async () => {
    const { sent } = await watchQueue()
    await holdAcknowledgments()
    const visitor = await register({ token: newToken(), name: 'Dies Early' })
    const eventId = sent.find((e) => e.visitorId === visitor._id)!.eventId
    await runInDurableObject(registry(), (_i, state) => state.abort('restart')).catch(() => {})
    // A new instance (its own outbox, its own queue) resumes: both rows go out again from its alarm.
    release = restoreQueue = undefined
    const again = await watchQueue()
    await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
    await runDurableObjectAlarm(registry())
    expect(again.sent.filter((e) => e.visitorId === visitor._id).map((e) => e.eventId)).toEqual([eventId])
    expect(await kvCopy(visitor._id)).toEqual(visitor)
    // It may have died mid-send: the value goes once more after KV's window, then no row is left.
    await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
    await runDurableObjectAlarm(registry())
    expect(await rowsOf(visitor)).toEqual({ replication: [], events: [] })
    expect(await kvCopy(visitor._id)).toEqual(await fetchVisitor(visitor.token))
  })

  it('later changes of the visitor are sent and answered while an earlier acknowledgment waits; no value goes twice', async () => {
    await holdAcknowledgments()
    const token = newToken()
    const first = await register({ token, name: 'First' })
    const puts = await watchPuts()
    // Sends of one key follow each other, but none waits for the recording of the one before.
    const changed = await Promise.all(['Second', 'Third', 'Fourth'].map((name) => register({ token, name })))
    expect(changed.map((v) => v._id)).toEqual([first._id, first._id, first._id])
    const stored = await fetchVisitor(token)
    expect(await kvCopy(first._id)).toEqual(stored)
    expect(puts.length).toBeGreaterThan(0)
    expect(new Set(puts).size).toBe(puts.length)
    expect(JSON.parse(puts.at(-1)!)).toEqual(stored)
    await release!()
    await registrySettled()
    expect((await rowsOf(first)).replication).toEqual([])
    expect(await kvCopy(first._id)).toEqual(stored)
  })
})
