import { describe, expect, it } from 'vitest'
import { call, createAgent, getContact, newToken, postVisitor } from './support.ts'

const preflight = (path: string, origin: string, vars = {}) =>
  call(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } }, vars)

describe('CORS on the widget endpoints', () => {
  it('answers a preflight from any origin by default', async () => {
    const response = await preflight('/api/v1/livechat/visitor', 'https://shop.example')
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
    expect(response.headers.get('access-control-allow-headers')).toMatch(/content-type/i)
  })

  it('marks responses readable from any origin by default', async () => {
    const response = await postVisitor({ visitor: { token: newToken() } }, {}, { origin: 'https://shop.example' })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('echoes a configured origin, with Vary: Origin', async () => {
    const vars = { ALLOWED_ORIGINS: 'https://shop.example, https://blog.example' }
    const response = await preflight('/api/v1/livechat/visitor', 'https://blog.example', vars)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://blog.example')
    expect(response.headers.get('vary')).toBe('Origin')
    const post = await postVisitor({ visitor: { token: newToken() } }, vars, { origin: 'https://shop.example' })
    expect(post.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(post.headers.get('vary')).toBe('Origin')
  })

  it('does not open the API to an origin that is not configured', async () => {
    const vars = { ALLOWED_ORIGINS: 'https://shop.example' }
    const response = await preflight('/api/v1/livechat/visitor', 'https://evil.example', vars)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('access-control-allow-methods')).toBeNull()
    expect(response.headers.get('vary')).toBe('Origin')
  })
})

describe('CORS on the agent endpoints', () => {
  it('is closed to browsers by default: no CORS, and calls from another origin refused', async () => {
    const response = await preflight('/api/v1/omnichannel/contact', 'https://shop.example')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const { headers } = await createAgent()
    const get = await getContact('?contactId=abc', { ...headers, origin: 'https://shop.example' })
    expect(get.status).toBe(403)
    // Only the refusal is readable there, so a misconfigured CRM sees why.
    expect(get.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect((await get.json<{ errorType: string }>()).errorType).toBe('error-origin-not-allowed')
    // Without an Origin (curl, a server) or from the Worker's own origin, as before.
    expect((await getContact('?contactId=abc', headers)).status).toBe(200)
    expect((await getContact('?contactId=abc', { ...headers, origin: 'https://contact.example' })).status).toBe(200)
  })

  it('opens to the origins in AGENT_ALLOWED_ORIGINS, allowing the auth headers', async () => {
    const vars = { AGENT_ALLOWED_ORIGINS: 'https://crm.example' }
    const response = await preflight('/api/v1/omnichannel/contact', 'https://crm.example', vars)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://crm.example')
    expect(response.headers.get('access-control-allow-headers')).toMatch(/X-Auth-Token/i)
  })
})

describe('headers a cross-origin page may read', () => {
  it('include Retry-After, so the widget can honour a 429 from another origin', async () => {
    for (const vars of [{}, { ALLOWED_ORIGINS: 'https://shop.example' }]) {
      const response = await postVisitor({ visitor: { token: '' } }, vars, { origin: 'https://shop.example' })
      expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After')
    }
  })
})
