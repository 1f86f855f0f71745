// Failed sign-ins: 10 for one username from one network block that pair, 50 from one network
// block the network, 100 for one username from all networks together block the name; each for 5
// minutes. So guesses from one network cannot lock the agent out from another. A network is an
// IPv4 address or an IPv6 /64. Counted in the LoginThrottle Durable Object, exactly under
// concurrency: a password is checked (one PBKDF2 derivation) only for admitted attempts. Its
// storage stays under ROW_CAP rows whatever stream of usernames arrives.
import { runInDurableObject } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BLOCK_MS, FORGET_MS, ROW_CAP, type LoginThrottle } from '../../worker/src/agents/login-throttle.ts'
import {
  LOGIN_FAILED, PASSWORD, countingThrottle, createAgentWithPassword, login, me, shiftThrottle, signIn, spyOnCrypto, throttle, throttleRows, uniqueName,
} from './agent-support.ts'

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
/** `n` distinct IPv4 client networks no other test uses. */
const ips = (n: number) => { subnet++; return Array.from({ length: n }, (_, i) => `198.51.${subnet}.${i + 1}`) }
const oneIp = () => ips(1)[0]
/** A /64 no other test uses, as its prefix `2001:db8:<n>:<m>` and its throttle key. */
const slash64 = () => {
  subnet++
  const prefix = `2001:db8:${subnet.toString(16)}:7`
  return { prefix, network: `2001:0db8:${subnet.toString(16).padStart(4, '0')}:0007::/64` }
}

const wrong = (user: string, ip: string) => login({ user, password: 'wrong password' }, { ip })
const pairKey = (user: string, network: string) => `pair:${network}|${user.toLowerCase()}`
const userKey = (user: string) => `user:${user.toLowerCase()}`

async function statuses(responses: Response[]) {
  const counted: Record<number, number> = {}
  for (const r of responses) counted[r.status] = (counted[r.status] ?? 0) + 1
  return counted
}

describe('per username from one network', () => {
  it('30 wrong passwords at once from one network: exactly 10 are checked, 20 answer 429', async () => {
    const agent = await createAgentWithPassword()
    const ip = oneIp()
    crypto.clear()
    const responses = await Promise.all(Array.from({ length: 30 }, () => wrong(agent.username, ip)))
    expect(passwordChecks()).toBe(10)
    expect(await statuses(responses)).toEqual({ 401: 10, 429: 20 })
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(response.headers.get('retry-after')).toBe('300')
      expect(await response.json()).toEqual(tooMany(300))
    }
  })

  it('the block covers the right password too, any case of the name, from that network; nothing is checked meanwhile', async () => {
    const agent = await createAgentWithPassword()
    const ip = oneIp()
    for (let i = 0; i < 10; i++) expect((await wrong(agent.username, ip)).status).toBe(401)
    crypto.clear()
    for (const user of [agent.username, agent.username.toUpperCase()]) {
      const response = await login({ user, password: PASSWORD }, { ip })
      expect(response.status).toBe(429)
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(290)
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(300)
    }
    expect(passwordChecks()).toBe(0)
  })

  it('counts a name that belongs to nobody the same way', async () => {
    const nobody = uniqueName()
    const ip = oneIp()
    const responses = await Promise.all(Array.from({ length: 12 }, () => login({ user: nobody, password: PASSWORD }, { ip })))
    expect(await statuses(responses)).toEqual({ 401: 10, 429: 2 })
  })

  it('Retry-After counts down; after 5 minutes the pair gets 10 attempts again', async () => {
    const agent = await createAgentWithPassword()
    const ip = oneIp()
    for (let i = 0; i < 10; i++) await wrong(agent.username, ip)
    const key = pairKey(agent.username, ip)
    await shiftThrottle(key, -120_000) // two minutes pass
    const waiting = await login({ user: agent.username, password: PASSWORD }, { ip })
    expect(waiting.status).toBe(429)
    expect(waiting.headers.get('retry-after')).toBe('180')
    expect(await waiting.json()).toEqual(tooMany(180))

    await shiftThrottle(key, -BLOCK_MS) // the block is over
    const again = await Promise.all(Array.from({ length: 12 }, () => wrong(agent.username, ip)))
    expect(await statuses(again)).toEqual({ 401: 10, 429: 2 })
  })

  it('a successful login resets its network\'s count for the username; the username\'s overall count only loses that attempt', async () => {
    const agent = await createAgentWithPassword()
    const ip = oneIp()
    for (let i = 0; i < 9; i++) expect((await wrong(agent.username, ip)).status).toBe(401)
    expect((await throttleRows())[pairKey(agent.username, ip)].failures).toBe(9)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
    const rows = await throttleRows()
    expect(rows[pairKey(agent.username, ip)]).toBeUndefined()
    // A legitimate sign-in does not refill the budget of guesses from other networks.
    expect(rows[userKey(agent.username)].failures).toBe(9)
    const after = await Promise.all(Array.from({ length: 11 }, () => wrong(agent.username, ip)))
    expect(await statuses(after)).toEqual({ 401: 10, 429: 1 })
  })

  it('forgets failures after 24 hours without one', async () => {
    const agent = await createAgentWithPassword()
    const ip = oneIp()
    for (let i = 0; i < 9; i++) await wrong(agent.username, ip)
    await shiftThrottle(pairKey(agent.username, ip), -FORGET_MS - 1)
    const after = await Promise.all(Array.from({ length: 11 }, () => wrong(agent.username, ip)))
    expect(await statuses(after)).toEqual({ 401: 10, 429: 1 })
  })
})

describe('across networks: one network cannot lock the agent out from another', () => {
  it('network A uses up its 10 guesses; network B still signs in with the right password, and has its own 10', async () => {
    const agent = await createAgentWithPassword()
    const [a, b, c] = ips(3)
    expect(await statuses(await Promise.all(Array.from({ length: 15 }, () => wrong(agent.username, a))))).toEqual({ 401: 10, 429: 5 })
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: a })).status).toBe(429)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: b })).status).toBe(200)
    expect(await statuses(await Promise.all(Array.from({ length: 11 }, () => wrong(agent.username, c))))).toEqual({ 401: 10, 429: 1 })
  })

  it('100 failures for one name from all networks together block it everywhere for 5 minutes; sessions and the CLI token keep working', async () => {
    const agent = await createAgentWithPassword()
    const session = await signIn(agent.username)
    crypto.clear()
    // 12 networks, 10 guesses each, all at once: exactly 100 reach the password check.
    const responses = await Promise.all(ips(12).flatMap((ip) => Array.from({ length: 10 }, () => wrong(agent.username, ip))))
    expect(passwordChecks()).toBe(100)
    expect(await statuses(responses)).toEqual({ 401: 100, 429: 20 })
    const fresh = await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })
    expect(fresh.status).toBe(429)
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(290)
    // What the block does not touch: credentials already held.
    expect((await me(session.headers)).status).toBe(200)
    expect((await me(agent.headers)).status).toBe(200)
    await shiftThrottle(userKey(agent.username), -BLOCK_MS)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })).status).toBe(200)
  })
})

describe('per network', () => {
  it('60 attempts at once from one network, each for another name: exactly 50 are checked, 10 answer 429', async () => {
    const ip = oneIp()
    crypto.clear()
    const responses = await Promise.all(Array.from({ length: 60 }, () => login({ user: uniqueName(), password: PASSWORD }, { ip })))
    expect(passwordChecks()).toBe(50)
    expect(await statuses(responses)).toEqual({ 401: 50, 429: 10 })
    const blocked = responses.find((r) => r.status === 429)!
    expect(blocked.headers.get('retry-after')).toBe('300')
    expect(await blocked.json()).toEqual(tooMany(300))
  })

  it('a blocked network cannot sign in even with the right password; another network can', async () => {
    const ip = oneIp()
    await Promise.all(Array.from({ length: 50 }, () => login({ user: uniqueName(), password: PASSWORD }, { ip })))
    const agent = await createAgentWithPassword()
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(429)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: oneIp() })).status).toBe(200)
    await shiftThrottle(`net:${ip}`, -BLOCK_MS)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
  })

  it('a success from a network takes back only its own attempt: it does not clear the network\'s failures', async () => {
    const ip = oneIp()
    const agent = await createAgentWithPassword()
    for (let i = 0; i < 49; i++) expect((await login({ user: uniqueName(), password: PASSWORD }, { ip })).status).toBe(401)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
    expect((await throttleRows())[`net:${ip}`]).toMatchObject({ failures: 49, blocked_until: null })
    // The 50th failure blocks.
    expect((await login({ user: uniqueName(), password: PASSWORD }, { ip })).status).toBe(401)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(429)
  })

  it('requests whose client address is unusable share one network, "unknown" (a missing one too: client-network.test.ts)', async () => {
    const agent = await createAgentWithPassword()
    for (const ip of ['not an address', '300.1.2.3', '1::2::3']) {
      expect((await login({ user: agent.username, password: PASSWORD }, { ip })).status).toBe(200)
    }
    expect((await throttleRows())['net:unknown']).toMatchObject({ failures: 0 })
    expect(await statuses(await Promise.all(['junk', '::g', '1.2.3'].flatMap((ip) => Array.from({ length: 4 }, () => wrong(agent.username, ip))))))
      .toEqual({ 401: 10, 429: 2 })
  })
})

describe('IPv6: one /64 is one network', () => {
  it('addresses of one /64, however written, share the 10 guesses for a name; another /64 signs in', async () => {
    const agent = await createAgentWithPassword()
    const { prefix, network } = slash64()
    const spellings = [`${prefix}::1`, `${prefix}:0:0:0:2`, `${prefix.toUpperCase()}::A:B`, `${prefix}:ffff:ffff:ffff:ffff`, `${prefix}::5%eth0`]
    for (let i = 0; i < 10; i++) expect((await wrong(agent.username, spellings[i % spellings.length])).status).toBe(401)
    expect((await throttleRows())[pairKey(agent.username, network)].failures).toBe(10)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: `${prefix}::dead:beef` })).status).toBe(429)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: `${slash64().prefix}::1` })).status).toBe(200)
  })

  it('50 names from 50 addresses of one /64 block the /64, not its neighbour', async () => {
    const { prefix } = slash64()
    const neighbour = slash64().prefix
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => login({ user: uniqueName(), password: PASSWORD }, { ip: `${prefix}::${(i + 1).toString(16)}` })))
    expect(await statuses(responses)).toEqual({ 401: 50 })
    const agent = await createAgentWithPassword()
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: `${prefix}:1234:5678:9abc:def0` })).status).toBe(429)
    expect((await login({ user: agent.username, password: PASSWORD }, { ip: `${neighbour}::1` })).status).toBe(200)
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
    expect((await throttleRows())[userKey(agent.username)]).toBeUndefined()
    expect((await login({ user: agent.username, password: PASSWORD }, { ip, overrides: { RATE_LIMITS: 'off' } })).status).toBe(200)
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

/** The table's real row count, and the count the triggers keep. */
const sizes = () => runInDurableObject(throttle(), (_instance: LoginThrottle, state) => ({
  rows: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM failures').one().n,
  kept: state.storage.sql.exec<{ n: number }>('SELECT n FROM row_count').one().n,
}))

// Last in this file: it fills the table to its cap.
describe('the Durable Object itself', () => {
  it('admits, blocks and reports the wait at a given time', async () => {
    const stub = throttle()
    const user = uniqueName()
    const t0 = 1_900_000_000_000
    for (let i = 0; i < 10; i++) expect(await stub.admit(user, '203.0.113.7', t0 + i)).toEqual({ admitted: true })
    expect(await stub.admit(user, '203.0.113.7', t0 + 10)).toEqual({ admitted: false, retryAfter: 300 })
    expect(await stub.admit(user.toUpperCase(), '203.0.113.7', t0 + 9 + BLOCK_MS - 1)).toEqual({ admitted: false, retryAfter: 1 })
    expect(await stub.admit(user, '203.0.113.8', t0 + 10)).toEqual({ admitted: true })
    expect(await stub.admit(user, '203.0.113.7', t0 + 9 + BLOCK_MS)).toEqual({ admitted: true })
    // Rows whose window is over are gone at the next call.
    expect(await stub.admit(uniqueName(), '203.0.113.9', t0 + 9 + BLOCK_MS + FORGET_MS + 1)).toEqual({ admitted: true })
    const rows = await throttleRows()
    expect(Object.keys(rows).filter((key) => key.includes(user.toLowerCase()))).toEqual([])
  })

  it(`stays within ${ROW_CAP.toLocaleString('en')} rows under 100,000 distinct usernames, each from its own network; the largest counts survive`, async () => {
    const base = Date.now() - 300_000
    // A name guessed 99 times from 10 networks before the flood.
    const target = uniqueName()
    const targetIps = ips(10)
    const admitted = await runInDurableObject(throttle(), (instance: LoginThrottle) => {
      let n = 0
      for (let i = 0; i < 99; i++) if (instance.admit(target, targetIps[Math.floor(i / 10)], base).admitted) n++
      // The flood: every username new, every network new.
      for (let i = 0; i < 100_000; i++) {
        instance.admit(`flood-${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, base + 1 + Math.floor(i / 1000))
      }
      return n
    })
    expect(admitted).toBe(99)
    expect(await sizes()).toEqual({ rows: ROW_CAP, kept: ROW_CAP })

    // A few hundred more through the Worker itself, at once.
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      login({ user: `worker-flood-${i}-${uniqueName()}`, password: PASSWORD }, { ip: `2001:db8:ffff:${i.toString(16)}::1` })))
    expect(await statuses(responses)).toEqual({ 401: 200 })
    expect(await sizes()).toEqual({ rows: ROW_CAP, kept: ROW_CAP })

    // The target's 99 survived the flood of single failures: its 100th blocks the name.
    expect((await throttleRows())[userKey(target)].failures).toBe(99)
    expect((await wrong(target, oneIp())).status).toBe(401)
    expect((await wrong(target, oneIp())).status).toBe(429)

    await runInDurableObject(throttle(), (_instance: LoginThrottle, state) => { state.storage.sql.exec('DELETE FROM failures') })
    expect(await sizes()).toEqual({ rows: 0, kept: 0 })
  }, 120_000)
})
