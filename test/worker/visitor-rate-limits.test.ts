// GET and DELETE /api/v1/livechat/visitor/:token are limited per client network (600 and 30 a
// minute), so a site with guessable tokens cannot be scanned or mass-erased; RATE_LIMITS=off
// turns them off with the rest.
import { describe, expect, it } from 'vitest'
import { call, newToken, register } from './support.ts'

let block = 0
/** An IPv4 address no other test uses, and two IPv6 addresses of one fresh /64. */
const fresh = () => {
  block++
  return { ipv4: `203.0.${block}.7`, v6a: `2001:db8:${block.toString(16)}:1::a`, v6b: `2001:DB8:${block.toString(16)}:1:ffff:ffff:ffff:1` }
}

const read = (token: string, ip: string, vars: Partial<Env> = {}) =>
  call(`/api/v1/livechat/visitor/${token}`, { headers: { 'cf-connecting-ip': ip } }, vars)
const erase = (token: string, ip: string, vars: Partial<Env> = {}) =>
  call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE', headers: { 'cf-connecting-ip': ip } }, vars)

async function statuses(responses: Promise<Response>[]): Promise<Record<number, number>> {
  const counted: Record<number, number> = {}
  for (const r of await Promise.all(responses)) counted[r.status] = (counted[r.status] ?? 0) + 1
  return counted
}

describe('per client network', () => {
  it('600 reads a minute, then 429 with Retry-After; another network is unaffected', async () => {
    const { ipv4 } = fresh()
    const scan = Array.from({ length: 600 }, () => read(newToken(), ipv4))
    expect(await statuses(scan)).toEqual({ 400: 600 })
    const visitor = await register({ token: newToken(), name: 'Known' })
    const refused = await read(visitor.token, ipv4)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect((await refused.json<{ error: string }>()).error).toMatch(/\[error-too-many-requests\]$/)
    expect((await read(visitor.token, fresh().ipv4)).status).toBe(200)
  })

  it('30 erasures a minute; the 31st is refused and erases nothing', async () => {
    const { ipv4 } = fresh()
    expect(await statuses(Array.from({ length: 30 }, () => erase(newToken(), ipv4)))).toEqual({ 400: 30 })
    const visitor = await register({ token: newToken(), name: 'Still here' })
    expect((await erase(visitor.token, ipv4)).status).toBe(429)
    expect((await read(visitor.token, fresh().ipv4)).status).toBe(200)
  })

  it('two IPv6 addresses of one /64 share the budget', async () => {
    const { v6a, v6b } = fresh()
    expect(await statuses(Array.from({ length: 30 }, (_, i) => erase(newToken(), i % 2 ? v6a : v6b)))).toEqual({ 400: 30 })
    expect((await erase(newToken(), v6b)).status).toBe(429)
    expect((await erase(newToken(), v6a)).status).toBe(429)
  })

  it('RATE_LIMITS=off lifts both limits', async () => {
    const { ipv4 } = fresh()
    const off = { RATE_LIMITS: 'off' }
    expect(await statuses(Array.from({ length: 650 }, () => read(newToken(), ipv4, off)))).toEqual({ 400: 650 })
    expect(await statuses(Array.from({ length: 40 }, () => erase(newToken(), ipv4, off)))).toEqual({ 400: 40 })
  })
})
