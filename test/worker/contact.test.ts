import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { keys } from '../../worker/src/keys.ts'
import { createAgent, getContact, newToken, register } from './support.ts'

const LOGGED_OUT = {
  success: false,
  error: 'You must be logged in to do this.',
  status: 'error',
  message: 'You must be logged in to do this.',
}
const FORBIDDEN = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' }

async function expectStatus(response: Response, status: number, body: unknown) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(await response.json()).toEqual(body)
}

describe('GET /api/v1/omnichannel/contact authentication', () => {
  it('answers 401 without credentials', async () => {
    await expectStatus(await getContact('?contactId=abc', {}), 401, LOGGED_OUT)
  })

  it('answers 401 with only X-User-Id', async () => {
    const { userId } = await createAgent()
    await expectStatus(await getContact('?contactId=abc', { 'X-User-Id': userId }), 401, LOGGED_OUT)
  })

  it('answers 401 with only X-Auth-Token', async () => {
    const { authToken } = await createAgent()
    await expectStatus(await getContact('?contactId=abc', { 'X-Auth-Token': authToken }), 401, LOGGED_OUT)
  })

  it('answers 401 with a wrong token', async () => {
    const { userId, authToken } = await createAgent()
    await expectStatus(await getContact('?contactId=abc', { 'X-User-Id': userId, 'X-Auth-Token': authToken.slice(1) + 'x' }), 401, LOGGED_OUT)
  })

  it('answers 401 for an unknown user', async () => {
    const { authToken } = await createAgent()
    await expectStatus(await getContact('?contactId=abc', { 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': authToken }), 401, LOGGED_OUT)
  })

  it('answers 401 for a hostile user id', async () => {
    const { authToken } = await createAgent()
    await expectStatus(await getContact('?contactId=abc', { 'X-User-Id': '../agent:x', 'X-Auth-Token': authToken }), 401, LOGGED_OUT)
  })

  it('answers 401 once the agent is revoked', async () => {
    const { userId, headers } = await createAgent()
    expect((await getContact('?contactId=abc', headers)).status).toBe(200)
    await env.CONTACTS.delete(keys.agent(userId))
    await expectStatus(await getContact('?contactId=abc', headers), 401, LOGGED_OUT)
  })

  it('answers 401 before looking at parameters', async () => {
    await expectStatus(await getContact('', {}), 401, LOGGED_OUT)
  })
})

describe('GET /api/v1/omnichannel/contact permission', () => {
  it('answers 403 to a user without view-l-room', async () => {
    const { headers } = await createAgent(['user'])
    await expectStatus(await getContact('?contactId=abc', headers), 403, FORBIDDEN)
  })

  it('answers 403 before looking at parameters', async () => {
    const { headers } = await createAgent(['user'])
    await expectStatus(await getContact('?bogus=1', headers), 403, FORBIDDEN)
  })

  for (const role of ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent']) {
    it(`lets a ${role} read contacts`, async () => {
      const visitor = await register({ token: newToken() })
      const { headers } = await createAgent([role])
      expect((await getContact(`?contactId=${visitor._id}`, headers)).status).toBe(200)
    })
  }
})

describe('GET /api/v1/omnichannel/contact parameters', () => {
  it('answers 400 without contactId', async () => {
    const { headers } = await createAgent()
    await expectStatus(await getContact('', headers), 400, { success: false, error: "Match error: Missing key 'contactId'" })
  })

  it('answers 400 to an extra parameter', async () => {
    const { headers } = await createAgent()
    await expectStatus(await getContact('?contactId=abc&extra=1', headers), 400, { success: false, error: 'Match error: Unknown key in field extra' })
  })

  it('answers 400 to a repeated contactId', async () => {
    const { headers } = await createAgent()
    await expectStatus(await getContact('?contactId=a&contactId=b', headers), 400, { success: false, error: 'Match error: Expected string, got array in field contactId' })
  })

  for (const hostile of ['..%2Fagent', 'visitor%3Aabc', 'a%00b', 'a'.repeat(5000), '']) {
    it(`answers 400 to the hostile contactId "${hostile.slice(0, 16)}"`, async () => {
      const { headers } = await createAgent()
      await expectStatus(await getContact(`?contactId=${hostile}`, headers), 400, {
        success: false, error: 'Invalid contactId [error-invalid-params]', errorType: 'error-invalid-params',
      })
    })
  }
})

describe('GET /api/v1/omnichannel/contact result', () => {
  it('returns the contact with its token, as the seed documents', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana', email: 'ana@example.com' })
    const { headers } = await createAgent()
    await expectStatus(await getContact(`?contactId=${visitor._id}`, headers), 200, { contact: visitor, success: true })
  })

  it('omits the token when CONTACT_INCLUDE_TOKEN is false', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const { headers } = await createAgent()
    const response = await getContact(`?contactId=${visitor._id}`, headers, { CONTACT_INCLUDE_TOKEN: 'false' })
    const { token: _, ...withoutToken } = visitor
    await expectStatus(response, 200, { contact: withoutToken, success: true })
  })

  it('returns contact null for an unknown id', async () => {
    const { headers } = await createAgent()
    await expectStatus(await getContact('?contactId=gAoxwhBGgEh8cyKx4', headers), 200, { contact: null, success: true })
  })
})
