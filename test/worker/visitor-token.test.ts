import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import { call, createAgent, env, fetchVisitor, getContact, newToken, register, snapshot } from './support.ts'

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

  it('erases the personal data and its indexes from KV', async () => {
    const phone = newToken()
    const email = `${newToken().toLowerCase()}@example.com`
    const visitor = await register({ token: newToken(), name: 'Ana Erased', phone, email })
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    const stored = JSON.stringify(await snapshot())
    for (const value of [visitor._id, visitor.token, 'Ana Erased', phone, email]) expect(stored).not.toContain(value)
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

describe('erasure survives a registration that raced it', () => {
  const registry = () => env.VISITOR_REGISTRY.getByName('global')

  it('erases again a record written back after the DELETE', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana Racing', email: `${newToken().toLowerCase()}@example.com` })
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    // A registration that read KV before the erasure writes its update afterwards.
    await env.CONTACTS.put(keys.visitor(visitor._id), JSON.stringify({ ...visitor, name: 'Ana Racing' }))
    expect(await runDurableObjectAlarm(registry())).toBe(true)
    const { headers } = await createAgent()
    expect(await (await getContact(`?contactId=${visitor._id}`, headers)).json()).toEqual({ contact: null, success: true })
    expect(JSON.stringify(await snapshot())).not.toContain('Ana Racing')
  })

  it('leaves alone a new contact that took the same token after the erasure', async () => {
    const token = newToken()
    const erased = await register({ token, name: 'Old' })
    await call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })
    const renewed = await register({ token, name: 'New' })
    await env.CONTACTS.put(keys.visitor(erased._id), JSON.stringify(erased))
    await runDurableObjectAlarm(registry())
    expect(await fetchVisitor(token)).toEqual(renewed)
  })
})
