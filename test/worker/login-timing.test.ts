// A wrong password and an unknown user must cost the same: one PBKDF2 derivation with the same
// parameters, one constant-time comparison, the same KV reads and throttle calls. Counted, not
// timed, so the test cannot flake. The same for authentication: the CLI token, a session token,
// a wrong token and an unknown user all hash once, compare once and read KV twice.
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { keys, type AgentRecord } from '../../worker/src/keys.ts'
import { countingKv, createAgent, getContact } from './support.ts'
import { LOGGED_OUT, LOGIN_FAILED, PASSWORD, countingThrottle, createAgentWithPassword, login, signIn, spyOnCrypto, uniqueName } from './agent-support.ts'

let crypto: ReturnType<typeof spyOnCrypto>
beforeEach(() => { crypto = spyOnCrypto() })
afterEach(() => { vi.restoreAllMocks() })

/** The work one login does, and its answer. */
async function loginWork(user: string, password: string) {
  const kv = countingKv()
  const throttle = countingThrottle()
  crypto.clear()
  const response = await login({ user, password }, { overrides: { ...kv.env, ...throttle.env } })
  return {
    status: response.status,
    body: await response.json(),
    crypto: crypto.work(),
    verdicts: crypto.verdicts(),
    kv: kv.counts,
    throttle: throttle.calls,
  }
}

const ONE_CHECK = {
  importKey: [['raw', 'PBKDF2']],
  deriveBits: [['PBKDF2', 'SHA-256', 100_000, 16, 256]],
  digest: [],
  timingSafeEqual: [[32, 32]],
}

describe('login does the same work whether or not the user exists', () => {
  it('spies see the crypto inside the Worker and call through', async () => {
    const agent = await createAgentWithPassword()
    const right = await loginWork(agent.username, PASSWORD)
    expect(right.status).toBe(200)
    expect(right.verdicts).toEqual([true])
  })

  it('a wrong password, an unknown user, an agent without a password and an impossible name: identical', async () => {
    const agent = await createAgentWithPassword()
    const { userId } = await createAgent()
    const noPassword = (await env.CONTACTS.get<AgentRecord>(keys.agent(userId), 'json'))!.username
    await env.CONTACTS.put(keys.agentName(noPassword), userId)

    const wrongPassword = await loginWork(agent.username, 'wrong password')
    expect(wrongPassword).toEqual({
      status: 401,
      body: LOGIN_FAILED,
      crypto: ONE_CHECK,
      verdicts: [false],
      kv: { get: 2, put: 0, delete: 0, list: 0 },
      throttle: ['admit'],
    })
    // The comparison itself said no: the derivation ran on the agent's real salt.
    for (const other of [
      await loginWork(uniqueName(), 'wrong password'),
      await loginWork(noPassword, 'wrong password'),
      await loginWork('no such/name', 'wrong password'),
      await loginWork('x'.repeat(500), 'wrong password'),
    ]) {
      expect(other).toEqual(wrongPassword)
    }
  })

  it('the right password does the same check; only a success then hashes and stores the new token', async () => {
    const agent = await createAgentWithPassword()
    const right = await loginWork(agent.username, PASSWORD)
    const unknown = await loginWork(uniqueName(), PASSWORD)
    expect(right.crypto.importKey).toEqual(unknown.crypto.importKey)
    expect(right.crypto.deriveBits).toEqual(unknown.crypto.deriveBits)
    expect(right.crypto.timingSafeEqual).toEqual(unknown.crypto.timingSafeEqual)
    expect([right.verdicts, unknown.verdicts]).toEqual([[true], [false]])
    // The session's key: SHA-256 of the 43-character token.
    expect(right.crypto.digest).toEqual([['SHA-256', 43]])
    expect(right.kv).toEqual({ get: 2, put: 1, delete: 0, list: 0 })
    expect(right.throttle).toEqual(['admit', 'succeeded'])
  })
})

describe('authentication does the same work for either kind of token', () => {
  async function authWork(headers: Record<string, string>) {
    const kv = countingKv()
    crypto.clear()
    const response = await getContact('?contactId=gAoxwhBGgEh8cyKx4', headers, kv.env)
    return { status: response.status, body: await response.json(), crypto: crypto.work(), verdicts: crypto.verdicts(), kvReads: kv.counts.get }
  }

  it('CLI token, session token, wrong token, unknown user: one SHA-256, one comparison, two KV reads', async () => {
    const agent = await createAgentWithPassword()
    const session = await signIn(agent.username)
    const cli = await authWork(agent.headers)
    const viaSession = await authWork(session.headers)
    const wrong = await authWork({ 'X-User-Id': agent.userId, 'X-Auth-Token': session.authToken.slice(1) + 'x' })
    const unknown = await authWork({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': session.authToken })

    const expected = { digest: [['SHA-256', 43]], timingSafeEqual: [[64, 64]] }
    for (const result of [cli, viaSession, wrong, unknown]) expect(result.crypto).toMatchObject(expected)
    expect(cli).toMatchObject({ status: 200, verdicts: [true], kvReads: 3 })
    // A session token is not the agent's own token: the comparison says no, the session says yes.
    expect(viaSession).toMatchObject({ status: 200, verdicts: [false], kvReads: 3 })
    for (const refused of [wrong, unknown]) expect(refused).toMatchObject({ status: 401, body: LOGGED_OUT, verdicts: [false], kvReads: 2 })
    // No PBKDF2 on authenticated requests: only login pays for it.
    expect([cli, viaSession, wrong, unknown].flatMap((r) => r.crypto.deriveBits)).toEqual([])
  })
})
