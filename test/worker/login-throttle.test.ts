// Failed sign-ins as Rocket.Chat's defaults limit them: 10 for one username, or 50 from one IP,
// block further attempts for 5 minutes. Counted in the LoginThrottle Durable Object, exactly
// under concurrency: a password is checked (one PBKDF2 derivation) only for admitted attempts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BLOCK_MS, FORGET_MS } from '../../worker/src/agents/login-throttle.ts'
import {
  LOGIN_FAILED, PASSWORD, countingThrottle, createAgentWithPassword, login, shiftThrottle, spyOnCrypto, throttle, throttleRows, uniqueName,
} from './agent-support.ts'
import { call } from './support.ts'

const tooMany = (seconds: number) => ({
  success: false,
  error: `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again. [error-too-many-requests]`,
})

let crypto: ReturnType<typeof spyOnCrypto>
beforeEach(() => { crypto = spyOnCrypto() })
afterEach(() => { vi.restoreAllMocks() })

/** How many PBKDF2 derivations (password checks) ran since the last clear. */
const passwordChecks = () => crypto.spies.deriveBits.mock.calls.length

let subnet = 0
/** `n` distinct client IPs no other test uses. */
const ips = (n: number) => { subnet++; return Array.from({ length: n }, (_, i) => `198.51.${subnet}.${i + 1}`) }
const oneIp = () => ips(1)[0]

async function statuses(responses: Response[]) {
  const counted: Record<number, number> = {}
  for (const r of responses) counted[r.status] = (counted[r.status] ?? 0) + 1
  return counted
}

describe('per username', () => {
  it('30 wrong passwords at once, each from its own IP: exactly 10 are checked, 20 answer 429', async () => {
    const agent = await createAgentWithPassword()
    crypto.clear()
    const responses = await Promise.all(ips(30).map((ip) => login({ user: agent.username, password: 'wrong password' }, { ip })))
    expect(passwordChecks()).toBe(10)
    expect(await statuses(responses)).toEqual({ 401: 10, 429: 20 })
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(response.headers.get('retry-after')).toBe('300')
      expect(await response.json()).toEqual(tooMany(300))
    }
  })

  it('the block covers the right password too, any case of the name, from any IP; nothing is checked meanwhile', async () => {
    const agent = await createAgentWithPassword()
    for (const ip of ips(10)) expect((await login({ user: agent.username, password: 'wrong password' }, { ip })).status).toBe(401)
    crypto.clear()
    for (const user of [agent.username, agent.username.toUpperCase()]) {
      const response = await login({ user, password: PASSWORD }, { ip: oneIp() })
      expect(response.status).toBe(429)
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(290)
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(300)
    }
    expect(passwordChecks()).toBe(0)
  })

  it('counts a name that belongs to nobody the same way', async () => {
    const nobody = uniqueName()
    const responses = await Promise.all(ips(12).map((ip) => login({ user: nobody, password: PASSWORD }, { ip })))
    expect(await statuses(responses)).toEqual({ 401: 10, 429: 2 })
  })

  it('Retry-After counts down; after 5 minutes the username gets 10 attempts again', async () => {
    const agent = await createAgentWithPassword()
    for (const ip of ips(10)) await login({ user: agent.username, password: 'wrong password' }, { ip })
    const key = `user:${agent.username.toLowerCase()}`
    await shiftThrottle(key, -120_000) // two minutes pass
    const waiting = await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })
    expect(waiting.status).toBe(429)
    expect(waiting.headers.get('retry-after')).toBe('180')
    expect(await waiting.json()).toEqual(tooMany(180))

    await shiftThrottle(key, -BLOCK_MS) // the block is over
    const again = await Promise.all(ips(12).map((ip) => login({ user: agent.username, password: 'wrong password' }, { ip })))
    expect(await statuses(again)).toEqual({ 401: 10, 429: 2 })
  })

  it('a successful login resets the username\'s failures', async () => {
    const agent = await createAgentWithPassword()
    for (const ip of ips(9)) expect((await login({ user: agent.username, password: 'wrong password' }, { ip })).status).toBe(401)
    expect((await throttleRows())[`user:${agent.username.toLowerCase()}`].failures).toBe(9)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })).status).toBe(200)
    expect((await throttleRows())[`user:${agent.username.toLowerCase()}`]).toBeUndefined()
    const after = await Promise.all(ips(11).map((ip) => login({ user: agent.username, password: 'wrong password' }, { ip })))
    expect(await statuses(after)).toEqual({ 401: 10, 429: 1 })
  })

  it('forgets failures after 24 hours without one', async () => {
    const agent = await createAgentWithPassword()
    for (const ip of ips(9)) await login({ user: agent.username, password: 'wrong password' }, { ip })
    await shiftThrottle(`user:${agent.username.toLowerCase()}`, -FORGET_MS - 1)
    const after = await Promise.all(ips(11).map((ip) => login({ user: agent.username, password: 'wrong password' }, { ip })))
    expect(await statuses(after)).toEqual({ 401: 10, 429: 1 })
  })
})

describe('per IP', () => {
  it('60 attempts at once from one IP, each for another name: exactly 50 are checked, 10 answer 429', async () => {
    const ip = oneIp()
    crypto.clear()
    const responses = await Promise.all(Array.from({ length: 60 }, () => login({ user: uniqueName(), password: PASSWORD }, { ip })))
    expect(passwordChecks()).toBe(50)
    expect(await statuses(responses)).toEqual({ 401: 50, 429: 10 })
    const blocked = responses.find((r) => r.status === 429)!
    expect(blocked.headers.get('retry-after')).toBe('300')
    expect(await blocked.json()).toEqual(tooMany(300))
  })

  it('a blocked IP cannot sign in even with the right password; another IP can', async () => {
    const ip = oneIp()
    await Promise.all(Array.from({ length: 50 }, () => login({ user: uniqueName(), password: PASSWORD }, { ip })))
    const agent = await createAgentWithPassword()
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(429)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })).status).toBe(200)
    await shiftThrottle(`ip:${ip}`, -BLOCK_MS)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
  })

  it('a success from an IP takes back only its own attempt: it does not clear the IP\'s failures', async () => {
    const ip = oneIp()
    const agent = await createAgentWithPassword()
    for (let i = 0; i < 49; i++) expect((await login({ user: uniqueName(), password: PASSWORD }, { ip })).status).toBe(401)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
    expect((await throttleRows())[`ip:${ip}`]).toMatchObject({ failures: 49, blocked_until: null })
    // The 50th failure blocks.
    expect((await login({ user: uniqueName(), password: PASSWORD }, { ip })).status).toBe(401)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(429)
  })

  it('requests without cf-connecting-ip share one count', async () => {
    const agent = await createAgentWithPassword()
    const body = JSON.stringify({ user: agent.username, password: PASSWORD })
    expect((await call('/api/v1/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200)
    expect((await throttleRows())['ip:unknown']).toMatchObject({ failures: 0 })
  })
})

describe('RATE_LIMITS=off', () => {
  it('turns the throttle off: every attempt is checked, the Durable Object is never called', async () => {
    const agent = await createAgentWithPassword()
    const calls = countingThrottle()
    const ip = oneIp()
    crypto.clear()
    const responses = await Promise.all(Array.from({ length: 15 }, () =>
      login({ user: agent.username, password: 'wrong password' }, { ip, overrides: { RATE_LIMITS: 'off', ...calls.env } })))
    expect(await statuses(responses)).toEqual({ 401: 15 })
    expect(passwordChecks()).toBe(15)
    expect(calls.calls).toEqual([])
    expect((await throttleRows())[`user:${agent.username.toLowerCase()}`]).toBeUndefined()
    expect((await login({ user: agent.username, password: PASSWORD }, { ip, overrides: { RATE_LIMITS: 'off' } })).status).toBe(200)
  })
})

describe('the Durable Object itself', () => {
  it('admits, blocks and reports the wait at a given time', async () => {
    const stub = throttle()
    const user = uniqueName()
    const t0 = 1_900_000_000_000
    for (let i = 0; i < 10; i++) expect(await stub.admit(user, `203.0.113.${i}`, t0 + i)).toEqual({ admitted: true })
    expect(await stub.admit(user, '203.0.113.99', t0 + 10)).toEqual({ admitted: false, retryAfter: 300 })
    expect(await stub.admit(user.toUpperCase(), '203.0.113.99', t0 + 9 + BLOCK_MS - 1)).toEqual({ admitted: false, retryAfter: 1 })
    expect(await stub.admit(user, '203.0.113.99', t0 + 9 + BLOCK_MS)).toEqual({ admitted: true })
  })
})

describe('login costs', () => {
  it('a failure: 1 throttle call; a success: 2 (admit, then reset)', async () => {
    const agent = await createAgentWithPassword()
    const failed = countingThrottle()
    const response = await login({ user: agent.username, password: 'wrong password' }, { overrides: failed.env })
    expect([response.status, await response.json()]).toEqual([401, LOGIN_FAILED])
    expect(failed.calls).toEqual(['admit'])
    const succeeded = countingThrottle()
    expect((await login({ user: agent.username, password: PASSWORD }, { overrides: succeeded.env })).status).toBe(200)
    expect(succeeded.calls).toEqual(['admit', 'succeeded'])
  })
})
