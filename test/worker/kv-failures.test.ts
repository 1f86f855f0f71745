// KV failing or lagging: the registry stays right, and every half-done write is repaired.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import type { VisitorRegistry } from '../../worker/src/visitors/visitor-registry.ts'
import { call, createAgent, env, fetchVisitor, getContact, kvWith, newToken, postVisitor, register, registry, registrySettled, registryTables, replicateTo } from './support.ts'

let restore: (() => Promise<unknown>) | undefined
afterEach(async () => {
  await restore?.()
  restore = undefined
  vi.restoreAllMocks()
})

/** The registry's copies go to a KV whose writes and deletes fail while `failing.on`. */
async function flakyReplica(error = 'KV PUT failed: 500 Internal Server Error') {
  const failing = { on: true }
  const fail = (op: 'put' | 'delete') => (...args: unknown[]) =>
    failing.on ? Promise.reject(new Error(error)) : (env.CONTACTS[op] as (...a: unknown[]) => Promise<unknown>).apply(env.CONTACTS, args)
  ;({ restore } = await replicateTo(kvWith({ put: fail('put'), delete: fail('delete') })))
  vi.spyOn(console, 'error').mockImplementation(() => {})
  return failing
}

/** What still waits to reach KV for this visitor. */
const pending = (id: string) => registryTables().then((t) => t.replication.filter((r) => r.key === keys.visitor(id)))
/** Runs the alarm as if every retry were due now. */
const retryNow = async () => {
  await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
  await runDurableObjectAlarm(registry())
}
const kvCopy = (id: string) => env.CONTACTS.get<Visitor>(keys.visitor(id), 'json')
/** A send that failed may still land, so once repaired the newest value is sent once more after
 * KV's cache window; then nothing waits. */
async function expectResentAfterWindow(visitor: Visitor) {
  expect(await pending(visitor._id)).toEqual([expect.objectContaining({ value: JSON.stringify(visitor), sweeps: 0 })])
  await retryNow()
  expect(await kvCopy(visitor._id)).toEqual(visitor)
  expect(await pending(visitor._id)).toEqual([])
}

describe('a KV write that fails', () => {
  it('still answers 200: the registry has the visitor, findable by token; the copy waits in the outbox', async () => {
    await flakyReplica()
    const response = await postVisitor({ visitor: { token: newToken(), name: 'Ana' } })
    expect(response.status).toBe(200)
    const { visitor } = await response.json<{ visitor: Visitor }>()
    expect(await fetchVisitor(visitor.token)).toEqual(visitor)
    expect(await kvCopy(visitor._id)).toBeNull()
    expect(await pending(visitor._id)).toEqual([expect.objectContaining({ attempts: 1, sweeps: 1 })])
  })

  it('is repaired by the next registration of that visitor', async () => {
    const failing = await flakyReplica()
    const token = newToken()
    const first = await register({ token, name: 'Ana' })
    failing.on = false
    const second = await register({ token, phone: '+1 555 0110' })
    expect(await kvCopy(first._id)).toEqual(second)
    await expectResentAfterWindow(second)
  })

  it('is repaired by the alarm, with no request at all', async () => {
    const failing = await flakyReplica()
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const alarm = await runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    failing.on = false
    await retryNow()
    expect(await kvCopy(visitor._id)).toEqual(visitor)
    await expectResentAfterWindow(visitor)
  })

  it('when KV refuses a second write to the key within a second (429), retries after a second', async () => {
    await flakyReplica('KV PUT failed: 429 Too Many Requests')
    const before = Date.now()
    const visitor = await register({ token: newToken() })
    const [row] = await pending(visitor._id)
    // (slack: the registry's clock and the test's advance separately)
    expect(Number(row.due)).toBeGreaterThan(before + 500)
    expect(Number(row.due)).toBeLessThan(Date.now() + 2000)
  })

  it('on erasure: DELETE answers 200, the registry forgets at once, and KV is deleted on retry', async () => {
    const token = newToken()
    const visitor = await register({ token, name: 'Ana Retry' })
    const failing = await flakyReplica()
    expect((await call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })).status).toBe(200)
    expect(await fetchVisitor(token)).toBeNull()
    expect(JSON.stringify((await registryTables()).visitors)).not.toContain('Ana Retry')
    failing.on = false
    await retryNow()
    expect(await kvCopy(visitor._id)).toBeNull()
  })
})

describe('KV writes in order', () => {
  it('a slow first write never lands over a later one: KV ends on the newest record', async () => {
    const token = newToken()
    await register({ token })
    let slowed = 0
    ;({ restore } = await replicateTo(kvWith({
      put: async (...args: unknown[]) => {
        if (slowed++ === 0) await new Promise((r) => setTimeout(r, 100))
        return (env.CONTACTS.put as (...a: unknown[]) => Promise<unknown>).apply(env.CONTACTS, args)
      },
    })))
    const answers = await Promise.all(['First', 'Second', 'Third'].map((name) => register({ token, name })))
    const newest = answers.reduce((a, b) => (a._updatedAt >= b._updatedAt ? a : b))
    expect((await kvCopy(newest._id))?.name).toBe((await fetchVisitor(token))?.name)
  })
})

describe('a location where KV lags (stale values, not just missing ones)', () => {
  /** A KV that answers every visitor read with a copy taken earlier. */
  function staleKv(copies: Map<string, string>) {
    return kvWith({
      get: (key: string, type?: unknown) => {
        const old = copies.get(key)
        if (old === undefined) return env.CONTACTS.get(key, type as 'text')
        return Promise.resolve(type === 'json' ? JSON.parse(old) : old)
      },
    })
  }

  it('updates the current visitor, never the stale copy, and never brings an erased one back', async () => {
    const token = newToken()
    const v1 = await register({ token, name: 'Ana', email: 'ana.stale@example.com' })
    const stale = staleKv(new Map([[keys.visitor(v1._id), JSON.stringify(v1)]]))
    const v2 = await register({ token, name: 'Ana Maria' })

    // A registration served at the lagging location starts from the registry's current record.
    const v3 = await register({ token, phone: '+1 555 0120' }, { CONTACTS: stale })
    expect(v3).toMatchObject({ _id: v1._id, name: v2.name, phone: [{ phoneNumber: '+1 555 0120' }] })

    expect((await call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' }, { CONTACTS: stale })).status).toBe(200)
    const again = await register({ token }, { CONTACTS: stale })
    expect(again._id).not.toBe(v1._id)
    expect(JSON.stringify(again)).not.toContain('Ana')
    expect(await call(`/api/v1/livechat/visitor/${v1.token}`, {}, { CONTACTS: stale }).then((r) => r.json<any>()))
      .toEqual({ visitor: again, success: true })
    // At this location itself, KV was deleted before the DELETE answered.
    const { headers } = await createAgent()
    expect(await (await getContact(`?contactId=${v1._id}`, headers)).json()).toEqual({ contact: null, success: true })
  })
})

describe('the outbox alarm', () => {
  const alarmAt = () => runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())
  const clearAlarm = () => runInDurableObject(registry(), async (_i, state) => {
    await state.storage.deleteAlarm()
    state.storage.sql.exec('DELETE FROM replication')
  })

  it('is not woken by registrations that all reached KV', async () => {
    await clearAlarm()
    await Promise.all(Array.from({ length: 10 }, () => register({ token: newToken() })))
    expect(await alarmAt()).toBeNull()
  })

  it('after a restart, sends at once what a previous instance recorded but never sent', async () => {
    await clearAlarm()
    const visitor = await register({ token: newToken(), name: 'Left Behind' })
    await registrySettled()
    // As if the instance died between its SQL step and its send: the wish is there, KV is not.
    await runInDurableObject(registry(), (_i, state) => {
      state.storage.sql.exec("INSERT INTO replication (key, value, version, due) VALUES (?, ?, 1, 0)", keys.visitor(visitor._id), JSON.stringify({ ...visitor, name: 'Newer' }))
    })
    await runInDurableObject(registry(), (instance: VisitorRegistry) => instance.replica.resume())
    expect(await alarmAt()).not.toBeNull()
    await runDurableObjectAlarm(registry())
    expect((await kvCopy(visitor._id))?.name).toBe('Newer')
    // That instance may have died mid-send: the value goes once more after the window, then no more.
    expect(await pending(visitor._id)).toMatchObject([{ sweeps: 0, unsent: 0 }])
    await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
    await runDurableObjectAlarm(registry())
    expect(await pending(visitor._id)).toEqual([])
  })
})
