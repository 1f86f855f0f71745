// POST /api/v1/omnichannel/contacts.update: an agent's edit by _id. It never creates a contact,
// never touches a token, keeps what it is not sent, and cannot bring an erased contact back.
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { FIELDS, call, createAgent, env, fetchVisitor, newToken, register, registryTables, snapshot } from './support.ts'

type Headers = Record<string, string>

async function agent(roles = ['livechat-agent']) {
  const created = await createAgent(roles)
  await env.CONTACTS.put(keys.agentName(`agent-${created.userId}`), created.userId)
  return { ...created, username: `agent-${created.userId}` }
}

const post = (path: string, body: unknown, headers: Headers, vars: Partial<Env> = {}) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, vars)

const update = (body: unknown, headers: Headers, vars: Partial<Env> = {}) => post('/api/v1/omnichannel/contacts.update', body, headers, vars)

async function updated(body: Record<string, unknown>, headers: Headers, vars: Partial<Env> = {}): Promise<Visitor> {
  const response = await update(body, headers, vars)
  const answer = await response.json<{ contact: Visitor }>()
  expect(response.status, JSON.stringify(answer)).toBe(200)
  return answer.contact
}

async function info(id: string, headers: Headers): Promise<Visitor | null> {
  const response = await call(`/api/v1/livechat/visitors.info?visitorId=${id}`, { headers })
  return response.ok ? (await response.json<{ visitor: Visitor }>()).visitor : null
}

const email = () => `${newToken().toLowerCase()}@example.com`
const NOT_FOUND = { success: false, error: 'Contact not found [error-contact-not-found]', errorType: 'error-contact-not-found' }
const vars = { LIVECHAT_CUSTOM_FIELDS: FIELDS } as Partial<Env>

describe('POST /api/v1/omnichannel/contacts.update', () => {
  it('edits by _id: sent fields change, left-out ones (token, manager, custom fields, username) stay', async () => {
    const { headers } = await agent()
    const manager = await agent()
    const visitor = await register({
      token: newToken(), name: 'Old', email: email(), phone: '+1 1', customFields: [{ key: 'address', value: 'Old street', overwrite: true }],
    })
    await post('/api/v1/omnichannel/contact', {
      token: visitor.token, name: 'Old', email: visitor.visitorEmails![0].address, phone: '+1 1',
      customFields: { address: 'Old street' }, contactManager: { username: manager.username },
    }, headers)
    const contact = await updated({ contactId: visitor._id, name: 'New name', phones: ['+2 2'] }, headers)
    expect(contact).toMatchObject({
      _id: visitor._id, token: visitor.token, username: visitor.username, ts: visitor.ts, name: 'New name',
      phone: [{ phoneNumber: '+2 2' }], visitorEmails: visitor.visitorEmails, livechatData: { address: 'Old street' },
      contactManager: { username: manager.username },
    })
    expect(await info(visitor._id, headers)).toEqual(contact)
    expect(JSON.parse((await env.CONTACTS.get(keys.visitor(visitor._id)))!)).toEqual(contact)
    // The visitor's own token still reads (and erases) their record.
    expect(await fetchVisitor(visitor.token)).toMatchObject({ _id: visitor._id, name: 'New name' })
  })

  it('removes an email or phone with [], sets one, refuses two, a blank name and a bad email, storing nothing', async () => {
    const { headers } = await agent()
    const visitor = await register({ token: newToken(), name: 'A', email: email(), phone: '+3 3' })
    let contact = await updated({ contactId: visitor._id, emails: [], phones: [] }, headers)
    expect(contact).not.toHaveProperty('visitorEmails')
    expect(contact).not.toHaveProperty('phone')
    contact = await updated({ contactId: visitor._id, emails: [' New@Example.COM '] }, headers)
    expect(contact.visitorEmails).toEqual([{ address: 'new@example.com' }])
    const before = await snapshot()
    for (const [body, error] of [
      [{ contactId: visitor._id, emails: ['a@example.com', 'b@example.com'] }, 'Match error: emails must have at most 1 entry'],
      [{ contactId: visitor._id, name: '  ' }, 'Match error: name must not be empty'],
      [{ contactId: visitor._id, phones: [''] }, 'Match error: phones.0 must not be empty'],
      [{ contactId: visitor._id, emails: ['not an email'] }, 'Invalid email not an email [error-invalid-email]'],
      [{ contactId: visitor._id, token: newToken() }, 'Match error: Unknown key in field token'],
      [{ name: 'x' }, "Match error: Missing key 'contactId'"],
      [{ contactId: visitor._id, name: 'a\u0000b' }, 'Match error: name must not contain control characters'],
    ] as const) {
      const response = await update(body, headers)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect((await response.json<{ error: string }>()).error).toBe(error)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('merges custom fields per key: set, removed with "", validated, a required one cannot be emptied, unknown keys ignored', async () => {
    const { headers } = await agent()
    const visitor = await register({
      token: newToken(), customFields: [{ key: 'company', value: 'ACME', overwrite: true }, { key: 'address', value: 'Street', overwrite: true }],
    }, vars)
    let contact = await updated({ contactId: visitor._id, customFields: { zip: '12345', address: '', secret: ' s ', nope: 'x' } }, headers, vars)
    expect(contact.livechatData).toEqual({ company: 'ACME', zip: '12345', secret: 's' })
    for (const customFields of [{ zip: '1234' }, { plan: 'gold' }, { company: '' }, { company: 7 }]) {
      const response = await update({ contactId: visitor._id, customFields }, headers, vars)
      expect(response.status, JSON.stringify(customFields)).toBe(400)
      expect((await response.json<{ error: string }>()).error).toMatch(/^Invalid value for .+ field$/)
    }
    contact = (await info(visitor._id, headers))!
    expect(contact.livechatData).toEqual({ company: 'ACME', zip: '12345', secret: 's' })
  })

  it('treats field ids such as __proto__ and constructor as plain keys, here and in POST omnichannel/contact', async () => {
    const { headers } = await agent()
    const ids = ['__proto__', 'constructor', 'toString']
    const protoVars = { LIVECHAT_CUSTOM_FIELDS: JSON.stringify(ids.map((_id) => ({ _id, label: _id, scope: 'visitor' }))) } as Partial<Env>
    const visitor = await register({ token: newToken(), name: 'Proto' }, protoVars)
    // JSON.parse makes `__proto__` an own key, as a client's JSON body is.
    const body = `{"contactId": "${visitor._id}", "customFields": {"__proto__": "p1", "constructor": "c1", "toString": "t1"}}`
    const response = await call('/api/v1/omnichannel/contacts.update', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }, protoVars)
    const { contact } = await response.json<{ contact: Visitor }>()
    expect(response.status).toBe(200)
    expect(Object.entries(contact.livechatData!).sort()).toEqual([['__proto__', 'p1'], ['constructor', 'c1'], ['toString', 't1']])
    const upsert = await call('/api/v1/omnichannel/contact', {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
      body: `{"token": "${visitor.token}", "name": "Proto", "customFields": {"__proto__": "p2", "constructor": "c2"}}`,
    }, protoVars)
    expect(upsert.status).toBe(200)
    expect(Object.entries((await info(visitor._id, headers))!.livechatData!).sort()).toEqual([['__proto__', 'p2'], ['constructor', 'c2']])
    for (const customFields of [[], 'x', 7, true]) {
      const refused = await update({ contactId: visitor._id, customFields }, headers, protoVars)
      expect(refused.status, JSON.stringify(customFields)).toBe(400)
      expect((await refused.json<{ error: string }>()).error).toBe('Match error: customFields must be an object')
    }
  })

  it('sets the manager by agent user id, removes it with "", refuses unknown ids and non-agents', async () => {
    const { headers } = await agent()
    const manager = await agent()
    const monitor = await agent(['livechat-monitor'])
    const visitor = await register({ token: newToken(), name: 'M' })
    expect((await updated({ contactId: visitor._id, contactManager: manager.userId }, headers)).contactManager).toEqual({ username: manager.username })
    for (const [contactManager, errorType] of [['nobody', 'error-contact-manager-not-found'], ['../x', 'error-contact-manager-not-found'], [monitor.userId, 'error-invalid-contact-manager']]) {
      const response = await update({ contactId: visitor._id, contactManager }, headers)
      expect(response.status).toBe(400)
      expect((await response.json<{ errorType: string }>()).errorType).toBe(errorType)
    }
    expect((await info(visitor._id, headers))!.contactManager).toEqual({ username: manager.username })
    expect(await updated({ contactId: visitor._id, contactManager: '' }, headers)).not.toHaveProperty('contactManager')
  })

  it('answers [error-contact-not-found] for an unknown, malformed or erased contact, and creates nothing', async () => {
    const { headers } = await agent()
    const manager = await agent(['livechat-manager'])
    const visitor = await register({ token: newToken(), name: 'Gone', email: email(), phone: '+4 4' })
    const erase = await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers)
    expect(erase.status).toBe(200)
    const before = await snapshot()
    for (const contactId of [visitor._id, 'unknownunknown123', '', '../../x', '__proto__']) {
      const response = await update({ contactId, name: 'Back', emails: [visitor.visitorEmails![0].address], phones: ['+4 4'] }, headers)
      expect(response.status, contactId).toBe(400)
      expect(await response.json()).toEqual(NOT_FOUND)
    }
    expect(await snapshot()).toEqual(before)
    expect(await fetchVisitor(visitor.token)).toBeNull()
  })

  it('edits racing an erasure never bring the contact back', async () => {
    const { headers } = await agent()
    const manager = await agent(['livechat-manager'])
    for (let round = 0; round < 5; round++) {
      const visitor = await register({ token: newToken(), name: 'Racing', email: email() })
      const edits = Array.from({ length: 10 }, (_, i) => update({ contactId: visitor._id, name: `Edit ${i}` }, headers))
      const erasure = post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers)
      const [answers] = await Promise.all([Promise.all(edits), erasure])
      expect(answers.every((r) => r.status === 200 || r.status === 400)).toBe(true)
      expect((await registryTables()).visitors.some((r) => r.id === visitor._id)).toBe(false)
      expect(await env.CONTACTS.get(keys.visitor(visitor._id))).toBeNull()
      expect(await fetchVisitor(visitor.token)).toBeNull()
    }
  })

  it('omits the token when CONTACT_INCLUDE_TOKEN is false, and still edits', async () => {
    const { headers } = await agent()
    const visitor = await register({ token: newToken(), name: 'Hidden token' })
    const contact = await updated({ contactId: visitor._id, name: 'Edited' }, headers, { CONTACT_INCLUDE_TOKEN: 'false' })
    expect(contact).not.toHaveProperty('token')
    expect(contact.name).toBe('Edited')
    expect(await fetchVisitor(visitor.token)).toMatchObject({ name: 'Edited' })
  })

  it('answers 401 without credentials and 403 to roles without update-livechat-contact, before reading the body', async () => {
    const visitor = await register({ token: newToken(), name: 'Perm' })
    expect((await update({ contactId: visitor._id, name: 'x' }, {})).status).toBe(401)
    for (const roles of [['livechat-monitor'], ['user']]) {
      const { headers } = await agent(roles)
      const response = await update({ nonsense: true }, headers)
      expect(response.status, roles[0]).toBe(403)
    }
    for (const roles of [['admin'], ['livechat-manager'], ['livechat-agent']]) {
      const { headers } = await agent(roles)
      expect((await update({ contactId: visitor._id, name: roles[0] }, headers)).status, roles[0]).toBe(200)
    }
  })
})
