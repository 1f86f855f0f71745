// Sign-in as an operator and a Rocket.Chat client meet it: `npm run agent -- create
// --password-stdin`, then POST /api/v1/login over real HTTP through `npm run dev`, and
// Rocket.Chat's own JavaScript SDK (@rocket.chat/sdk) logging in and reading a contact.
import { execFileSync, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

let dev: WranglerDev

beforeAll(async () => {
  dev = await startWranglerDev({ viaNpm: true })
})
afterAll(() => dev?.stop())

const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}` }

/** `npm run agent -- <args>` against this instance's state, with `stdin` piped in. */
function agent(stdin: string | undefined, ...args: string[]) {
  const result = spawnSync('npm', ['run', '-s', 'agent', '--', ...args, '--persist-to', dev.persistTo], {
    cwd: ROOT, encoding: 'utf8', env: ENV, input: stdin ?? '',
  })
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() }
}

function created(stdin: string, ...args: string[]) {
  const result = agent(stdin, 'create', ...args)
  expect(result.status, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as { userId: string; authToken: string; username: string; roles: string[] }
}

/** The agent record as the CLI stored it in this instance's local KV. */
function storedAgent(userId: string) {
  return JSON.parse(execFileSync('wrangler', ['kv', 'key', 'get', `agent:${userId}`, '--binding', 'CONTACTS', '--local', '--persist-to', dev.persistTo], {
    cwd: ROOT, encoding: 'utf8', env: { ...ENV, WRANGLER_SEND_METRICS: 'false' },
  })) as { epoch?: string; password?: unknown }
}

/** fetch, tried once more when `wrangler dev` dropped the kept-alive connection (seen right after a
 * `wrangler kv` command of the CLI touched the same local state). */
async function request(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${dev.url}${path}`, init)
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error
    return fetch(`${dev.url}${path}`, init)
  }
}
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const get = (path: string, headers: Record<string, string> = {}) => request(path, { headers })
const auth = (userId: string, authToken: string) => ({ 'X-User-Id': userId, 'X-Auth-Token': authToken })

async function registerVisitor(name: string) {
  const response = await post('/api/v1/livechat/visitor', { visitor: { token: `tok-${name}-${Date.now()}`, name } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { visitor: { _id: string } }).visitor._id
}

describe('the CLI with --password-stdin, then login over HTTP', () => {
  it('creates an agent with a piped password, who signs in, reads a contact, and logs out', async () => {
    const contactId = await registerVisitor('Ana')
    const agentMade = created('s3cret passphrase\n', 'dana', '--role', 'livechat-manager', '--password-stdin')
    expect(agentMade).toEqual({ userId: expect.any(String), authToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), username: 'dana', roles: ['livechat-manager'] })

    const login = await post('/api/v1/login', { user: 'dana', password: 's3cret passphrase' })
    expect(login.status).toBe(200)
    const { data } = (await login.json()) as { data: { userId: string; authToken: string; me: unknown } }
    expect(data).toEqual({
      userId: agentMade.userId,
      authToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      me: { _id: agentMade.userId, username: 'dana', roles: ['livechat-manager'] },
    })
    const session = auth(data.userId, data.authToken)

    expect(await (await get('/api/v1/me', session)).json()).toEqual({ _id: agentMade.userId, username: 'dana', roles: ['livechat-manager'], success: true })
    const contact = await get(`/api/v1/omnichannel/contact?contactId=${contactId}`, session)
    expect(await contact.json()).toMatchObject({ contact: { _id: contactId, name: 'Ana' }, success: true })

    const logout = await post('/api/v1/logout', {}, session)
    expect(await logout.json()).toEqual({ status: 'success', data: { message: "You've been logged out!" } })
    expect((await get('/api/v1/me', session)).status).toBe(401)
    // The CLI's own token is another credential, and still works.
    expect((await get('/api/v1/me', auth(agentMade.userId, agentMade.authToken))).status).toBe(200)
  })

  it('answers a wrong password and an unknown user alike', async () => {
    created('another passphrase', 'erin', '--password-stdin')
    for (const body of [{ user: 'erin', password: 'not it at all' }, { username: 'nobody-here', password: 'another passphrase' }]) {
      const response = await post('/api/v1/login', body)
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ status: 'error', error: 'Unauthorized', message: 'Unauthorized' })
    }
  })

  it('refuses a taken username in any case, an empty or short password, and a password as an argument', () => {
    created('first passphrase', 'Fay', '--password-stdin')
    expect(agent('other passphrase', 'create', 'fay', '--password-stdin')).toMatchObject({ status: 1, stderr: 'the username fay is taken' })
    expect(agent('', 'create', 'gus', '--password-stdin')).toMatchObject({ status: 1, stderr: 'the password is empty' })
    expect(agent('\n', 'create', 'gus', '--password-stdin')).toMatchObject({ status: 1, stderr: 'the password is empty' })
    expect(agent('1234567', 'create', 'gus', '--password-stdin')).toMatchObject({ status: 1, stderr: 'the password must be at least 8 characters' })
    const asArgument = agent(undefined, 'create', 'gus', '--password', 'long enough passphrase')
    expect(asArgument.status).toBe(1)
    expect(asArgument.stderr).toMatch(/Unknown option '--password'/)
    expect(agent(undefined, 'list').stdout).not.toContain('gus')
  })

  it('passwd changes the password and ends the live sessions made before it; the CLI token keeps working', async () => {
    const made = created('old passphrase', 'hana', '--password-stdin')
    const before = (await (await post('/api/v1/login', { user: 'hana', password: 'old passphrase' })).json()) as { data: { authToken: string } }
    const live = auth(made.userId, before.data.authToken)
    expect((await get('/api/v1/me', live)).status).toBe(200)
    const { epoch } = storedAgent(made.userId)
    expect(epoch).toMatch(/^[0-9a-f]{32}$/)
    const changed = agent('new passphrase\n', 'passwd', 'HANA', '--password-stdin')
    expect(changed.status, changed.stderr).toBe(0)
    expect(JSON.parse(changed.stdout)).toEqual({ userId: made.userId, username: 'hana', passwordChanged: true })
    const rotated = storedAgent(made.userId).epoch
    expect(rotated).toMatch(/^[0-9a-f]{32}$/)
    expect(rotated).not.toBe(epoch)

    expect((await post('/api/v1/login', { user: 'hana', password: 'old passphrase' })).status).toBe(401)
    expect((await get('/api/v1/me', live)).status).toBe(401)
    expect((await get(`/api/v1/omnichannel/contact?contactId=${await registerVisitor('Hal')}`, live)).status).toBe(401)
    // A password never yields the CLI token, so passwd leaves it (and the integrations using it) alone.
    expect((await get('/api/v1/me', auth(made.userId, made.authToken))).status).toBe(200)
    const after = (await (await post('/api/v1/login', { user: 'hana', password: 'new passphrase' })).json()) as { data: { authToken: string } }
    expect((await get('/api/v1/me', auth(made.userId, after.data.authToken))).status).toBe(200)
    expect(agent('short', 'passwd', 'hana', '--password-stdin')).toMatchObject({ status: 1, stderr: 'the password must be at least 8 characters' })
    expect(agent('long enough passphrase', 'passwd', 'nobody', '--password-stdin')).toMatchObject({ status: 1, stderr: 'no agent named nobody' })
  })

  it('revoke ends the agent\'s sessions and its CLI token, and frees its username', async () => {
    const made = created('ivy passphrase', 'ivy', '--password-stdin')
    const { data } = (await (await post('/api/v1/login', { user: 'ivy', password: 'ivy passphrase' })).json()) as { data: { authToken: string } }
    expect(agent(undefined, 'revoke', made.userId)).toMatchObject({ status: 0, stdout: JSON.stringify({ revoked: made.userId }) })
    expect((await get('/api/v1/me', auth(made.userId, data.authToken))).status).toBe(401)
    expect((await get('/api/v1/me', auth(made.userId, made.authToken))).status).toBe(401)
    expect((await post('/api/v1/login', { user: 'ivy', password: 'ivy passphrase' })).status).toBe(401)
    created('ivy passphrase two', 'ivy', '--password-stdin')
  })

  it('stores the password only as PBKDF2 parameters, salt and hash', () => {
    const made = created('kept secret passphrase', 'jon', '--password-stdin')
    const stored = storedAgent(made.userId)
    expect(stored.password).toEqual({ kdf: 'PBKDF2-SHA-256', iterations: 100_000, salt: expect.stringMatching(/^[0-9a-f]{32}$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(JSON.stringify(stored)).not.toContain('kept secret passphrase')
    expect(agent(undefined, 'list').stdout).not.toMatch(/salt|hash|epoch/)
  })
})

describe('Rocket.Chat\'s JavaScript SDK (@rocket.chat/sdk)', () => {
  it('logs in with api.login({username, password}), reads a contact, and logs out', async () => {
    const contactId = await registerVisitor('Bea')
    const made = created('sdk passphrase', 'kim', '--password-stdin')

    // The SDK reads its server from ROCKETCHAT_URL when it loads, and prefixes /api/v1/.
    process.env.ROCKETCHAT_URL = dev.url
    const { api, driver } = await import('@rocket.chat/sdk')
    const errors: unknown[] = []
    driver.useLog({ debug() {}, info() {}, warn() {}, warning() {}, error: (...args: unknown[]) => errors.push(args) })
    expect(api.url).toBe(`${dev.url}/api/v1/`)

    const result = await api.login({ username: 'kim', password: 'sdk passphrase' })
    expect(result).toMatchObject({ status: 'success', data: { userId: made.userId, me: { username: 'kim' } } })
    const contact = await api.get('omnichannel/contact', { contactId })
    expect(contact).toMatchObject({ contact: { _id: contactId, name: 'Bea' }, success: true })

    const token = api.authHeaders['X-Auth-Token']
    await api.logout() // a GET /api/v1/logout
    expect(api.loggedIn()).toBe(false)
    expect((await get('/api/v1/me', auth(made.userId, token))).status).toBe(401)

    // A wrong password: the SDK's login rejects.
    await expect(api.login({ username: 'kim', password: 'not the passphrase' })).rejects.toThrow(/Login failed for kim/)
    expect(errors).toHaveLength(1)
    expect(JSON.stringify(errors[0])).toContain('Unauthorized')
  })
})
