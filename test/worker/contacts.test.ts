// The agents' contact endpoints: POST omnichannel/contact, contact.search, visitors.search,
// visitors.info and contacts.delete, with Rocket.Chat's semantics and the registry's guarantees.
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { FIELDS, call, createAgent, env, fetchVisitor, getContact, newToken, register, registryTables, snapshot } from './support.ts'

type Headers = Record<string, string>
const json = (body: unknown) => JSON.stringify(body)

async function agent(roles = ['livechat-agent']) {
  const created = await createAgent(roles)
  // As the agent CLI does: the username index, so contactManager can name this agent.
  await env.CONTACTS.put(keys.agentName(`agent-${created.userId}`), created.userId)
  return { ...created, username: `agent-${created.userId}` }
}

const post = (path: string, body: unknown, headers: Headers, vars: Partial<Env> = {}) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: json(body) }, vars)
const get = (path: string, headers: Headers, vars: Partial<Env> = {}) => call(path, { headers }, vars)

async function saveContact(body: Record<string, unknown>, headers: Headers, vars: Partial<Env> = {}) {
  const response = await post('/api/v1/omnichannel/contact', body, headers, vars)
  const answer = await response.json<any>()
  expect(response.status, JSON.stringify(answer)).toBe(200)
  return answer.contact as string
}

async function info(id: string, headers: Headers): Promise<Visitor | null> {
  const response = await get(`/api/v1/livechat/visitors.info?visitorId=${id}`, headers)
  return response.ok ? (await response.json<{ visitor: Visitor }>()).visitor : null
}

const email = () => `${newToken().toLowerCase()}@example.com`

describe('POST /api/v1/omnichannel/contact', () => {
  it('creates a contact (guest-N) and answers its _id; agents and KV see it', async () => {
    const { headers } = await agent()
    const token = newToken()
    const id = await saveContact({ token, name: 'Carla', email: ' Carla@Example.com ', phone: '+55 11 1234' }, headers)
    const stored = await info(id, headers)
    expect(stored).toMatchObject({
      _id: id, token, name: 'Carla', username: expect.stringMatching(/^guest-\d+$/),
      visitorEmails: [{ address: 'carla@example.com' }], phone: [{ phoneNumber: '+55 11 1234' }], livechatData: {},
    })
    expect((await (await getContact(`?contactId=${id}`, headers)).json<any>()).contact).toEqual(stored)
    expect(await fetchVisitor(token)).toEqual(stored)
  })

  it('updates the contact with the token: name set, email removed when absent, phone kept when absent and removed when empty, livechatData replaced', async () => {
    const { headers } = await agent()
    const visitor = await register({
      token: newToken(), name: 'Old', email: email(), phone: '+1 1',
      customFields: [{ key: 'address', value: 'Old street', overwrite: true }],
    })
    const id = await saveContact({ token: visitor.token, name: 'New' }, headers)
    expect(id).toBe(visitor._id)
    let stored = (await info(id, headers))!
    expect(stored).toMatchObject({ name: 'New', phone: [{ phoneNumber: '+1 1' }], livechatData: {}, username: visitor.username, ts: visitor.ts })
    expect(stored).not.toHaveProperty('visitorEmails')
    await saveContact({ token: visitor.token, name: 'New', phone: '' }, headers)
    stored = (await info(id, headers))!
    expect(stored).not.toHaveProperty('phone')
  })

  it('finds an unverified contact by email only in mode true, where it keeps its own token', async () => {
    const { headers } = await agent()
    const address = email()
    const visitor = await register({ token: newToken(), email: address }, { MATCH_VISITORS_BY_CONTACT: 'true' })
    const token = newToken()
    const id = await saveContact({ token, name: 'By email', email: address.toUpperCase() }, headers, { MATCH_VISITORS_BY_CONTACT: 'true' })
    expect(id).toBe(visitor._id)
    expect(await fetchVisitor(token)).toBeNull()
    expect(await fetchVisitor(visitor.token)).toMatchObject({ _id: visitor._id, name: 'By email' })
  })

  it('gives 20 concurrent saves with one new email and 20 tokens one contact in mode true, and 20 contacts otherwise', async () => {
    const { headers } = await agent()
    for (const [mode, contacts] of [['true', 1], ['verified', 20], ['false', 20]] as const) {
      const address = email()
      const vars = { MATCH_VISITORS_BY_CONTACT: mode }
      const ids = await Promise.all(Array.from({ length: 20 }, () => saveContact({ token: newToken(), name: 'Same', email: address }, headers, vars)))
      expect(new Set(ids).size, mode).toBe(contacts)
      expect((await registryTables()).visitors.filter((r) => r.email === address), mode).toHaveLength(contacts)
    }
  })

  it('checks custom fields (hidden ones included: agents see them): trimmed, options and regexp enforced, required ones present, unknown ignored', async () => {
    const { headers } = await agent()
    const vars = { LIVECHAT_CUSTOM_FIELDS: FIELDS }
    const id = await saveContact({ token: newToken(), name: 'F', customFields: { company: '  ACME ', plan: 'pro', zip: '12345', secret: 's', nope: 'x' } }, headers, vars)
    expect((await info(id, headers))?.livechatData).toEqual({ company: 'ACME', plan: 'pro', zip: '12345', secret: 's' })
    for (const [customFields, label] of [
      [{ plan: 'pro', secret: 's' }, 'Company'], [{ company: 'A', secret: 's', zip: '12' }, 'ZIP code'],
      [{ company: 'A', secret: 's', plan: 'gold' }, 'Plan'], [{ company: 'A' }, 'Secret'],
    ] as const) {
      const before = await snapshot()
      const response = await post('/api/v1/omnichannel/contact', { token: newToken(), name: 'F', customFields }, headers, vars)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ success: false, error: `Invalid value for ${label} field` })
      expect(await snapshot()).toEqual(before)
    }
  })

  it('refuses a missing token or name with Rocket.Chat\'s Match error, an unknown key, and a bad email, storing nothing', async () => {
    const { headers } = await agent()
    const before = await snapshot()
    for (const [body, error] of [
      [{ name: 'No token' }, "Match error: Missing key 'token'"],
      [{ token: newToken() }, "Match error: Missing key 'name'"],
      [{ token: newToken(), name: 'X', extra: 1 }, 'Match error: Unknown key in field extra'],
      [{ token: newToken(), name: 'X', email: 'not an email' }, 'Invalid email not an email [error-invalid-email]'],
      [{ token: '', name: 'X' }, 'Invalid visitor token [error-invalid-contact-data]'],
    ] as const) {
      const response = await post('/api/v1/omnichannel/contact', body, headers)
      expect(response.status).toBe(400)
      expect((await response.json<any>()).error).toBe(error)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('sets a contact manager only when the username names an agent with livechat-agent', async () => {
    const { headers, username } = await agent()
    const manager = await agent(['livechat-manager'])
    const id = await saveContact({ token: newToken(), name: 'M', contactManager: { username } }, headers)
    expect((await info(id, headers))?.contactManager).toEqual({ username })
    for (const [who, errorType] of [['nobody-here', 'error-contact-manager-not-found'], [manager.username, 'error-invalid-contact-manager']]) {
      const response = await post('/api/v1/omnichannel/contact', { token: newToken(), name: 'M', contactManager: { username: who } }, headers)
      expect(response.status).toBe(400)
      expect((await response.json<any>()).errorType).toBe(errorType)
    }
  })

  it('answers 401 without credentials and 403 without view-l-room, before looking at the body', async () => {
    expect((await post('/api/v1/omnichannel/contact', {}, {})).status).toBe(401)
    const { headers } = await agent(['user'])
    expect((await post('/api/v1/omnichannel/contact', { nonsense: true }, headers)).status).toBe(403)
  })
})

describe('GET /api/v1/omnichannel/contact.search', () => {
  it('finds by exact email (any case), exact phone, and searchable custom fields as case-insensitive substrings; all must match', async () => {
    const { headers } = await agent()
    const address = email()
    const phone = `+55 ${newToken()}`
    const visitor = await register({ token: newToken(), email: address, phone, customFields: [{ key: 'address', value: 'Rua São João 12', overwrite: true }] })
    const search = async (query: string) => (await (await get(`/api/v1/omnichannel/contact.search?${query}`, headers)).json<any>()).contact?._id ?? null
    expect(await search(`email=${encodeURIComponent(address.toUpperCase())}`)).toBe(visitor._id)
    expect(await search(`phone=${encodeURIComponent(phone)}`)).toBe(visitor._id)
    expect(await search(`custom=${encodeURIComponent(json({ address: 'SÃO JOÃO' }))}`)).toBe(visitor._id)
    expect(await search(`email=${encodeURIComponent(address)}&custom=${encodeURIComponent(json({ address: 'são' }))}`)).toBe(visitor._id)
    expect(await search(`email=${encodeURIComponent(address)}&phone=${encodeURIComponent('+1 other')}`)).toBeNull()
  })

  it('matches nothing for keys that are not searchable fields and for regex-looking values, without hanging', async () => {
    const { headers } = await agent()
    await register({ token: newToken(), customFields: [{ key: 'address', value: 'ababababababababababababababababab!', overwrite: true }] })
    for (const custom of [{ nope: 'x' }, { address: { $regex: 'a' } }, { address: '^((ab)*)+$' }, { address: '.*' }, { address: '%' }]) {
      const response = await get(`/api/v1/omnichannel/contact.search?custom=${encodeURIComponent(json(custom))}`, headers)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ contact: null, success: true })
    }
  })

  const BLANK = 'Search values must not be blank [error-invalid-params]'
  it('refuses no criterion or a blank one with [error-invalid-params] and custom that is not a JSON object with [error-invalid-params-custom]', async () => {
    const { headers } = await agent()
    for (const [query, error] of [
      ['', '[error-invalid-params]'], ['custom=%7B%7D', '[error-invalid-params]'],
      ['email=', BLANK], ['email=%20', BLANK], ['phone=%20%09', BLANK], ['email=%20&phone=123', BLANK], ['phone=&custom=%7B%22address%22%3A%22x%22%7D', BLANK],
      ['custom=%7Bnot-json', '[error-invalid-params-custom]'], ['custom=%5B1%5D', '[error-invalid-params-custom]'],
    ]) {
      const response = await get(`/api/v1/omnichannel/contact.search?${query}`, headers)
      expect(response.status).toBe(400)
      expect((await response.json<any>()).error).toBe(error)
    }
  })
})

describe('GET /api/v1/livechat/visitors.search and visitors.info', () => {
  it('lists newest first, pages with count and offset, and counts the total', async () => {
    const { headers } = await agent()
    const tag = newToken().toLowerCase()
    const created: Visitor[] = []
    for (let i = 0; i < 5; i++) created.push(await register({ token: newToken(), name: `Paged ${tag} ${i}` }))
    const page = async (query: string) => (await get(`/api/v1/livechat/visitors.search?term=${tag}&${query}`, headers)).json<any>()
    const first = await page('count=2&offset=0')
    expect(first).toMatchObject({ count: 2, offset: 0, total: 5, success: true })
    expect(first.visitors.map((v: Visitor) => v._id)).toEqual([created[4]._id, created[3]._id])
    expect((await page('count=2&offset=4')).visitors.map((v: Visitor) => v._id)).toEqual([created[0]._id])
    expect(await page('count=2&offset=5')).toMatchObject({ visitors: [], count: 0, total: 5 })
  })

  it('matches the term in name, username, email or phone, case-insensitively', async () => {
    const { headers } = await agent()
    const tag = newToken()
    const byName = await register({ token: newToken(), name: `Ñandú ${tag}` })
    const byEmail = await register({ token: newToken(), email: `${tag.toLowerCase()}@example.com` })
    const byPhone = await register({ token: newToken(), phone: `+55 ${tag}` })
    const found = await (await get(`/api/v1/livechat/visitors.search?term=${encodeURIComponent(tag.toUpperCase())}`, headers)).json<any>()
    expect(new Set(found.visitors.map((v: Visitor) => v._id))).toEqual(new Set([byName._id, byEmail._id, byPhone._id]))
    const unicode = await (await get(`/api/v1/livechat/visitors.search?term=${encodeURIComponent('ÑANDÚ ' + tag)}`, headers)).json<any>()
    expect(unicode.visitors.map((v: Visitor) => v._id)).toEqual([byName._id])
    const username = await (await get(`/api/v1/livechat/visitors.search?term=${byName.username.toUpperCase()}`, headers)).json<any>()
    expect(username.visitors.map((v: Visitor) => v._id)).toContain(byName._id)
  })

  it('lists everyone for an empty term, caps count at 100, and refuses counts and offsets that are not whole numbers', async () => {
    const { headers } = await agent()
    for (let i = 0; i < 3; i++) await register({ token: newToken() })
    const all = await (await get('/api/v1/livechat/visitors.search?count=1000', headers)).json<any>()
    expect(all.total).toBeGreaterThanOrEqual(3)
    expect(all.count).toBeLessThanOrEqual(100)
    for (const query of ['count=-1', 'count=abc', 'offset=1.5', 'offset=-2']) {
      const response = await get(`/api/v1/livechat/visitors.search?${query}`, headers)
      expect(response.status).toBe(400)
      expect((await response.json<any>()).error).toMatch(/^Match error: (count|offset) /)
    }
  })

  it('answers visitors.info for a known id, and 400 [visitor-not-found] otherwise', async () => {
    const { headers } = await agent()
    const visitor = await register({ token: newToken(), name: 'Info' })
    expect(await info(visitor._id, headers)).toEqual(visitor)
    for (const id of [newToken(), '..%2Fagent', '']) {
      const response = await get(`/api/v1/livechat/visitors.info?visitorId=${id}`, headers)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ success: false, error: '[visitor-not-found]', errorType: 'visitor-not-found' })
    }
  })

  it('omits tokens everywhere when CONTACT_INCLUDE_TOKEN is false', async () => {
    const { headers } = await agent()
    const visitor = await register({ token: newToken(), email: email() })
    const vars = { CONTACT_INCLUDE_TOKEN: 'false' }
    for (const path of [
      `/api/v1/livechat/visitors.info?visitorId=${visitor._id}`,
      `/api/v1/livechat/visitors.search?term=${visitor.username}`,
      `/api/v1/omnichannel/contact.search?email=${encodeURIComponent(visitor.visitorEmails![0].address)}`,
    ]) {
      const text = await (await get(path, headers, vars)).text()
      expect(text).toContain(visitor._id)
      expect(text).not.toContain(visitor.token)
    }
  })
})

describe('POST /api/v1/omnichannel/contacts.delete', () => {
  it('is refused with 403 to an agent without delete-livechat-contact (livechat-agent), changing nothing', async () => {
    const { headers } = await agent()
    const visitor = await register({ token: newToken() })
    const before = await snapshot()
    const response = await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, headers)
    expect(response.status).toBe(403)
    expect(await snapshot()).toEqual(before)
  })

  it('erases as DELETE livechat/visitor does: gone from info, lists, search, the legacy GET and KV', async () => {
    const manager = await agent(['livechat-manager'])
    const address = email()
    const visitor = await register({ token: newToken(), name: 'Erase Me', email: address })
    const response = await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ success: true })
    expect(await info(visitor._id, manager.headers)).toBeNull()
    expect((await (await get(`/api/v1/omnichannel/contact.search?email=${encodeURIComponent(address)}`, manager.headers)).json<any>()).contact).toBeNull()
    expect((await (await get('/api/v1/livechat/visitors.search?term=Erase%20Me', manager.headers)).json<any>()).total).toBe(0)
    expect((await (await getContact(`?contactId=${visitor._id}`, manager.headers)).json<any>()).contact).toBeNull()
    expect(await fetchVisitor(visitor.token)).toBeNull()
    expect(JSON.stringify(await snapshot())).not.toContain('Erase Me')
    const again = await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers)
    expect(again.status).toBe(400)
  })
})
