// What an agent account can do to visitors through POST omnichannel/contact, played as an
// attacker would: it never moves a token between visitors, never touches a verified visitor's
// token, and an erased contact stays erased.
import { describe, expect, it } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { call, createAgent, env, fetchVisitor, newToken, register, registryTables, signIdentity, snapshot, withSecret } from './support.ts'

type Headers = Record<string, string>
const MODES = ['verified', 'true', 'false'] as const

const post = (path: string, body: unknown, headers: Headers, vars: Partial<Env> = {}) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, vars)

async function saveContact(body: Record<string, unknown>, headers: Headers, vars: Partial<Env>): Promise<string> {
  const response = await post('/api/v1/omnichannel/contact', body, headers, vars)
  const answer = await response.json<{ contact: string }>()
  expect(response.status, JSON.stringify(answer)).toBe(200)
  return answer.contact
}

const email = () => `${newToken().toLowerCase()}@example.com`
const eraseByToken = (token: string) => call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' })

describe('POST omnichannel/contact never moves a token', () => {
  for (const mode of MODES) {
    it(`mode ${mode}: a new token with a verified visitor's email makes a new contact; the visitor keeps its token and its data`, async () => {
      const vars = { ...withSecret, MATCH_VISITORS_BY_CONTACT: mode }
      const { headers } = await createAgent()
      const address = email()
      const victim = await register({ token: newToken(), name: 'Verified', email: address, phone: '+5 5', identity: await signIdentity(`id-${newToken()}`) }, vars)
      expect(victim.verified).toBe(true)
      const planted = newToken()
      const id = await saveContact({ token: planted, name: 'Planted', email: address }, headers, vars)
      expect(id).not.toBe(victim._id)
      // The planted token reads only the agent's own new contact.
      const read = await fetchVisitor(planted)
      expect(read).toMatchObject({ _id: id, name: 'Planted' })
      expect(read).not.toHaveProperty('phone')
      expect(await fetchVisitor(victim.token)).toMatchObject({ _id: victim._id, name: 'Verified', phone: [{ phoneNumber: '+5 5' }] })
      // The visitor can still erase themselves.
      expect((await eraseByToken(victim.token)).status).toBe(200)
      expect((await registryTables()).visitors.some((r) => r.id === victim._id)).toBe(false)
    })
  }

  it('mode true: an unverified visitor found by email is updated and keeps its own token; the sent token reads nothing', async () => {
    const vars = { MATCH_VISITORS_BY_CONTACT: 'true' }
    const { headers } = await createAgent()
    const address = email()
    const victim = await register({ token: newToken(), name: 'Unverified', email: address }, vars)
    const planted = newToken()
    expect(await saveContact({ token: planted, name: 'Edited by email', email: address }, headers, vars)).toBe(victim._id)
    expect(await fetchVisitor(planted)).toBeNull()
    expect(await fetchVisitor(victim.token)).toMatchObject({ _id: victim._id, name: 'Edited by email' })
  })

  it('modes verified and false: an unverified visitor with that email is not matched either', async () => {
    for (const mode of ['verified', 'false']) {
      const vars = { MATCH_VISITORS_BY_CONTACT: mode }
      const { headers } = await createAgent()
      const address = email()
      const victim = await register({ token: newToken(), name: 'Mine', email: address }, vars)
      const id = await saveContact({ token: newToken(), name: 'Other', email: address }, headers, vars)
      expect(id, mode).not.toBe(victim._id)
      expect(await fetchVisitor(victim.token), mode).toMatchObject({ _id: victim._id, name: 'Mine' })
    }
  })

  it('with tokens hidden, an agent without delete-livechat-contact cannot erase a visitor through a planted token', async () => {
    const vars = { CONTACT_INCLUDE_TOKEN: 'false', MATCH_VISITORS_BY_CONTACT: 'true' }
    const { headers } = await createAgent(['livechat-agent'])
    const address = email()
    const victim = await register({ token: newToken(), name: 'Keep me', email: address }, vars)
    const planted = newToken()
    await saveContact({ token: planted, name: 'x', email: address }, headers, vars)
    expect((await eraseByToken(planted)).status).toBe(400)
    expect(await fetchVisitor(victim.token)).toMatchObject({ _id: victim._id })
  })

  it('after a revocation, no token the agent chose reads any visitor it did not create', async () => {
    const agent = await createAgent()
    const address = email()
    const victim = await register({ token: newToken(), name: 'Target', email: address, phone: '+6 6' })
    const planted = newToken()
    for (const mode of MODES) await saveContact({ token: planted, name: 'Agent data', email: address }, agent.headers, { MATCH_VISITORS_BY_CONTACT: mode })
    await env.CONTACTS.delete(keys.agent(agent.userId))
    const read = await fetchVisitor(planted)
    expect(read?._id).not.toBe(victim._id)
    expect(JSON.stringify(read)).not.toContain('+6 6')
  })

  it('refuses an upsert with an erased contact\'s token, erased by the visitor or by an agent, storing nothing', async () => {
    const { headers } = await createAgent()
    const manager = await createAgent(['livechat-manager'])
    for (const mode of MODES) {
      const vars = { MATCH_VISITORS_BY_CONTACT: mode }
      for (const by of ['visitor', 'agent']) {
        const address = email()
        const visitor = await register({ token: newToken(), name: 'Erased', email: address, phone: '+7 7' }, vars)
        const erased = by === 'agent'
          ? await post('/api/v1/omnichannel/contacts.delete', { contactId: visitor._id }, manager.headers)
          : await eraseByToken(visitor.token)
        expect(erased.status).toBe(200)
        const before = await snapshot()
        const response = await post('/api/v1/omnichannel/contact', { token: visitor.token, name: 'Erased', email: address, phone: '+7 7' }, headers, vars)
        expect(response.status, `${mode} ${by}`).toBe(400)
        expect(await response.json()).toEqual({
          success: false, error: 'This token belonged to a contact that was erased [error-contact-erased]', errorType: 'error-contact-erased',
        })
        expect(await snapshot()).toEqual(before)
        expect(await fetchVisitor(visitor.token)).toBeNull()
        // Only the hash of the token is kept, nothing else of the visitor.
        expect(JSON.stringify(await registryTables())).not.toContain(visitor.token)
      }
    }
  })

  it('a visitor who comes back with the token is a new contact, which agents can then edit by that token', async () => {
    const { headers } = await createAgent()
    const visitor = await register({ token: newToken(), name: 'First life' })
    expect((await eraseByToken(visitor.token)).status).toBe(200)
    const again = await register({ token: visitor.token, name: 'Second life' })
    expect(again._id).not.toBe(visitor._id)
    expect(await saveContact({ token: visitor.token, name: 'Edited' }, headers, {})).toBe(again._id)
  })
})

describe('what a visitor\'s own endpoints show', () => {
  const FIELDS = JSON.stringify([
    { _id: 'address', label: 'Address', scope: 'visitor', visibility: 'visible', type: 'input', required: false, regexp: '', options: '' },
    { _id: 'score', label: 'Score', scope: 'visitor', visibility: 'hidden', type: 'input', required: false, regexp: '', options: '' },
  ])
  const vars = { LIVECHAT_CUSTOM_FIELDS: FIELDS }

  it('never the contact manager or hidden custom fields, which agents still see', async () => {
    const agent = await createAgent()
    await env.CONTACTS.put(keys.agentName(`agent-${agent.userId}`), agent.userId)
    const visitor = await register({ token: newToken(), name: 'V', customFields: [{ key: 'address', value: 'Street', overwrite: true }] }, vars)
    await post('/api/v1/omnichannel/contacts.update', {
      contactId: visitor._id, customFields: { score: 'hot lead' }, contactManager: agent.userId,
    }, agent.headers, vars)
    const forAgents = await (await call(`/api/v1/livechat/visitors.info?visitorId=${visitor._id}`, { headers: agent.headers }, vars)).json<{ visitor: Visitor }>()
    expect(forAgents.visitor).toMatchObject({ contactManager: { username: `agent-${agent.userId}` }, livechatData: { address: 'Street', score: 'hot lead' } })

    const read = await (await call(`/api/v1/livechat/visitor/${visitor.token}`, {}, vars)).json<{ visitor: Visitor }>()
    const again = await register({ token: visitor.token, name: 'V2' }, vars)
    for (const shown of [read.visitor, again]) {
      expect(shown).not.toHaveProperty('contactManager')
      expect(shown.livechatData).toEqual({ address: 'Street' })
      expect(JSON.stringify(shown)).not.toContain('hot lead')
    }
  })
})
