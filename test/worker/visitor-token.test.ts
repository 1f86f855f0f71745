import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import { RESWEEP_MS } from '../../worker/src/visitors/kv-replica.ts'
import { call, createAgent, env, fetchVisitor, getContact, newToken, register, registry, registrySettled, snapshot } from './support.ts'

const INVALID_TOKEN = { success: false, error: '[invalid-token]', errorType: 'invalid-token' }

describe('GET /api/v1/livechat/visitor/:token', () => {
  it('returns the visitor of a known token', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const response = await call(`/api/v1/livechat/visitor/${visitor.token}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ visitor, success: true })
  })

  it('answers 400 [invalid-token] for an unknown token', async () => {
    const response = await call(`/api/v1/livechat/visitor/${newToken()}`)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual(INVALID_TOKEN)
  })

  for (const hostile of ['..%2F..%2Fetc', 'visitor%3Aabc', 'a%00b', 'a'.repeat(5000)]) {
    it(`answers 400 [invalid-token] for the hostile token ${hostile.slice(0, 20)}`, async () => {
      const response = await call(`/api/v1/livechat/visitor/${hostile}`)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual(INVALID_TOKEN)
    })
  }
})

describe('DELETE /api/v1/livechat/visitor/:token', () => {
  it('answers with the erased visitor\'s _id and the time of erasure', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const response = await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    expect(response.status).toBe(200)
    const body = await response.json<any>()
    expect(body).toEqual({ visitor: { _id: visitor._id, ts: expect.any(String) }, success: true })
    expect(Date.parse(body.visitor.ts)).toBeGreaterThanOrEqual(Date.parse(visitor._updatedAt))
  })

  it('forgets the token, and the contact reads as null', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    expect(await fetchVisitor(visitor.token)).toBeNull()
    const { headers } = await createAgent()
    expect(await (await getContact(`?contactId=${visitor._id}`, headers)).json()).toEqual({ contact: null, success: true })
  })

  it('erases the personal data from KV and from the registry before answering', async () => {
    const phone = newToken()
    const email = `${newToken().toLowerCase()}@example.com`
    const visitor = await register({
      token: newToken(), name: 'Ana Erased', phone, email, customFields: [{ key: 'address', value: 'Erased street', overwrite: true }],
    })
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    const { kv, registry: tables } = await snapshot()
    const stored = JSON.stringify({ kv, tables })
    for (const value of [visitor.token, visitor.username, 'Ana Erased', phone, email, 'Erased street']) expect(stored).not.toContain(value)
    expect(JSON.stringify(kv)).not.toContain(visitor._id)
    // The random _id stays only as the name of the key to sweep again in 70 s.
    expect(tables.visitors.some((row) => row.id === visitor._id)).toBe(false)
    expect(tables.replication).toContainEqual(expect.objectContaining({ key: keys.visitor(visitor._id), value: null }))
  })

  it('lets the same token register again as a new contact', async () => {
    const token = newToken()
    const first = await register({ token, name: 'Ana' })
    await call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })
    const second = await register({ token, name: 'Ana again' })
    expect(second._id).not.toBe(first._id)
    expect(second.username).not.toBe(first.username)
    expect(second).not.toHaveProperty('phone')
  })

  it('no longer matches the erased visitor by phone or email', async () => {
    const phone = newToken()
    const first = await register({ token: newToken(), phone })
    await call(`/api/v1/livechat/visitor/${first.token}`, { method: 'DELETE' })
    const second = await register({ token: newToken(), phone })
    expect(second._id).not.toBe(first._id)
  })

  it('answers 400 [invalid-token] for an unknown token, changing nothing', async () => {
    await register({ token: newToken() })
    const before = await snapshot()
    const response = await call(`/api/v1/livechat/visitor/${newToken()}`, { method: 'DELETE' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual(INVALID_TOKEN)
    expect(await snapshot()).toEqual(before)
  })
})

describe('erasure is swept again 70 s later', () => {
  /** Makes the pending re-sweeps due now, as if 70 s had passed, and runs the alarm. (Once the
   * erasure's acknowledgment, recorded after the answer, is in: it sets the re-sweep's time.) */
  const sweepNow = async () => {
    await registrySettled()
    await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
    return runDurableObjectAlarm(registry())
  }

  it('schedules the sweep for 70 s after the erasure, not earlier', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const before = Date.now()
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    await registrySettled()
    const alarm = await runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())
    // (a second of slack: the registry's clock and the test's advance separately)
    expect(alarm).toBeGreaterThan(before + RESWEEP_MS - 1000)
    expect(alarm).toBeLessThan(Date.now() + RESWEEP_MS + 1000)
    // An alarm that fires early (a retry, another erasure's) leaves a sweep that is not due alone.
    await runDurableObjectAlarm(registry())
    const rows = await runInDurableObject(registry(), (_i, state) =>
      state.storage.sql.exec('SELECT key, value FROM replication WHERE key = ?', keys.visitor(visitor._id)).toArray())
    expect(rows).toEqual([{ key: keys.visitor(visitor._id), value: null }])
  })

  it('deletes again a copy that a late write brought back, then forgets the erasure', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana Racing', email: `${newToken().toLowerCase()}@example.com` })
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    // A KV write that timed out, yet landed after the erasure.
    await env.CONTACTS.put(keys.visitor(visitor._id), JSON.stringify(visitor))
    await sweepNow()
    const { headers } = await createAgent()
    expect(await (await getContact(`?contactId=${visitor._id}`, headers)).json()).toEqual({ contact: null, success: true })
    const stored = await snapshot()
    expect(JSON.stringify(stored)).not.toContain('Ana Racing')
    expect(JSON.stringify(stored)).not.toContain(visitor._id)
  })

  it('leaves alone a new contact that took the same token after the erasure', async () => {
    const token = newToken()
    await register({ token, name: 'Old' })
    await call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })
    const renewed = await register({ token, name: 'New' })
    await sweepNow()
    expect(await fetchVisitor(token)).toEqual(renewed)
    const { headers } = await createAgent()
    expect((await (await getContact(`?contactId=${renewed._id}`, headers)).json<any>()).contact).toEqual(renewed)
  })
})
