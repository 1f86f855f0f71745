// KV costs money and latency: these pin the number of operations per request type.
import { describe, expect, it } from 'vitest'
import { call, countingKv, createAgent, env, getContact, newToken, postVisitor, register } from './support.ts'

describe('KV operations per request', () => {
  it('GET contact: 1 read for the credentials and 1 for the contact', async () => {
    const visitor = await register({ token: newToken() })
    const { headers } = await createAgent()
    const { counts, env } = countingKv()
    expect((await getContact(`?contactId=${visitor._id}`, headers, env)).status).toBe(200)
    expect(counts).toEqual({ get: 2, put: 0, delete: 0, list: 0 })
  })

  it('POST with a known token and unchanged phone and email: 2 reads, 1 write', async () => {
    const token = newToken()
    // Phones and emails unique to each test: a shared one would match another test's visitor.
    await register({ token, email: 'same@example.com', phone: '123' })
    const { counts, env } = countingKv()
    expect((await postVisitor({ visitor: { token, name: 'Ana', email: 'same@example.com', phone: '123' } }, env)).status).toBe(200)
    expect(counts).toEqual({ get: 2, put: 1, delete: 0, list: 0 })
  })

  it('POST with a known token never calls the Durable Object', async () => {
    const token = newToken()
    await register({ token })
    let claims = 0
    const stub = env.VISITOR_REGISTRY.getByName('global')
    const registry = {
      getByName: () => new Proxy(stub, {
        get: (target, prop) => (prop === 'claim' ? (...args: [never, never]) => (claims++, target.claim(...args)) : Reflect.get(target, prop)),
      }),
    } as unknown as Env['VISITOR_REGISTRY']
    expect((await postVisitor({ visitor: { token, name: 'Ana' } }, { VISITOR_REGISTRY: registry })).status).toBe(200)
    expect(claims).toBe(0)
    expect((await postVisitor({ visitor: { token: newToken() } }, { VISITOR_REGISTRY: registry })).status).toBe(200)
    expect(claims).toBe(1)
  })

  it('POST with a known token and a new phone and email: 2 reads, 1 write plus the 2 changed indexes', async () => {
    const token = newToken()
    await register({ token, email: 'old@example.com', phone: '456' })
    const { counts, env } = countingKv()
    expect((await postVisitor({ visitor: { token, email: 'new@example.com', phone: '789' } }, env)).status).toBe(200)
    expect(counts).toEqual({ get: 2, put: 3, delete: 0, list: 0 })
  })

  it('POST with a new token, phone and email: 3 reads (token, phone, email indexes), then visitor + 3 indexes', async () => {
    const { counts, env } = countingKv()
    expect((await postVisitor({ visitor: { token: newToken(), email: `${newToken()}@example.com`.toLowerCase(), phone: newToken() } }, env)).status).toBe(200)
    expect(counts).toEqual({ get: 3, put: 4, delete: 0, list: 0 })
  })

  it('a refused POST: no KV operation at all', async () => {
    const { counts, env } = countingKv()
    expect((await postVisitor({ visitor: { token: '' } }, env)).status).toBe(400)
    expect(counts).toEqual({ get: 0, put: 0, delete: 0, list: 0 })
  })

  it('GET visitor by token: 2 reads', async () => {
    const visitor = await register({ token: newToken() })
    const { counts, env } = countingKv()
    expect((await call(`/api/v1/livechat/visitor/${visitor.token}`, {}, env)).status).toBe(200)
    expect(counts).toEqual({ get: 2, put: 0, delete: 0, list: 0 })
  })

  it('DELETE: 2 reads to find the visitor, 2 to check which phone/email indexes it still owns, then 4 deletes', async () => {
    const visitor = await register({ token: newToken(), phone: newToken(), email: `${newToken()}@example.com`.toLowerCase() })
    const { counts, env } = countingKv()
    expect((await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }, env)).status).toBe(200)
    expect(counts).toEqual({ get: 4, put: 0, delete: 4, list: 0 })
  })
})
