// POST /api/v1/login, POST|GET /api/v1/logout and GET /api/v1/me inside workerd, with
// miniflare's real KV and the real throttle Durable Object.
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sha256Hex } from '../../shared/ids.ts'
import { keys, type AgentRecord, type SessionRecord } from '../../worker/src/keys.ts'
import { call, countingKv, createAgent, getContact, kvWith } from './support.ts'
import {
  LOGGED_OUT, LOGIN_FAILED, PASSWORD, changePassword, countingThrottle, createAgentWithPassword, login, logout, me, signIn, uniqueName,
} from './agent-support.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

async function expectJson(response: Response, status: number, body: unknown) {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(JSON.parse(text)).toEqual(body)
}

describe('POST /api/v1/login', () => {
  it('signs in with {user, password}: Rocket.Chat\'s exact shape, a new 43-character token', async () => {
    const agent = await createAgentWithPassword({ roles: ['livechat-manager'] })
    const response = await login({ user: agent.username, password: PASSWORD })
    const body = await response.json<{ data: { authToken: string } }>()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(body).toEqual({
      status: 'success',
      data: {
        userId: agent.userId,
        authToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        me: { _id: agent.userId, username: agent.username, roles: ['livechat-manager'] },
      },
    })
    expect(body.data.authToken).not.toBe(agent.authToken)
  })

  it('signs in with {username, password} too', async () => {
    const agent = await createAgentWithPassword()
    const response = await login({ username: agent.username, password: PASSWORD })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'success', data: { userId: agent.userId } })
  })

  it('finds the username whatever its case, and answers it as stored', async () => {
    const agent = await createAgentWithPassword({ username: `Ana.${uniqueName()}` })
    const response = await login({ user: agent.username.toUpperCase(), password: PASSWORD })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ data: { me: { username: agent.username } } })
  })

  it('shows the agent\'s name when it has one', async () => {
    const agent = await createAgentWithPassword({ name: 'Ana Lima' })
    expect(await (await login({ user: agent.username, password: PASSWORD })).json())
      .toMatchObject({ data: { me: { _id: agent.userId, username: agent.username, name: 'Ana Lima', roles: ['livechat-agent'] } } })
  })

  it('makes a new token on every login; each is a session stored only as its SHA-256, expiring in 90 days', async () => {
    const agent = await createAgentWithPassword()
    const before = Date.now()
    const first = await signIn(agent.username)
    const second = await signIn(agent.username)
    expect(first.authToken).not.toBe(second.authToken)
    for (const { authToken } of [first, second]) {
      const stored = await env.CONTACTS.get<SessionRecord>(keys.session(await sha256Hex(authToken)), 'json')
      expect(stored).toEqual({ userId: agent.userId, epoch: agent.record.epoch, createdAt: expect.any(String), expiresAt: expect.any(String) })
      const lifetime = Date.parse(stored!.expiresAt) - Date.parse(stored!.createdAt)
      expect(lifetime).toBe(90 * 86_400_000)
      expect(Date.parse(stored!.createdAt)).toBeGreaterThanOrEqual(before)
    }
    const { keys: listed } = await env.CONTACTS.list()
    expect(JSON.stringify(listed)).not.toContain(first.authToken)
  })

  it('writes the session with a KV expirationTtl of AGENT_SESSION_DAYS', async () => {
    const agent = await createAgentWithPassword()
    const puts: [string, string, KVNamespacePutOptions | undefined][] = []
    const kv = kvWith({ put: async (key: string, value: string, options?: KVNamespacePutOptions) => { puts.push([key, value, options]); return env.CONTACTS.put(key, value, options) } })
    for (const [days, ttl] of [[undefined, 90 * 86_400], ['7', 7 * 86_400], ['1', 86_400]] as const) {
      puts.length = 0
      const overrides = { CONTACTS: kv, ...(days && { AGENT_SESSION_DAYS: days }) }
      const response = await login({ user: agent.username, password: PASSWORD }, { overrides })
      expect(response.status).toBe(200)
      expect(puts).toHaveLength(1)
      const [key, value, options] = puts[0]
      expect(key).toMatch(/^session:[0-9a-f]{64}$/)
      expect(options).toEqual({ expirationTtl: ttl })
      const session = JSON.parse(value) as SessionRecord
      expect(Date.parse(session.expiresAt) - Date.parse(session.createdAt)).toBe(ttl * 1000)
    }
  })

  it('answers a wrong password and an unknown user with the same 401 body', async () => {
    const agent = await createAgentWithPassword()
    await expectJson(await login({ user: agent.username, password: 'wrong password' }), 401, LOGIN_FAILED)
    await expectJson(await login({ user: uniqueName(), password: PASSWORD }), 401, LOGIN_FAILED)
    await expectJson(await login({ user: agent.username, password: '' }), 401, LOGIN_FAILED)
    await expectJson(await login({ user: '../agent:x', password: PASSWORD }), 401, LOGIN_FAILED)
    await expectJson(await login({ user: '', password: PASSWORD }), 401, LOGIN_FAILED)
  })

  it('refuses an agent that has no password (made by the CLI without --password-stdin)', async () => {
    const { userId } = await createAgent()
    const record = await env.CONTACTS.get<AgentRecord>(keys.agent(userId), 'json')
    await env.CONTACTS.put(keys.agentName(record!.username), userId)
    await expectJson(await login({ user: record!.username, password: '' }), 401, LOGIN_FAILED)
    await expectJson(await login({ user: record!.username, password: PASSWORD }), 401, LOGIN_FAILED)
  })

  it('ignores a username index entry that names another agent (left behind by a removed one)', async () => {
    const agent = await createAgentWithPassword()
    const stale = uniqueName()
    await env.CONTACTS.put(keys.agentName(stale), agent.userId)
    await expectJson(await login({ user: stale, password: PASSWORD }), 401, LOGIN_FAILED)
  })

  it('answers 400 with a Match error for missing or mistyped fields, before any read', async () => {
    const kv = countingKv()
    const throttle = countingThrottle()
    const overrides = { ...kv.env, ...throttle.env }
    const cases: [unknown, string][] = [
      [{ user: 'ana' }, "Match error: Missing key 'password'"],
      [{ password: PASSWORD }, "Match error: Missing key 'user'"],
      [{}, "Match error: Missing key 'password'"],
      [{ user: 'ana', password: 12345678 }, 'Match error: Expected string, got number in field password'],
      [{ user: 42, password: PASSWORD }, 'Match error: Expected string, got number in field user'],
      [{ username: null, password: PASSWORD }, 'Match error: Expected string, got null in field username'],
      [{ user: 'ana', password: { digest: 'abc', algorithm: 'sha-256' } }, 'Match error: Expected string, got object in field password'],
      [[], 'Match error: Expected object, got array'],
      ['"ana"', 'Match error: Expected object, got string'],
    ]
    for (const [body, error] of cases) await expectJson(await login(body, { overrides }), 400, { success: false, error })
    expect(kv.counts).toEqual({ get: 0, put: 0, delete: 0, list: 0 })
    expect(throttle.calls).toEqual([])
  })

  it('answers 415 to a body that is not JSON, and 400 to broken JSON', async () => {
    const agent = await createAgentWithPassword()
    const form = await call('/api/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=${agent.username}&password=${PASSWORD}`,
    })
    await expectJson(form, 415, { success: false, error: 'The request body must be application/json [error-unsupported-media-type]', errorType: 'error-unsupported-media-type' })
    const text = await call('/api/v1/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ user: agent.username, password: PASSWORD }) })
    expect(text.status).toBe(415)
    await expectJson(await login('{"user": '), 400, { success: false, error: 'The request body is not valid JSON [error-invalid-body]', errorType: 'error-invalid-body' })
  })

  it('is only POST', async () => {
    expect((await call('/api/v1/login')).status).toBe(404)
  })
})

describe('sessions authenticate like the CLI token', () => {
  it('reads a contact and /me with a session token', async () => {
    const agent = await createAgentWithPassword()
    const session = await signIn(agent.username)
    await expectJson(await getContact('?contactId=gAoxwhBGgEh8cyKx4', session.headers), 200, { contact: null, success: true })
    await expectJson(await me(session.headers), 200, { _id: agent.userId, username: agent.username, roles: ['livechat-agent'], success: true })
    // The CLI token still works beside it.
    await expectJson(await me(agent.headers), 200, { _id: agent.userId, username: agent.username, roles: ['livechat-agent'], success: true })
  })

  it('a session signs in only the user it was made for', async () => {
    const ana = await createAgentWithPassword()
    const bob = await createAgentWithPassword()
    const session = await signIn(ana.username)
    await expectJson(await me({ 'X-User-Id': bob.userId, 'X-Auth-Token': session.authToken }), 401, LOGGED_OUT)
    await expectJson(await me({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': session.authToken }), 401, LOGGED_OUT)
  })

  it('an expired session is refused even while KV still holds it', async () => {
    const agent = await createAgentWithPassword()
    const token = 'expired-session-token-0123456789abcdefghijk'
    const expired: SessionRecord = { userId: agent.userId, epoch: agent.record.epoch!, createdAt: new Date(Date.now() - 91 * 86_400_000).toISOString(), expiresAt: new Date(Date.now() - 1000).toISOString() }
    await env.CONTACTS.put(keys.session(await sha256Hex(token)), JSON.stringify(expired))
    const headers = { 'X-User-Id': agent.userId, 'X-Auth-Token': token }
    await expectJson(await me(headers), 401, LOGGED_OUT)
    await expectJson(await getContact('?contactId=abc', headers), 401, LOGGED_OUT)
    // The same record with a future expiry is accepted: the date is what refused it.
    await env.CONTACTS.put(keys.session(await sha256Hex(token)), JSON.stringify({ ...expired, expiresAt: new Date(Date.now() + 60_000).toISOString() }))
    expect((await me(headers)).status).toBe(200)
  })

  it('a revoked agent\'s sessions and CLI token stop working', async () => {
    const agent = await createAgentWithPassword()
    const session = await signIn(agent.username)
    expect((await me(session.headers)).status).toBe(200)
    await env.CONTACTS.delete(keys.agent(agent.userId))
    await expectJson(await me(session.headers), 401, LOGGED_OUT)
    await expectJson(await me(agent.headers), 401, LOGGED_OUT)
    await expectJson(await getContact('?contactId=abc', agent.headers), 401, LOGGED_OUT)
    await expectJson(await getContact('?contactId=abc', session.headers), 401, LOGGED_OUT)
    await expectJson(await login({ user: agent.username, password: PASSWORD }), 401, LOGIN_FAILED)
  })

  it('sessions made before a password change stop working; later ones work, and so does the CLI token', async () => {
    const agent = await createAgentWithPassword()
    const old = await signIn(agent.username)
    await changePassword(agent.record, 'a new passphrase')
    await expectJson(await me(old.headers), 401, LOGGED_OUT)
    const fresh = await signIn(agent.username, 'a new passphrase')
    expect((await me(fresh.headers)).status).toBe(200)
    expect((await me(agent.headers)).status).toBe(200)
  })

  it('a session keeps the permissions of the agent: 403 without view-l-room', async () => {
    const agent = await createAgentWithPassword({ roles: ['user'] })
    const session = await signIn(agent.username)
    expect((await getContact('?contactId=abc', session.headers)).status).toBe(403)
    await expectJson(await me(session.headers), 200, { _id: agent.userId, username: agent.username, roles: ['user'], success: true })
  })
})

describe('POST /api/v1/logout', () => {
  it('revokes the token that made the call, and only it', async () => {
    const agent = await createAgentWithPassword()
    const first = await signIn(agent.username)
    const second = await signIn(agent.username)
    await expectJson(await logout(first.headers), 200, { status: 'success', data: { message: "You've been logged out!" } })
    await expectJson(await me(first.headers), 401, LOGGED_OUT)
    expect(await env.CONTACTS.get(keys.session(await sha256Hex(first.authToken)))).toBeNull()
    expect((await me(second.headers)).status).toBe(200)
    expect((await me(agent.headers)).status).toBe(200)
    // Once is enough: the token is gone.
    await expectJson(await logout(first.headers), 401, LOGGED_OUT)
  })

  it('answers GET too (@rocket.chat/sdk logs out with a GET)', async () => {
    const agent = await createAgentWithPassword()
    const session = await signIn(agent.username)
    await expectJson(await logout(session.headers, 'GET'), 200, { status: 'success', data: { message: "You've been logged out!" } })
    expect((await me(session.headers)).status).toBe(401)
  })

  it('does not log out a CLI-made token: it says to revoke the agent', async () => {
    const agent = await createAgentWithPassword()
    await expectJson(await logout(agent.headers), 400, {
      success: false,
      error: 'A token made by the agent CLI cannot be logged out: revoke the agent with npm run agent -- revoke <userId> [error-cli-token]',
      errorType: 'error-cli-token',
    })
    expect((await me(agent.headers)).status).toBe(200)
  })

  it('answers 401 without credentials', async () => {
    await expectJson(await logout({}), 401, LOGGED_OUT)
    await expectJson(await logout({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': 'x'.repeat(43) }), 401, LOGGED_OUT)
  })
})

describe('GET /api/v1/me', () => {
  it('answers {_id, username, name?, roles, success: true}', async () => {
    const plain = await createAgentWithPassword({ roles: ['admin', 'livechat-agent'] })
    await expectJson(await me(plain.headers), 200, { _id: plain.userId, username: plain.username, roles: ['admin', 'livechat-agent'], success: true })
    const named = await createAgentWithPassword({ name: 'Bea Souza' })
    await expectJson(await me(named.headers), 200, { _id: named.userId, username: named.username, name: 'Bea Souza', roles: ['livechat-agent'], success: true })
  })

  it('never shows the password or token hashes', async () => {
    const agent = await createAgentWithPassword()
    const text = await (await me(agent.headers)).text()
    expect(text).not.toContain(agent.record.tokenHash)
    expect(text).not.toContain(agent.record.password!.hash)
    expect(text).not.toContain('salt')
  })

  it('answers 401 without credentials, with a wrong token, and for an unknown user', async () => {
    const agent = await createAgentWithPassword()
    await expectJson(await me({}), 401, LOGGED_OUT)
    await expectJson(await me({ 'X-User-Id': agent.userId, 'X-Auth-Token': agent.authToken.slice(1) + 'x' }), 401, LOGGED_OUT)
    await expectJson(await me({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': agent.authToken }), 401, LOGGED_OUT)
  })
})

describe('AGENT_SESSION_DAYS is parsed on its own', () => {
  for (const broken of ['0', '-1', '1.5', 'ninety', '', ' 90', '3651', '1e3']) {
    it(`"${broken}" fails login with invalid-config, writing nothing; authentication still works`, async () => {
      const agent = await createAgentWithPassword()
      const session = await signIn(agent.username)
      const error = vi.spyOn(console, 'error').mockImplementation(() => {})
      const kv = countingKv()
      const throttle = countingThrottle()
      const overrides = { AGENT_SESSION_DAYS: broken, ...kv.env, ...throttle.env }
      await expectJson(await login({ user: agent.username, password: PASSWORD }, { overrides }), 500, {
        success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config',
      })
      expect(kv.counts).toEqual({ get: 0, put: 0, delete: 0, list: 0 })
      expect(throttle.calls).toEqual([])
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/^Invalid server configuration: AGENT_SESSION_DAYS: /))
      // Sessions already made, the CLI token, contacts and the widget are untouched.
      expect((await me(session.headers, { AGENT_SESSION_DAYS: broken })).status).toBe(200)
      expect((await me(agent.headers, { AGENT_SESSION_DAYS: broken })).status).toBe(200)
      expect((await getContact('?contactId=abc', session.headers, { AGENT_SESSION_DAYS: broken })).status).toBe(200)
      expect((await call('/api/v1/livechat/config', {}, { AGENT_SESSION_DAYS: broken })).status).toBe(200)
    })
  }

  it('accepts 1 to 3650', async () => {
    const agent = await createAgentWithPassword()
    for (const days of ['1', '3650']) {
      expect((await login({ user: agent.username, password: PASSWORD }, { overrides: { AGENT_SESSION_DAYS: days } })).status).toBe(200)
    }
  })
})

describe('CORS for sign-in: the agents\' policy', () => {
  const origin = 'https://console.example'

  it('answers a preflight from an allowed origin with Content-Type, X-User-Id, X-Auth-Token and GET, POST', async () => {
    for (const path of ['/api/v1/login', '/api/v1/logout', '/api/v1/me']) {
      const response = await call(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }, { AGENT_ALLOWED_ORIGINS: origin })
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe(origin)
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST')
      expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type, X-User-Id, X-Auth-Token')
    }
  })

  it('refuses a browser on another origin with 403 before any read, as omnichannel/* (none allowed by default)', async () => {
    const agent = await createAgentWithPassword()
    const kv = countingKv()
    const throttle = countingThrottle()
    const response = await login({ user: agent.username, password: PASSWORD }, { headers: { origin: 'https://evil.example' }, overrides: { ...kv.env, ...throttle.env } })
    expect(response.status).toBe(403)
    expect(kv.counts.get).toBe(0)
    expect(throttle.calls).toEqual([])
    const allowed = await login({ user: agent.username, password: PASSWORD }, { headers: { origin }, overrides: { AGENT_ALLOWED_ORIGINS: origin } })
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin)
  })
})
