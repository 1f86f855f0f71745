// Each setting is parsed on its own: a broken one fails only the endpoints that read it, with a
// generic 500 (details in the log, naming the setting), and nothing stored. The original defect:
// a malformed LIVECHAT_THEME, which only the widget's config uses, broke registration and the
// agents' contact endpoint too.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import type { Visitor } from '../../shared/visitor.ts'
import { call, createAgent, getContact, newToken, postVisitor, register, signIdentity, snapshot, withSecret } from './support.ts'

const INVALID_CONFIG = {
  success: false,
  error: 'Invalid server configuration [error-invalid-config]',
  errorType: 'error-invalid-config',
}

type Endpoint =
  | 'GET config'
  | 'GET config with token'
  | 'POST visitor'
  | 'POST visitor with department'
  | 'POST visitor with customFields'
  | 'POST visitor with identity'
  | 'GET visitor'
  | 'DELETE visitor'
  | 'GET contact'

interface Probe {
  /** Sends the request with these settings. */
  send: (overrides: Partial<Env>) => Promise<Response>
  /** What a normal answer holds. */
  normal: (body: any) => void
}

/** Prepares one request per endpoint, with whatever it needs stored first (under sound settings). */
async function prepare(endpoint: Endpoint): Promise<Probe> {
  const token = newToken()
  switch (endpoint) {
    case 'GET config':
      return {
        send: (o) => call('/api/v1/livechat/config', {}, o),
        normal: (b) => {
          expect(b.config.title).toBe('Chat with us')
          expect(b.config.departments).toEqual([{ _id: 'sales', name: 'Sales' }, { _id: 'support', name: 'Support' }])
          expect(b.config.customFields.map((f: { _id: string }) => f._id)).toEqual(['address'])
          expect(b.config.registrationForm).toEqual({ name: 'required', email: 'required', phone: 'optional' })
        },
      }
    case 'GET config with token': {
      // A token is looked up, so the read limit counts it.
      await register({ token })
      return {
        send: (o) => call(`/api/v1/livechat/config?token=${token}`, {}, o),
        normal: (b) => {
          expect(b.config.title).toBe('Chat with us')
          expect(b.config.room).toBeUndefined()
        },
      }
    }
    case 'POST visitor':
      return {
        send: (o) => postVisitor({ visitor: { token, name: 'Ana' } }, o),
        normal: (b) => expect(b.visitor).toMatchObject({ token, name: 'Ana' }),
      }
    case 'POST visitor with department':
      return {
        send: (o) => postVisitor({ visitor: { token, department: 'Sales' } }, o),
        normal: (b) => expect(b.visitor).toMatchObject({ token, department: 'sales' }),
      }
    case 'POST visitor with customFields':
      return {
        send: (o) => postVisitor({ visitor: { token, customFields: [{ key: 'address', value: 'Main St', overwrite: true }] } }, o),
        normal: (b) => expect(b.visitor).toMatchObject({ token, livechatData: { address: 'Main St' } }),
      }
    case 'POST visitor with identity': {
      const identity = await signIdentity(`user-${token}`)
      return {
        send: (o) => postVisitor({ visitor: { token, identity } }, o),
        normal: (b) => expect(b.visitor).toMatchObject({ token, verified: true }),
      }
    }
    case 'GET visitor': {
      const stored = await register({ token })
      return {
        send: (o) => call(`/api/v1/livechat/visitor/${token}`, {}, o),
        normal: (b) => expect(b.visitor).toEqual(stored),
      }
    }
    case 'DELETE visitor': {
      const stored = await register({ token })
      return {
        send: (o) => call(`/api/v1/livechat/visitor/${token}`, { method: 'DELETE' }, o),
        normal: (b) => expect(b.visitor._id).toBe(stored._id),
      }
    }
    case 'GET contact': {
      const stored: Visitor = await register({ token })
      const { headers } = await createAgent()
      return {
        send: (o) => getContact(`?contactId=${stored._id}`, headers, o),
        normal: (b) => expect(b.contact).toEqual(stored),
      }
    }
  }
}

const ENDPOINTS: Endpoint[] = [
  'GET config',
  'GET config with token',
  'POST visitor',
  'POST visitor with department',
  'POST visitor with customFields',
  'POST visitor with identity',
  'GET visitor',
  'DELETE visitor',
  'GET contact',
]
const LIVECHAT = ENDPOINTS.filter((e) => e !== 'GET contact')
const POSTS = ENDPOINTS.filter((e) => e.startsWith('POST'))
const CONFIG: Endpoint[] = ['GET config', 'GET config with token']

interface Case {
  setting: keyof Env
  what: string
  value: string | undefined
  /** The endpoints that read the setting, and so must answer 500. */
  broken: Endpoint[]
}

const CASES: Case[] = [
  { setting: 'ALLOWED_ORIGINS', what: 'an origin without scheme', value: 'shop.example', broken: LIVECHAT },
  { setting: 'ALLOWED_ORIGINS', what: 'an origin with a trailing slash', value: 'https://a.example/', broken: LIVECHAT },
  { setting: 'ALLOWED_ORIGINS', what: 'one bad origin among good ones', value: 'https://a.example, https://a.example/path', broken: LIVECHAT },
  { setting: 'AGENT_ALLOWED_ORIGINS', what: 'an origin without scheme', value: 'crm.example', broken: ['GET contact'] },
  { setting: 'AGENT_ALLOWED_ORIGINS', what: 'an origin with a trailing slash', value: 'https://crm.example/', broken: ['GET contact'] },
  { setting: 'CONTACT_INCLUDE_TOKEN', what: '"yes"', value: 'yes', broken: ['GET contact'] },
  { setting: 'MATCH_VISITORS_BY_CONTACT', what: 'a typo', value: 'ture', broken: POSTS },
  // Reads (config with a token too) and erasures are rate-limited too.
  { setting: 'RATE_LIMITS', what: 'a typo', value: 'of', broken: [...POSTS, 'GET config with token', 'GET visitor', 'DELETE visitor'] },
  { setting: 'LIVECHAT_CUSTOM_FIELDS', what: 'bad JSON', value: '[{"_id": "address",', broken: [...CONFIG, 'POST visitor with customFields'] },
  {
    setting: 'LIVECHAT_CUSTOM_FIELDS',
    what: 'a regexp with nested quantifiers',
    value: JSON.stringify([{ _id: 'address', label: 'Address', scope: 'visitor', regexp: '^(a+)+$' }]),
    broken: [...CONFIG, 'POST visitor with customFields'],
  },
  {
    setting: 'LIVECHAT_CUSTOM_FIELDS',
    what: 'an invalid regexp',
    value: JSON.stringify([{ _id: 'address', label: 'Address', scope: 'visitor', regexp: '([' }]),
    broken: [...CONFIG, 'POST visitor with customFields'],
  },
  { setting: 'LIVECHAT_DEPARTMENTS', what: 'bad JSON', value: '[{"_id": "sales"', broken: [...CONFIG, 'POST visitor with department'] },
  { setting: 'LIVECHAT_DEPARTMENTS', what: 'an object, not an array', value: '{"_id": "sales", "name": "Sales"}', broken: [...CONFIG, 'POST visitor with department'] },
  { setting: 'LIVECHAT_REGISTRATION_FORM', what: 'an unknown visibility', value: '{"name": "mandatory", "email": "required", "phone": "optional"}', broken: CONFIG },
  { setting: 'LIVECHAT_THEME', what: 'bad JSON', value: '{"title": "Chat with us", ', broken: CONFIG },
  { setting: 'LIVECHAT_THEME', what: 'a bad position', value: '{"title": "Chat", "color": "#000", "fontColor": "#fff", "position": "top"}', broken: CONFIG },
  { setting: 'VISITOR_IDENTITY_SECRET', what: 'unset while an identity is sent', value: undefined, broken: ['POST visitor with identity'] },
  { setting: 'VISITOR_IDENTITY_SECRET', what: 'shorter than 32 characters', value: 'short-secret-123', broken: ['POST visitor with identity'] },
]

let consoleError: MockInstance<typeof console.error>
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

const logged = () => consoleError.mock.calls.map((args) => args.map(String).join(' '))

describe('a broken setting fails only the endpoints that read it', () => {
  for (const { setting, what, value, broken } of CASES) {
    describe(`${setting}: ${what}`, () => {
      // The identity secret is sound in every other case, so that endpoint's answer depends on this setting alone.
      const overrides = { ...withSecret, [setting]: value } as Partial<Env>

      for (const endpoint of ENDPOINTS) {
        if (broken.includes(endpoint)) {
          it(`${endpoint} answers 500 invalid-config, stores nothing, and logs which setting`, async () => {
            const probe = await prepare(endpoint)
            const before = await snapshot()
            consoleError.mockClear()
            const response = await probe.send(overrides)
            const text = await response.text()
            expect(response.status).toBe(500)
            expect(response.headers.get('content-type')).toBe('application/json')
            expect(JSON.parse(text)).toEqual(INVALID_CONFIG)
            // Public answers carry no details: neither the setting nor its value.
            expect(text).not.toContain(setting)
            if (value) expect(text).not.toContain(value)
            expect(await snapshot()).toEqual(before)
            // Once per request, naming the setting (the origin lists used to be parsed, and logged, twice).
            const lines = logged()
            expect(lines).toHaveLength(1)
            expect(lines[0]).toMatch(new RegExp(`^Invalid server configuration: ${setting}\\b`))
            // A secret's value never reaches the log either.
            if (setting === 'VISITOR_IDENTITY_SECRET' && value) expect(lines.join('\n')).not.toContain(value)
          })
        } else {
          it(`${endpoint} answers normally, without reading it`, async () => {
            const probe = await prepare(endpoint)
            consoleError.mockClear()
            const response = await probe.send(overrides)
            const body = await response.json<any>()
            expect(response.status, JSON.stringify(body)).toBe(200)
            expect(body.success).toBe(true)
            probe.normal(body)
            expect(logged()).toEqual([])
          })
        }
      }
    })
  }
})

describe('the settings that broke everything before', () => {
  const theme = { LIVECHAT_THEME: '{"title": "Chat with us", "color": ', ...withSecret } as Partial<Env>

  it('a malformed LIVECHAT_THEME does not stop a visitor from registering', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, name: 'Ana', department: 'sales', customFields: [{ key: 'address', value: 'Main St', overwrite: true }] } }, theme)
    expect(response.status).toBe(200)
    expect((await response.json<{ visitor: Visitor }>()).visitor).toMatchObject({ token, name: 'Ana', department: 'sales', livechatData: { address: 'Main St' } })
  })

  it('a malformed LIVECHAT_THEME does not stop an agent from reading a contact', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' })
    const { headers } = await createAgent()
    const response = await getContact(`?contactId=${visitor._id}`, headers, theme)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ contact: visitor, success: true })
  })

  it('a malformed LIVECHAT_THEME fails the widget config, once it is needed', async () => {
    const response = await call('/api/v1/livechat/config', {}, theme)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual(INVALID_CONFIG)
    expect(logged().some((l) => l.startsWith('Invalid server configuration: LIVECHAT_THEME'))).toBe(true)
  })

  for (const [what, expiresInS] of [['expired', -60], ['valid', 600]] as const) {
    it(`an ${what} identity without the secret is the operator's to fix first: 500, nothing stored`, async () => {
      const token = newToken()
      const identity = await signIdentity(`user-${token}`, expiresInS)
      const before = await snapshot()
      const response = await postVisitor({ visitor: { token, name: 'Ana', identity } }, { VISITOR_IDENTITY_SECRET: undefined } as Partial<Env>)
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual(INVALID_CONFIG)
      expect(await snapshot()).toEqual(before)
      expect(logged()).toEqual(['Invalid server configuration: VISITOR_IDENTITY_SECRET: is not set'])
    })
  }

  it('a broken ALLOWED_ORIGINS also fails the widget endpoints\' preflight, and adds no CORS headers', async () => {
    const response = await call('/api/v1/livechat/visitor', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    }, { ALLOWED_ORIGINS: 'shop.example' } as Partial<Env>)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual(INVALID_CONFIG)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})
