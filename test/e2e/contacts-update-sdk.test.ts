// Rocket.Chat's own JavaScript SDK (@rocket.chat/sdk) editing a contact by id through
// POST /api/v1/omnichannel/contacts.update against `npm run dev`: an integrator's tool, unchanged.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

let dev: WranglerDev

beforeAll(async () => {
  dev = await startWranglerDev({ viaNpm: true })
})
afterAll(() => dev?.stop())

/** `npm run agent -- create <username> --password-stdin` with the password piped in. */
function createAgent(username: string, password: string, role: string) {
  const out = execFileSync('npm', ['run', '-s', 'agent', '--', 'create', username, '--role', role, '--password-stdin', '--persist-to', dev.persistTo], {
    cwd: ROOT, encoding: 'utf8', input: `${password}\n`, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
  return JSON.parse(out.trim()) as { userId: string; authToken: string }
}

async function registerVisitor(body: Record<string, unknown>) {
  const response = await fetch(`${dev.url}/api/v1/livechat/visitor`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitor: body }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { visitor: { _id: string; token: string } }).visitor
}

describe('Rocket.Chat\'s JavaScript SDK (@rocket.chat/sdk)', () => {
  it('edits a contact with api.post(\'omnichannel/contacts.update\'), and is refused for an erased one', async () => {
    const visitor = await registerVisitor({ token: 'sdkEditToken0001', name: 'Before', email: 'before@example.com', phone: '+1 555' })
    createAgent('sdk.editor', 'editor passphrase', 'livechat-agent')
    const manager = createAgent('sdk.manager', 'manager passphrase', 'livechat-manager')

    process.env.ROCKETCHAT_URL = dev.url
    const { api, driver } = await import('@rocket.chat/sdk')
    const errors: unknown[][] = []
    driver.useLog({ debug() {}, info() {}, warn() {}, warning() {}, error: (...args: unknown[]) => errors.push(args) })
    await api.login({ username: 'sdk.editor', password: 'editor passphrase' })

    const edited = await api.post('omnichannel/contacts.update', { contactId: visitor._id, name: 'After', emails: ['after@example.com'] })
    expect(edited).toMatchObject({
      success: true,
      contact: { _id: visitor._id, token: visitor.token, name: 'After', visitorEmails: [{ address: 'after@example.com' }], phone: [{ phoneNumber: '+1 555' }] },
    })

    const erased = await fetch(`${dev.url}/api/v1/omnichannel/contacts.delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-User-Id': manager.userId, 'X-Auth-Token': manager.authToken },
      body: JSON.stringify({ contactId: visitor._id }),
    })
    expect(erased.status).toBe(200)
    // The SDK logs a failed call and resolves to undefined.
    const quiet = console.error
    console.error = () => {}
    try {
      expect(await api.post('omnichannel/contacts.update', { contactId: visitor._id, name: 'Back' })).toBeUndefined()
    } finally {
      console.error = quiet
    }
    expect(errors).toEqual([[expect.stringContaining('contacts.update'),
      { success: false, error: 'Contact not found [error-contact-not-found]', errorType: 'error-contact-not-found' }]])
    expect((await fetch(`${dev.url}/api/v1/livechat/visitor/${visitor.token}`)).status).toBe(400)
    await api.logout()
  })
})
