// Sessions are bound to the credential generation (the agent record's epoch) they were made under,
// never to a clock: `passwd` ends every earlier session, a login served from a stale copy of the
// agent record (KV caches it for about 60 s) dies as soon as a request reads the fresh record, and
// neither the CLI's clock nor the session's own timestamps decide anything but its expiry.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../shared/ids.ts'
import { keys, type AgentRecord } from '../../worker/src/keys.ts'
import { getContact, kvWith } from './support.ts'
import {
  LOGGED_OUT, LOGIN_FAILED, PASSWORD, changePassword, createAgentWithPassword, login, me, newEpoch, signIn,
} from './agent-support.ts'

const NEW_PASSWORD = 'a brand new passphrase'

/** The real namespace, except that `agent:<userId>` is served as `record`: KV's cache at a
 * location that has not seen the latest write (or, for `null`, has not seen a revocation). */
function staleAgent(userId: string, record: AgentRecord) {
  const kv = kvWith({
    get: (key: string, type?: unknown) =>
      key === keys.agent(userId) ? Promise.resolve(type === 'json' ? structuredClone(record) : JSON.stringify(record)) : env.CONTACTS.get(key, type as never),
  })
  return { CONTACTS: kv } as Partial<Env>
}

async function tokenOf(response: Response) {
  expect(response.status).toBe(200)
  const { data } = await response.json<{ data: { userId: string; authToken: string } }>()
  return { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken }
}

/** Stores a session record under `token` as the Worker would, with the given fields. */
async function storeSession(token: string, session: Record<string, unknown>) {
  await env.CONTACTS.put(keys.session(await sha256Hex(token)), JSON.stringify(session))
  return token
}

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

describe('passwd', () => {
  it('a login with the old password served from the stale record succeeds, and its session dies at the first fresh read', async () => {
    const agent = await createAgentWithPassword()
    await changePassword(agent.record, NEW_PASSWORD)
    const stale = staleAgent(agent.userId, agent.record)

    // Where KV still serves the record from before passwd, the old password signs in.
    const session = await tokenOf(await login({ user: agent.username, password: PASSWORD }, { overrides: stale }))
    // At that location the session works until the cache catches up...
    expect((await me(session, stale)).status).toBe(200)
    // ...and as soon as a request reads the fresh record, it is refused, for good.
    expect(await (await me(session)).json()).toEqual(LOGGED_OUT)
    expect((await me(session)).status).toBe(401)
    expect((await getContact('?contactId=abc', session)).status).toBe(401)
    // The fresh record refuses the old password and takes the new one.
    expect(await (await login({ user: agent.username, password: PASSWORD })).json()).toEqual(LOGIN_FAILED)
    expect((await me(await tokenOf(await login({ user: agent.username, password: NEW_PASSWORD })))).status).toBe(200)
  })

  it('ends every session made before it; the CLI token keeps working, and new sessions work', async () => {
    const agent = await createAgentWithPassword()
    const before = await signIn(agent.username)
    const other = await signIn(agent.username)
    expect((await me(before.headers)).status).toBe(200)
    await changePassword(agent.record, NEW_PASSWORD)
    for (const session of [before, other]) expect((await me(session.headers)).status).toBe(401)
    expect((await me(agent.headers)).status).toBe(200)
    expect((await me((await signIn(agent.username, NEW_PASSWORD)).headers)).status).toBe(200)
  })
})

describe('only the epoch decides, never the clock', () => {
  it('a session of the current epoch is valid whatever its createdAt; one of another epoch is not, even if made "later"', async () => {
    const agent = await createAgentWithPassword()
    const now = Date.now()
    const cases: [string, Record<string, unknown>, number][] = [
      ['made in 2001', { createdAt: iso(Date.UTC(2001, 0, 1)), epoch: agent.record.epoch }, 200],
      ['made a year from now', { createdAt: iso(now + 365 * DAY), epoch: agent.record.epoch }, 200],
      ['made a year from now, older epoch', { createdAt: iso(now + 365 * DAY), epoch: newEpoch() }, 401],
      ['made now, older epoch', { createdAt: iso(now), epoch: newEpoch() }, 401],
    ]
    for (const [label, fields, status] of cases) {
      const token = await storeSession(`session-${label.replace(/\W/g, '-')}-${agent.userId}`, {
        userId: agent.userId, expiresAt: iso(now + DAY), ...fields,
      })
      expect((await me({ 'X-User-Id': agent.userId, 'X-Auth-Token': token })).status, label).toBe(status)
    }
  })
})

describe('records from before epochs existed', () => {
  it('an agent record without epoch counts as \'\': its new sessions carry \'\' and work, until passwd gives it one', async () => {
    const agent = await createAgentWithPassword()
    const { epoch: _, ...legacy } = agent.record
    await env.CONTACTS.put(keys.agent(agent.userId), JSON.stringify(legacy))
    const session = await signIn(agent.username)
    expect(await env.CONTACTS.get(keys.session(await sha256Hex(session.authToken)), 'json')).toMatchObject({ epoch: '' })
    expect((await me(session.headers)).status).toBe(200)
    await changePassword(legacy as AgentRecord, NEW_PASSWORD)
    expect((await me(session.headers)).status).toBe(401)
  })

  it('a session stored by older code (no epoch field), or with an epoch that is not a string, is refused', async () => {
    const agent = await createAgentWithPassword()
    const { epoch: _, ...legacy } = agent.record
    await env.CONTACTS.put(keys.agent(agent.userId), JSON.stringify(legacy))
    const base = { userId: agent.userId, createdAt: iso(Date.now()), expiresAt: iso(Date.now() + DAY) }
    for (const [label, fields] of [['no epoch', {}], ['null', { epoch: null }], ['a number', { epoch: 0 }], ['an array', { epoch: [] }]] as const) {
      const token = await storeSession(`legacy-${label.replace(/\W/g, '-')}-${agent.userId}`, { ...base, ...fields })
      expect((await me({ 'X-User-Id': agent.userId, 'X-Auth-Token': token })).status, label).toBe(401)
    }
    // The same record with epoch '' is accepted: the epoch is what refused them.
    const token = await storeSession(`legacy-empty-${agent.userId}`, { ...base, epoch: '' })
    expect((await me({ 'X-User-Id': agent.userId, 'X-Auth-Token': token })).status).toBe(200)
  })

  it('a session carrying \'\' does not sign in an agent that has an epoch', async () => {
    const agent = await createAgentWithPassword()
    const token = await storeSession(`empty-epoch-${agent.userId}`, {
      userId: agent.userId, epoch: '', createdAt: iso(Date.now()), expiresAt: iso(Date.now() + DAY),
    })
    expect((await me({ 'X-User-Id': agent.userId, 'X-Auth-Token': token })).status).toBe(401)
  })
})

describe('revoke', () => {
  it('ends the sessions and the CLI token; a login served from the stale record dies at the first fresh read', async () => {
    const agent = await createAgentWithPassword()
    const before = await signIn(agent.username)
    await env.CONTACTS.delete(keys.agent(agent.userId))
    await env.CONTACTS.delete(keys.agentName(agent.username))
    const stale = staleAgent(agent.userId, agent.record)
    // The index entry is gone too, so a stale location must still have both: serve the name as well.
    const staleName = kvWith({
      get: (key: string, type?: unknown) => key === keys.agentName(agent.username) ? Promise.resolve(agent.userId) : stale.CONTACTS!.get(key, type as never),
    })
    const during = await tokenOf(await login({ user: agent.username, password: PASSWORD }, { overrides: { CONTACTS: staleName } }))
    for (const headers of [before.headers, during, agent.headers]) {
      expect(await (await me(headers)).json()).toEqual(LOGGED_OUT)
      expect((await getContact('?contactId=abc', headers)).status).toBe(401)
    }
  })
})
