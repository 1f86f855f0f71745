// GET and DELETE /api/v1/livechat/visitor/:token are limited per client network (600 and 30 a
// minute), so a site with guessable tokens cannot be scanned or mass-erased; the chat endpoints
// that look a token up share the 600 reads; RATE_LIMITS=off turns them off with the rest.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Room } from '../../shared/chat.ts'
import { call, inOneRateWindow, newToken, register } from './support.ts'

// Up to 15 s of wait for a fresh window, then a burst that may take a while on a busy machine.
beforeEach(() => inOneRateWindow(), 70_000)
vi.setConfig({ testTimeout: 60_000 })

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

/** Every visitor endpoint that looks a token up, for this token and room id. */
const lookups = (token: string, rid: string) => [
  `/api/v1/livechat/visitor/${token}`,
  `/api/v1/livechat/room?token=${token}`,
  `/api/v1/livechat/messages.history/${rid}?token=${token}`,
  `/api/v1/livechat/agent.info/${rid}/${token}`,
  `/api/v1/livechat/config?token=${token}`,
  'room.close',
]
const lookUp = (path: string, token: string, rid: string, ip: string, vars: Partial<Env> = {}) =>
  path === 'room.close'
    ? call('/api/v1/livechat/room.close', {
      method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: JSON.stringify({ rid, token }),
    }, vars)
    : call(path, { headers: { 'cf-connecting-ip': ip } }, vars)
/** 600 lookups of unknown tokens, spread over every endpoint. */
const scan = (ip: string) => Array.from({ length: 600 }, (_, i) => {
  const token = newToken()
  return lookUp(lookups(token, 'noSuchRoom')[i % 6], token, 'noSuchRoom', ip)
})

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

  it('the chat endpoints that look a token up share the 600 reads, counted before the lookup', async () => {
    const { ipv4 } = fresh()
    // The victim has an open room, made from elsewhere.
    const victim = await register({ token: newToken(), name: 'Victim' })
    const opened = await call(`/api/v1/livechat/room?token=${victim.token}`)
    const { room } = await opened.json<{ room: Room }>()
    expect(opened.status).toBe(200)
    // Unknown tokens answer 400, except config, which answers without a room.
    expect(await statuses(scan(ipv4))).toEqual({ 200: 100, 400: 500 })
    for (const path of lookups(victim.token, room._id)) {
      const refused = await lookUp(path, victim.token, room._id, ipv4)
      expect(refused.status, path).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('60')
    }
    // Nothing happened to the victim's room (room.close was refused too).
    const after = await call(`/api/v1/livechat/room?token=${victim.token}`)
    expect(await after.json()).toMatchObject({ newRoom: false, room: { _id: room._id, open: true } })
    // RATE_LIMITS=off lifts it (room.close, last, closes the room).
    for (const path of lookups(victim.token, room._id)) {
      expect((await lookUp(path, victim.token, room._id, ipv4, { RATE_LIMITS: 'off' })).status, path).not.toBe(429)
    }
  })

  it('RATE_LIMITS=off lifts both limits', async () => {
    const { ipv4 } = fresh()
    const off = { RATE_LIMITS: 'off' }
    expect(await statuses(Array.from({ length: 650 }, () => read(newToken(), ipv4, off)))).toEqual({ 400: 650 })
    expect(await statuses(Array.from({ length: 40 }, () => erase(newToken(), ipv4, off)))).toEqual({ 400: 40 })
  })
})
