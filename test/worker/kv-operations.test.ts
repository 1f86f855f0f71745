// KV and Durable Object calls cost money and latency: these pin the number of each per request,
// counting what the Worker does and what the registry does on its behalf.
import { afterEach, describe, expect, it } from 'vitest'
import { call, countingKv, countingRegistry, countingReplica, createAgent, getContact, newToken, postVisitor, register } from './support.ts'

const NONE = { get: 0, put: 0, delete: 0, list: 0 }

/** Runs `request` counting the Worker's KV operations, the registry's, and the registry calls. */
async function measure(request: (env: Partial<Env>) => Promise<Response>) {
  const worker = countingKv()
  const registry = countingRegistry()
  const replica = await countingReplica()
  restore = replica.restore
  const response = await request({ ...worker.env, ...registry.env })
  await replica.restore()
  return { status: response.status, worker: worker.counts, registry: registry.calls, replica: replica.counts }
}
let restore: (() => Promise<unknown>) | undefined
afterEach(async () => { await restore?.() })

describe('KV and Durable Object operations per request', () => {
  it('GET contact: 3 KV reads (credentials: agent and session; contact), no registry call', async () => {
    const visitor = await register({ token: newToken() })
    const { headers } = await createAgent()
    expect(await measure((env) => getContact(`?contactId=${visitor._id}`, headers, env)))
      .toEqual({ status: 200, worker: { ...NONE, get: 3 }, registry: [], replica: NONE })
  })

  it('POST with a new token, phone and email: 1 registry call, which writes 1 KV record', async () => {
    const body = { visitor: { token: newToken(), email: `${newToken().toLowerCase()}@example.com`, phone: newToken() } }
    expect(await measure((env) => postVisitor(body, env)))
      .toEqual({ status: 200, worker: NONE, registry: ['register'], replica: { ...NONE, put: 1 } })
  })

  it('POST with a known token: the same, 1 registry call and 1 KV write', async () => {
    const token = newToken()
    await register({ token, email: `${newToken().toLowerCase()}@example.com`, phone: '123' })
    expect(await measure((env) => postVisitor({ visitor: { token, name: 'Ana', phone: '456' } }, env)))
      .toEqual({ status: 200, worker: NONE, registry: ['register'], replica: { ...NONE, put: 1 } })
  })

  it('a refused POST: nothing at all', async () => {
    expect(await measure((env) => postVisitor({ visitor: { token: '' } }, env)))
      .toEqual({ status: 400, worker: NONE, registry: [], replica: NONE })
  })

  it('GET visitor by token: 1 registry call, no KV', async () => {
    const visitor = await register({ token: newToken() })
    expect(await measure((env) => call(`/api/v1/livechat/visitor/${visitor.token}`, {}, env)))
      .toEqual({ status: 200, worker: NONE, registry: ['find'], replica: NONE })
  })

  it('DELETE: 1 registry call, which deletes the 1 KV record (and once more 70 s later)', async () => {
    const visitor = await register({ token: newToken(), phone: newToken(), email: `${newToken().toLowerCase()}@example.com` })
    expect(await measure((env) => call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' }, env)))
      .toEqual({ status: 200, worker: NONE, registry: ['erase'], replica: { ...NONE, delete: 1 } })
  })
})
