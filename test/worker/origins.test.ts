// The origin list is enforced, not only advertised: CORS alone hides the answer from a page but
// lets the request run. And bodies must be application/json, which no page can send cross-site
// without a preflight. The original defect: a text/plain POST (no preflight) from an unlisted
// origin stored a visitor.
import { describe, expect, it, vi } from 'vitest'
import { BASE, call, clientIp, countingKv, countingRegistry, createAgent, fetchVisitor, getContact, newToken, postVisitor, register, snapshot } from './support.ts'

const SHOP = 'https://shop.example'
const EVIL = 'https://evil.example'
const listed = { ALLOWED_ORIGINS: SHOP } as Partial<Env>

const ORIGIN_REFUSED = {
  success: false,
  error: 'This origin may not call this endpoint [error-origin-not-allowed]',
  errorType: 'error-origin-not-allowed',
}
const NOT_JSON = {
  success: false,
  error: 'The request body must be application/json [error-unsupported-media-type]',
  errorType: 'error-unsupported-media-type',
}

type Method = 'POST' | 'GET' | 'DELETE'

/** One widget request from `origin` (null: no Origin header), with `overrides`. */
async function send(method: Method, origin: string | null, overrides: Partial<Env>, token = newToken()) {
  const headers: Record<string, string> = origin === null ? {} : { origin }
  if (method === 'POST') return postVisitor({ visitor: { token, name: 'Ana' } }, overrides, headers)
  return call(`/api/v1/livechat/visitor/${token}`, { method, headers }, overrides)
}

/** Expects `response` to be a Rocket.Chat-shaped refusal with exactly `body`. */
async function expectRefusal(response: Response, status: number, body: object) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(await response.json()).toEqual(body)
}

describe('widget endpoints refuse a browser on an unlisted origin, touching nothing', () => {
  const hostile: [string, string][] = [
    ['another site', EVIL],
    ['an opaque origin ("null": sandboxed frames, file:, data:)', 'null'],
    ['a lookalike host', 'https://shop.example.evil.example'],
    ['the listed host over http', 'http://shop.example'],
    ['the listed host on another port', 'https://shop.example:8443'],
  ]
  for (const [what, origin] of hostile) {
    for (const method of ['POST', 'GET', 'DELETE'] as const) {
      it(`${method} from ${what}: 403, no KV operation, no registry call, nothing changed`, async () => {
        // An existing visitor, so GET and DELETE would have something to read or erase.
        const token = newToken()
        const visitor = await register({ token, name: 'Ana' })
        const before = await snapshot()
        const kv = countingKv()
        const registry = countingRegistry()
        const response = await send(method, origin, { ...listed, ...kv.env, ...registry.env }, token)
        await expectRefusal(response, 403, ORIGIN_REFUSED)
        // The refusal alone is readable by the page (the widget tells the owner which origin to
        // add), never by an opaque origin; no cache may hand this answer to another origin.
        expect(response.headers.get('access-control-allow-origin')).toBe(origin === 'null' ? null : origin)
        expect(response.headers.get('access-control-allow-methods')).toBeNull()
        expect(response.headers.get('vary')).toBe('Origin')
        expect(kv.counts).toEqual({ get: 0, put: 0, delete: 0, list: 0 })
        expect(registry.calls).toEqual([])
        expect(await snapshot()).toEqual(before)
        expect(await fetchVisitor(token)).toEqual(visitor)
      })
    }
  }
})

describe('widget endpoints accept the callers that may call', () => {
  const allowed: [string, string | null][] = [
    ['the listed origin', SHOP],
    ['no Origin header (curl, a server)', null],
    ['the Worker\'s own origin', BASE],
  ]
  for (const [what, origin] of allowed) {
    it(`from ${what}: POST registers, GET reads, DELETE erases`, async () => {
      const token = newToken()
      const post = await send('POST', origin, listed, token)
      const { visitor } = await post.json<any>()
      expect(post.status).toBe(200)
      expect(visitor).toMatchObject({ token, name: 'Ana' })
      const get = await send('GET', origin, listed, token)
      expect(get.status).toBe(200)
      expect((await get.json<any>()).visitor).toEqual(visitor)
      const del = await send('DELETE', origin, listed, token)
      expect(del.status).toBe(200)
      expect((await del.json<any>()).visitor._id).toBe(visitor._id)
      expect(await fetchVisitor(token)).toBeNull()
      // A browser on the listed origin may read the answers; the others need no CORS header.
      for (const response of [post, get, del])
        expect(response.headers.get('access-control-allow-origin')).toBe(origin === SHOP || origin === BASE ? origin : null)
    })
  }
})

describe('agent endpoints refuse a browser on an unlisted origin before authenticating', () => {
  for (const origin of [EVIL, 'null']) {
    it(`GET contact from ${origin}: 403 with no KV read`, async () => {
      const { headers } = await createAgent()
      const kv = countingKv()
      const response = await getContact('?contactId=gAoxwhBGgEh8cyKx4', { ...headers, origin }, { AGENT_ALLOWED_ORIGINS: 'https://crm.example', ...kv.env } as Partial<Env>)
      await expectRefusal(response, 403, ORIGIN_REFUSED)
      expect(kv.counts).toEqual({ get: 0, put: 0, delete: 0, list: 0 })
    })
  }
})

/** A POST of a valid registration with this Content-Type (null: none at all). */
function postAs(contentType: string | null, token: string, overrides: Partial<Env> = {}, origin?: string) {
  // A string body would make the Request add `text/plain;charset=UTF-8` itself.
  const body = new TextEncoder().encode(JSON.stringify({ visitor: { token, name: 'Ana' } }))
  const headers: Record<string, string> = { 'cf-connecting-ip': clientIp() }
  if (contentType !== null) headers['content-type'] = contentType
  if (origin) headers.origin = origin
  return call('/api/v1/livechat/visitor', { method: 'POST', headers, body }, overrides)
}

describe('POST /api/v1/livechat/visitor takes JSON only', () => {
  it('a text/plain POST from an unlisted origin (no preflight needed) is refused and stores nothing', async () => {
    const token = newToken()
    const before = await snapshot()
    const registry = countingRegistry()
    const response = await postAs('text/plain', token, { ...listed, ...registry.env }, EVIL)
    await expectRefusal(response, 403, ORIGIN_REFUSED)
    expect(registry.calls).toEqual([])
    expect(await snapshot()).toEqual(before)
    expect(await fetchVisitor(token)).toBeNull()
  })

  const callers: [string, Partial<Env>, string | undefined][] = [
    ['from the listed origin', listed, SHOP],
    ['without an Origin', listed, undefined],
    ['from any origin when every origin is allowed', { ALLOWED_ORIGINS: '*' } as Partial<Env>, EVIL],
  ]
  const refused: [string, string | null][] = [
    ['text/plain', 'text/plain'],
    ['text/plain as browsers send it', 'text/plain;charset=UTF-8'],
    ['no Content-Type', null],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a lookalike type', 'application/jsonx'],
    ['JSON only as a parameter', 'text/plain; type=application/json'],
  ]
  for (const [who, overrides, origin] of callers) {
    for (const [what, contentType] of refused) {
      it(`refuses ${what} ${who}: 415, nothing stored`, async () => {
        const token = newToken()
        const before = await snapshot()
        const registry = countingRegistry()
        const response = await postAs(contentType, token, { ...overrides, ...registry.env }, origin)
        await expectRefusal(response, 415, NOT_JSON)
        expect(registry.calls).toEqual([])
        expect(await snapshot()).toEqual(before)
        expect(await fetchVisitor(token)).toBeNull()
      })
    }
  }

  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
    it(`accepts ${contentType}`, async () => {
      const token = newToken()
      const response = await postAs(contentType, token, listed, SHOP)
      expect(response.status).toBe(200)
      expect((await response.json<any>()).visitor).toMatchObject({ token, name: 'Ana' })
      expect(await fetchVisitor(token)).toMatchObject({ token, name: 'Ana' })
    })
  }
})

describe('a refused origin is named for the operator', () => {
  it('logs the origin (quoted: the header is the client\'s) and the setting to change, never the path (tokens)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const token = newToken()
      await send('GET', EVIL, listed, token)
      await call('/api/v1/omnichannel/contact?contactId=abc', { headers: { origin: 'https://crm.example" ok' } })
      expect(warn.mock.calls.map((c) => c.join(' ')).join('\n')).not.toContain(token)
      expect(warn.mock.calls.map((c) => c.join(' '))).toEqual([
        'Refused origin "https://evil.example": not in ALLOWED_ORIGINS',
        'Refused origin "https://crm.example\\" ok": not in AGENT_ALLOWED_ORIGINS',
      ])
    } finally {
      warn.mockRestore()
    }
  })
})
