import { describe, expect, it, vi } from 'vitest'
import { FIELDS, call, kvWith } from './support.ts'

describe('routing and configuration', () => {
  it('answers an unknown route with a 404 in JSON', async () => {
    const response = await call('/api/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ success: false, error: 'API endpoint "/api/v1/nothing-here" not found.' })
  })

  it('answers a wrong method on a known path with a 404 in JSON', async () => {
    const response = await call('/api/v1/livechat/visitor', { method: 'PUT' })
    expect(response.status).toBe(404)
    expect((await response.json<any>()).success).toBe(false)
  })

  it('serves the widget config: visible visitor fields, departments, form and theme', async () => {
    const response = await call('/api/v1/livechat/config', {}, { LIVECHAT_CUSTOM_FIELDS: FIELDS })
    expect(response.status).toBe(200)
    const { config } = await response.json<any>()
    expect(config.customFields.map((f: { _id: string }) => f._id)).toEqual(['address', 'company', 'plan', 'zip'])
    expect(config.customFields[2]).toEqual({ _id: 'plan', label: 'Plan', type: 'select', required: false, regexp: '', options: 'free, pro' })
    expect(config.departments).toEqual([{ _id: 'sales', name: 'Sales' }, { _id: 'support', name: 'Support' }])
    expect(config.registrationForm).toEqual({ name: 'required', email: 'required', phone: 'optional' })
    expect(config.title).toBe('Chat with us')
    expect(config.theme).toEqual({ color: '#1d74f5', fontColor: '#ffffff', position: 'right' })
  })

  it('answers a broken configuration with a generic error, keeping CORS, and logs the details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await call('/api/v1/livechat/config', { headers: { origin: 'https://shop.example' } }, { LIVECHAT_DEPARTMENTS: '[{"name": 1' })
    expect(response.status).toBe(500)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual({
      success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config',
    })
    expect(String(logged.mock.calls[0])).toMatch(/LIVECHAT_DEPARTMENTS: .*JSON/)
    logged.mockRestore()
  })

  it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const broken = kvWith({ get: () => Promise.reject(new Error('secret internals at kv.ts:12')) })
    const response = await call('/api/v1/omnichannel/contact?contactId=abc', { headers: { 'x-user-id': 'abc', 'x-auth-token': 'x' } }, { CONTACTS: broken })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ success: false, error: 'Internal server error [error-internal]', errorType: 'error-internal' })
    vi.restoreAllMocks()
  })
})

describe('headers on every API answer', () => {
  for (const [what, path, init] of [
    ['a success', '/api/info', {}],
    ['a 400', '/api/v1/livechat/visitor/%00', {}],
    ['a 404', '/api/v1/nothing-here', {}],
    ['a preflight', '/api/v1/livechat/visitor', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } }],
  ] as const) {
    it(`${what}: Cache-Control no-store and X-Content-Type-Options nosniff`, async () => {
      const response = await call(path, init as RequestInit)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    })
  }
})
