// The API as a newcomer meets it: `npm run dev`, the seed's curl example, and the agent CLI.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, agentCli, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

let dev: WranglerDev

beforeAll(async () => {
  dev = await startWranglerDev({ viaNpm: true, vars: { CONTACT_INCLUDE_TOKEN: 'true' } })
})
afterAll(() => dev?.stop())

const agent = (...args: string[]) => agentCli(dev, ...args)

describe('npm run dev, over real HTTP', () => {
  let contactId: string

  it('answers the seed\'s curl example with the documented shape', async () => {
    // curl -X POST -H "Content-type:application/json" http://localhost:3000/api/v1/livechat/visitor -d '...'
    const response = await fetch(`${dev.url}/api/v1/livechat/visitor`, {
      method: 'POST',
      headers: { 'Content-type': 'application/json' },
      body: '{"visitor": {"name": "Livechat Visitor", "email": "visitor@rocket.chat", "token": "iNKE8a6k6cjbqWhWd", "phone": "55 51 5555-5555", "customFields": [{ "key": "address", "value": "Rocket.Chat street", "overwrite": true }] }}',
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { visitor: { _id: string } }
    expect(body).toEqual({
      visitor: {
        _id: expect.stringMatching(/^[A-Za-z0-9]{17,}$/),
        username: expect.stringMatching(/^guest-\d+$/),
        _updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        ts: expect.any(String),
        status: 'online',
        token: 'iNKE8a6k6cjbqWhWd',
        phone: [{ phoneNumber: '55 51 5555-5555' }],
        visitorEmails: [{ address: 'visitor@rocket.chat' }],
        name: 'Livechat Visitor',
        livechatData: { address: 'Rocket.Chat street' },
      },
      success: true,
    })
    contactId = body.visitor._id
  })

  it('lets an agent made by `npm run agent -- create` read the contact', async () => {
    const [created] = agent('create', 'alice', '--role', 'livechat-agent')
    expect(created).toEqual({ userId: expect.any(String), authToken: expect.any(String), username: 'alice', roles: ['livechat-agent'] })
    const response = await fetch(`${dev.url}/api/v1/omnichannel/contact?contactId=${contactId}`, {
      headers: { 'X-User-Id': created.userId, 'X-Auth-Token': created.authToken },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      contact: { _id: contactId, username: expect.stringMatching(/^guest-/), token: 'iNKE8a6k6cjbqWhWd' },
      success: true,
    })
  })

  it('lists agents without their tokens, and a revoked agent gets 401', async () => {
    const [created] = agent('create', 'bob', '--role', 'livechat-manager')
    const listed = agent('list')
    expect(listed).toContainEqual({ userId: created.userId, username: 'bob', roles: ['livechat-manager'], createdAt: expect.any(String) })
    expect(JSON.stringify(listed)).not.toContain(created.authToken)
    agent('revoke', created.userId)
    const response = await fetch(`${dev.url}/api/v1/omnichannel/contact?contactId=${contactId}`, {
      headers: { 'X-User-Id': created.userId, 'X-Auth-Token': created.authToken },
    })
    expect(response.status).toBe(401)
  })

  it('stores only a hash of the agent token', () => {
    const [created] = agent('create', 'carol')
    const stored = execFileSync('wrangler', ['kv', 'key', 'get', `agent:${created.userId}`, '--binding', 'CONTACTS', '--local', '--persist-to', dev.persistTo], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' },
    })
    expect(stored).toContain('tokenHash')
    expect(stored).not.toContain(created.authToken)
  })

  it('serves the widget short-lived, the demo page under a strict CSP, and API answers uncached, none sniffable', async () => {
    for (const path of ['/widget.js', '/livechat/rocketchat-livechat.min.js']) {
      const response = await fetch(`${dev.url}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toMatch(/^public, max-age=300\b/)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
    const demo = await fetch(`${dev.url}/`)
    expect(demo.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self' https:\/\/challenges\.cloudflare\.com; frame-src https:\/\/challenges\.cloudflare\.com; connect-src 'self'/)
    expect((await fetch(`${dev.url}/_headers`)).status).toBe(404)
    const api = await fetch(`${dev.url}/api/info`)
    expect(api.headers.get('cache-control')).toBe('no-store')
    expect(api.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
