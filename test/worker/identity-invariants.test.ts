// The defects found in 0.1's identity layer, each reproduced: every test here failed on 0.1.
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { call, createAgent, env, fetchVisitor, getContact, newToken, postVisitor, register, registryTables, snapshot } from './support.ts'

const rc = { MATCH_VISITORS_BY_CONTACT: 'true' }
const email = () => `${newToken().toLowerCase()}@example.com`

async function post(visitor: Record<string, unknown>, vars: Partial<Env> = {}) {
  const response = await postVisitor({ visitor }, vars)
  expect(response.status).toBe(200)
  return (await response.json<{ visitor: Visitor }>()).visitor
}

const erase = (token: string) => call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })

async function contact(id: string) {
  const { headers } = await createAgent()
  return (await (await getContact(`?contactId=${id}`, headers)).json<{ contact: Visitor | null }>()).contact
}

/** Fails if any trace of the visitor's personal data is stored anywhere, KV or registry. */
async function expectNoTrace(visitor: Visitor, ...values: string[]) {
  const { kv, registry } = await snapshot()
  const text = JSON.stringify({ kv, visitors: registry.visitors, pending: registry.replication.filter((r) => r.value !== null) })
  for (const value of [visitor._id, visitor.username, ...values]) expect(text).not.toContain(value)
}

describe('erasure is final', () => {
  for (const [mode, vars] of [['true', rc], ['verified', {}]] as const) {
    it(`after 10 concurrent registrations with the same email (mode ${mode}), no token that touched the visitor brings it back`, async () => {
      const address = email()
      const phone = `+55 ${newToken()}`
      const original = await post({ token: newToken(), name: 'Erin Erased', email: address, phone, customFields: [{ key: 'address', value: 'Gone St', overwrite: true }] }, vars)
      const tokens = Array.from({ length: 10 }, () => newToken())
      await Promise.all(tokens.map((token) => post({ token, email: address }, vars)))
      const current = (await contact(original._id))!
      expect((await erase(current.token)).status).toBe(200)
      expect(await contact(original._id)).toBeNull()

      for (const token of [original.token, ...tokens]) {
        const again = await post({ token }, vars)
        expect(again._id).not.toBe(original._id)
        expect(JSON.stringify(again)).not.toMatch(/Erin Erased|Gone St/)
        expect(JSON.stringify(again)).not.toContain(phone)
      }
      expect(await contact(original._id)).toBeNull()
      const { registry } = await snapshot()
      expect(JSON.stringify(registry.visitors)).not.toMatch(/Erin Erased|Gone St/)
    })
  }

  it('a DELETE racing a POST of the same token never leaves the erased record readable (30 trials)', async () => {
    for (let trial = 0; trial < 30; trial++) {
      const token = newToken()
      const name = `Racer ${trial}`
      await post({ token, name })
      const [, deleted] = await Promise.all([postVisitor({ visitor: { token, name } }), erase(token)])
      const erasedId = (await deleted.json<{ visitor: { _id: string } }>()).visitor._id
      expect(await contact(erasedId)).toBeNull()
      expect(await env.CONTACTS.get(keys.visitor(erasedId))).toBeNull()
      expect((await registryTables()).visitors.some((r) => r.id === erasedId)).toBe(false)
    }
  })

  it('leaves no copy in the registry and no index in KV after phone and email changes', async () => {
    const token = newToken()
    const phones = [`+1 ${newToken()}`, `+2 ${newToken()}`]
    const emails = [email(), email()]
    const visitor = await post({ token, name: 'Old Name', phone: phones[0], email: emails[0] })
    await post({ token, name: 'New Name', phone: phones[1], email: emails[1] })
    // One row, current: no stale copy keeps the old name.
    const rows = (await registryTables()).visitors.filter((r) => r.id === visitor._id)
    expect(rows).toHaveLength(1)
    expect(rows[0].record).not.toContain('Old Name')
    await erase(token)
    await expectNoTrace(visitor, token, 'Old Name', 'New Name', ...phones, ...emails)
    // KV holds only agents and visitors' records: no phone, email or token index at all.
    const { keys: listed } = await env.CONTACTS.list()
    expect(listed.every(({ name }) => /^(agent|visitor):/.test(name))).toBe(true)
  })
})

describe('one visitor, one token', () => {
  it('30 new tokens with one new email at once (mode true): one visitor, holding the last token; each answer was true when given', async () => {
    const address = email()
    const answers = await Promise.all(Array.from({ length: 30 }, () => post({ token: newToken(), email: address }, rc)))
    expect(new Set(answers.map((v) => v._id)).size).toBe(1)
    const rows = (await registryTables()).visitors.filter((r) => r.email === address)
    expect(rows).toHaveLength(1)
    // The registry applied them one by one: the last answer's token is the one held.
    const last = answers.reduce((a, b) => (a._updatedAt >= b._updatedAt ? a : b))
    expect(rows[0].token).toBe(JSON.parse(String(rows[0].record)).token)
    expect((await fetchVisitor(String(rows[0].token)))?._id).toBe(last._id)
  })

  it('30 new tokens with one new email at once (default): 30 visitors, every answered token findable', async () => {
    const address = email()
    const answers = await Promise.all(Array.from({ length: 30 }, () => post({ token: newToken(), email: address })))
    expect(new Set(answers.map((v) => v._id)).size).toBe(30)
    for (const visitor of answers) expect((await fetchVisitor(visitor.token))?._id).toBe(visitor._id)
  })
})

describe('usernames are unique', () => {
  it('never stores a given username shaped like guest-N: that name belongs to the sequence', async () => {
    const visitor = await post({ token: newToken(), username: 'guest-999999' })
    expect(visitor.username).not.toBe('guest-999999')
    expect(visitor.username).toMatch(/^guest-\d+$/)
  })

  it('gives a taken username (in any case) the next guest number instead', async () => {
    const name = `maria-${newToken()}`
    expect((await post({ token: newToken(), username: name })).username).toBe(name)
    expect((await post({ token: newToken(), username: name.toUpperCase() })).username).toMatch(/^guest-\d+$/)
  })

  it('gives 20 concurrent registrations asking for one username 20 distinct usernames', async () => {
    const name = `joao-${newToken()}`
    const answers = await Promise.all(Array.from({ length: 20 }, () => post({ token: newToken(), username: name })))
    expect(new Set(answers.map((v) => v.username.toLowerCase())).size).toBe(20)
    expect(answers.filter((v) => v.username === name)).toHaveLength(1)
  })
})

describe('no stranger reads a visitor\'s data (the default)', () => {
  it('a new token with a victim\'s phone gets a new visitor, and none of the victim\'s data', async () => {
    const phone = `+55 ${newToken()}`
    const victim = await post({ token: newToken(), name: 'Victim', phone, email: email() })
    const attacker = await post({ token: newToken(), phone })
    expect(attacker._id).not.toBe(victim._id)
    expect(JSON.stringify(attacker)).not.toMatch(new RegExp(`Victim|${victim.token}`))
    expect((await erase(attacker.token)).status).toBe(200)
    expect((await fetchVisitor(victim.token))?.name).toBe('Victim')
  })

  it('a new token with a victim\'s email neither reads nor takes over the victim', async () => {
    const address = email()
    const victim = await post({ token: newToken(), name: 'Victim', email: address })
    const attacker = await post({ token: newToken(), email: address.toUpperCase() })
    expect(attacker._id).not.toBe(victim._id)
    expect((await fetchVisitor(victim.token))?._id).toBe(victim._id)
  })

  it('a phone registered first by an attacker does not capture the next visitor who uses it', async () => {
    const phone = `+55 ${newToken()}`
    const attacker = await post({ token: newToken(), phone })
    const victim = await post({ token: newToken(), phone, name: 'Victim' })
    expect(victim._id).not.toBe(attacker._id)
    expect((await fetchVisitor(attacker.token))).not.toHaveProperty('name')
  })
})

describe('a 200 means stored and findable', () => {
  it('after any 200, GET by the answered token returns the answered _id', async () => {
    const phone = `+55 ${newToken()}`
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ token: newToken(), phone, name: `P${i}` })))
    for (const visitor of answers) expect((await fetchVisitor(visitor.token))?._id).toBe(visitor._id)
    // And agents read the same record from KV.
    for (const visitor of answers.slice(0, 3)) expect(await contact(visitor._id)).toEqual(await fetchVisitor(visitor.token))
  })

  it('a POST with a bad body changes nothing, in KV or in the registry', async () => {
    await post({ token: newToken(), name: 'someone' })
    const before = await snapshot()
    expect((await postVisitor({ visitor: { token: newToken(), name: 7 } })).status).toBe(400)
    expect(await snapshot()).toEqual(before)
  })
})
