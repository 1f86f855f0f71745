// Turnstile: with TURNSTILE_SECRET_KEY set, a registration and an offline message need a token that
// siteverify vouches for, checked before anything is stored. Siteverify is a real local HTTP server
// (test/support/turnstile-standin.ts) that the Worker reaches over the network, as it would Cloudflare.
import { afterEach, beforeEach, describe, expect, inject, it, vi, type MockInstance } from 'vitest'
import { randomId } from '../../shared/ids.ts'
import type { TurnstileStandin } from '../support/turnstile-context.ts'
import { expectStatus, post } from './chat-support.ts'
import { call, fetchVisitor, newToken, postVisitor, snapshot } from './support.ts'

const standin: TurnstileStandin = inject('turnstile')
const SITE_KEY = '0x4AAAAAAAstandinSiteKey'
const on = { TURNSTILE_SITE_KEY: SITE_KEY, TURNSTILE_SECRET_KEY: standin.secret, TURNSTILE_VERIFY_URL: standin.verifyUrl } as Partial<Env>

/** A token the stand-in answers by its kind (see turnstile-standin.ts), solved on `host`. */
const turnstileToken = (kind: string, host = 'shop.example') => `${kind}:${host}:${randomId(16)}`

/** The verify calls the stand-in received with this token. */
async function verifyCalls(token: string): Promise<Record<string, unknown>[]> {
  const url = new URL(standin.verifyUrl)
  url.pathname = '/requests'
  url.searchParams.set('response', token)
  return (await fetch(url)).json()
}

/** A registration with the token in X-Turnstile-Token (none when null). */
function registerWith(token: string | null, overrides: Partial<Env> = {}, visitor: Record<string, unknown> = { token: newToken(), name: 'Ana' }) {
  return postVisitor({ visitor }, { ...on, ...overrides }, token === null ? {} : { 'x-turnstile-token': token })
}

const refusal = (errorType: string, reason: string) => ({ success: false, error: `${reason} [${errorType}]`, errorType })
const INVALID = refusal('error-invalid-turnstile', 'The spam check failed, please try again')
const UNAVAILABLE = refusal('error-turnstile-unavailable', 'The spam check is unavailable, please try again later')
const INVALID_CONFIG = refusal('error-invalid-config', 'Invalid server configuration')

let consoleError: MockInstance<typeof console.error>
let consoleWarn: MockInstance<typeof console.warn>
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
  consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})
const logged = (spy: MockInstance) => spy.mock.calls.map((args) => args.map(String).join(' '))

/** Sends the request and expects exactly `body` with `status`, and KV and the registry unchanged. */
async function expectRefused(send: () => Promise<Response>, status: number, body: object) {
  const before = await snapshot()
  const response = await send()
  expect(response.status).toBe(status)
  expect(await response.json()).toEqual(body)
  expect(await snapshot()).toEqual(before)
}

describe('Turnstile off (no keys, the default)', () => {
  it('registers without a token, and the widget is told of no site key', async () => {
    const token = newToken()
    expect((await postVisitor({ visitor: { token, name: 'Ana' } })).status).toBe(200)
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Ana' })
    const { config } = await expectStatus<any>(await call('/api/v1/livechat/config'), 200)
    expect(config.settings).toEqual({ visitorsCanCloseChat: true })
  })
})

describe('Turnstile on', () => {
  it('gives the widget the site key', async () => {
    const { config } = await expectStatus<any>(await call('/api/v1/livechat/config', {}, on), 200)
    expect(config.settings).toEqual({ visitorsCanCloseChat: true, turnstileSiteKey: SITE_KEY })
  })

  it('lets the browser send X-Turnstile-Token cross-origin', async () => {
    const response = await call('/api/v1/livechat/visitor', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-turnstile-token' },
    }, on)
    expect(response.headers.get('access-control-allow-headers')).toMatch(/\bX-Turnstile-Token\b/i)
  })

  it('registers with a valid token, verified once with the secret and the client IP', async () => {
    const token = turnstileToken('pass')
    const visitorToken = newToken()
    const response = await postVisitor({ visitor: { token: visitorToken, name: 'Ana' } }, on, { 'x-turnstile-token': token, 'cf-connecting-ip': '203.0.113.7' })
    expect(response.status).toBe(200)
    expect(await fetchVisitor(visitorToken)).toMatchObject({ name: 'Ana' })
    const calls = await verifyCalls(token)
    expect(calls).toEqual([{ secret: standin.secret, response: token, remoteip: '203.0.113.7', contentType: 'application/json' }])
  })

  const invalid: [string, () => string | null][] = [
    ['no token', () => null],
    ['an empty token', () => ''],
    ['a token longer than 2048 characters', () => `pass:shop.example:${'x'.repeat(2048)}`],
    ['an invalid token', () => turnstileToken('invalid')],
    ['an expired token', () => turnstileToken('expired')],
  ]
  for (const [what, token] of invalid) {
    it(`refuses ${what}: 400 error-invalid-turnstile, nothing stored`, async () => {
      const visitorToken = newToken()
      await expectRefused(() => registerWith(token(), {}, { token: visitorToken, name: 'Ana' }), 400, INVALID)
      expect(await fetchVisitor(visitorToken)).toBeNull()
    })
  }

  it('asks siteverify nothing for a missing or oversized token', async () => {
    const long = `pass:shop.example:${'x'.repeat(2048)}`
    await registerWith(long)
    expect(await verifyCalls(long)).toEqual([])
  })

  it('refuses a replayed token: the second registration is not stored', async () => {
    const token = turnstileToken('pass')
    const first = newToken()
    expect((await registerWith(token, {}, { token: first, name: 'Ana' })).status).toBe(200)
    const second = newToken()
    await expectRefused(() => registerWith(token, {}, { token: second, name: 'Bot' }), 400, INVALID)
    expect(await fetchVisitor(second)).toBeNull()
    expect(await verifyCalls(token)).toHaveLength(2)
  })

  it('checks the body first: a form error costs no verify call, so the token still works once the field is fixed', async () => {
    const token = turnstileToken('pass')
    const visitorToken = newToken()
    const bad = await registerWith(token, {}, { token: visitorToken, name: 'Ana', email: 'not-an-email' })
    expect((await bad.json<any>()).errorType).toBe('error-invalid-email')
    expect(await verifyCalls(token)).toEqual([])
    expect((await registerWith(token, {}, { token: visitorToken, name: 'Ana', email: 'ana@example.com' })).status).toBe(200)
    expect(await fetchVisitor(visitorToken)).toMatchObject({ visitorEmails: [{ address: 'ana@example.com' }] })
  })

  const unavailable: [string, string, Partial<Env>][] = [
    ['siteverify is down (connection refused)', 'pass', { TURNSTILE_VERIFY_URL: standin.downUrl }],
    ['siteverify answers 500', 'http500', {}],
    ['siteverify answers an HTML page', 'notjson', {}],
    ['siteverify answers JSON of another shape', 'odd', {}],
    ['siteverify reports internal-error', 'internal', {}],
  ]
  for (const [what, kind, overrides] of unavailable) {
    it(`answers 503 when ${what}, nothing stored, and logs why`, async () => {
      await expectRefused(() => registerWith(turnstileToken(kind), overrides), 503, UNAVAILABLE)
      expect(logged(consoleError)).toEqual([expect.stringMatching(/^Turnstile siteverify unavailable: /)])
    })
  }

  it('answers 503 when siteverify does not answer within 5 s, nothing stored', async () => {
    const started = Date.now()
    await expectRefused(() => registerWith(turnstileToken('slow')), 503, UNAVAILABLE)
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000)
    expect(logged(consoleError)).toEqual(['Turnstile siteverify unavailable: no answer in 5000 ms'])
  }, 20_000)

  describe('with a list of allowed origins, the token must come from one of their pages', () => {
    const listed = { ALLOWED_ORIGINS: 'https://shop.example, https://www.shop.example:8443' } as Partial<Env>

    for (const host of ['shop.example', 'www.shop.example', 'contact.example']) {
      it(`accepts a token solved on ${host}${host === 'contact.example' ? ' (the Worker\'s own demo page)' : ''}`, async () => {
        expect((await registerWith(turnstileToken('pass', host), listed)).status).toBe(200)
      })
    }

    it('refuses a token solved on another site, and logs its host', async () => {
      await expectRefused(() => registerWith(turnstileToken('pass', 'evil.example'), listed), 400, INVALID)
      expect(logged(consoleWarn)).toEqual(['Turnstile token solved on "evil.example", not a host in ALLOWED_ORIGINS'])
    })

    it('accepts any token with Cloudflare\'s always-passing test secret key (its answers name example.com)', async () => {
      const test = { ...listed, TURNSTILE_SECRET_KEY: '1x0000000000000000000000000000000AA' } as Partial<Env>
      expect((await registerWith('XXXX.DUMMY.TOKEN.XXXX', test)).status).toBe(200)
    })
  })

  it('refuses every token with Cloudflare\'s failing and already-spent test secret keys', async () => {
    for (const secret of ['2x0000000000000000000000000000000AA', '3x0000000000000000000000000000000AA']) {
      await expectRefused(() => registerWith('XXXX.DUMMY.TOKEN.XXXX', { TURNSTILE_SECRET_KEY: secret } as Partial<Env>), 400, INVALID)
    }
  })
})

describe('offline messages need a token too', () => {
  const message = () => ({ name: 'Olga', email: `olga-${randomId(8).toLowerCase()}@example.com`, message: 'Call me back' })

  it('without one: 400, no contact and no room', async () => {
    await expectRefused(() => post('/api/v1/livechat/offline.message', message(), {}, on), 400, INVALID)
  })

  it('with siteverify down: 503, nothing stored', async () => {
    await expectRefused(() => post('/api/v1/livechat/offline.message', message(), { 'x-turnstile-token': turnstileToken('pass') },
      { ...on, TURNSTILE_VERIFY_URL: standin.downUrl } as Partial<Env>), 503, UNAVAILABLE)
  })

  it('with a valid one: sent', async () => {
    const token = turnstileToken('pass')
    const response = await post('/api/v1/livechat/offline.message', message(), { 'x-turnstile-token': token }, on)
    expect(await expectStatus(response, 200)).toEqual({ message: 'Livechat offline message sent', success: true })
    expect(await verifyCalls(token)).toHaveLength(1)
  })
})

describe('a half-configured Turnstile is a configuration error, named in the log', () => {
  const cases: [string, Partial<Env>, RegExp][] = [
    ['the secret without the site key', { TURNSTILE_SITE_KEY: '' }, /^Invalid server configuration: TURNSTILE_SITE_KEY: is empty while TURNSTILE_SECRET_KEY is set/],
    ['the site key without the secret', { TURNSTILE_SECRET_KEY: undefined }, /^Invalid server configuration: TURNSTILE_SECRET_KEY: is not set while TURNSTILE_SITE_KEY is/],
    ['a site key with a space', { TURNSTILE_SITE_KEY: `${SITE_KEY} ` }, /^Invalid server configuration: TURNSTILE_SITE_KEY: must be the key exactly/],
    ['a verify URL that is not http(s)', { TURNSTILE_VERIFY_URL: 'ftp://siteverify.example/' }, /^Invalid server configuration: TURNSTILE_VERIFY_URL: must be an http\(s\) URL/],
  ]
  for (const [what, overrides, line] of cases) {
    it(`${what}: registration answers 500 error-invalid-config, nothing stored`, async () => {
      await expectRefused(() => registerWith(turnstileToken('pass'), overrides), 500, INVALID_CONFIG)
      expect(logged(consoleError)).toEqual([expect.stringMatching(line)])
    })
  }

  it('the secret without the site key fails the widget\'s config too', async () => {
    const response = await call('/api/v1/livechat/config', {}, { ...on, TURNSTILE_SITE_KEY: '' } as Partial<Env>)
    expect(response.status).toBe(500)
  })

  it('a secret siteverify does not know: 500, nothing stored, and the log says which setting (never its value)', async () => {
    const wrong = '0x4AAAAAAAwrongSecretKey'
    await expectRefused(() => registerWith(turnstileToken('pass'), { TURNSTILE_SECRET_KEY: wrong } as Partial<Env>), 500, INVALID_CONFIG)
    const lines = logged(consoleError)
    expect(lines).toEqual([expect.stringMatching(/^Invalid server configuration: TURNSTILE_SECRET_KEY: was refused by siteverify/)])
    expect(lines.join('\n')).not.toContain(wrong)
  })
})

describe('updates of a known visitor need no token (the host page\'s own calls); new contacts always do', () => {
  it('the visitor the token names is updated without a verify call', async () => {
    const token = newToken()
    await expectStatus(await registerWith(turnstileToken('pass'), {}, { token, name: 'Ana' }), 200)
    const update = await registerWith(null, {}, { token, name: 'Ana B', email: 'ana@example.com' })
    expect(await expectStatus<any>(update, 200)).toMatchObject({ visitor: { token, name: 'Ana B' } })
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Ana B', visitorEmails: [{ address: 'ana@example.com' }] })
  })

  it('a new token without one: 400, nothing stored', async () => {
    const token = newToken()
    await expectRefused(() => registerWith(null, {}, { token, name: 'Bot' }), 400, INVALID)
    expect(await fetchVisitor(token)).toBeNull()
  })

  it('in mode true, a new token matching a visitor by email without one: 400, the visitor untouched', async () => {
    const token = newToken()
    const email = `m-${token.toLowerCase()}@example.com`
    const mode = { MATCH_VISITORS_BY_CONTACT: 'true' } as Partial<Env>
    await expectStatus(await registerWith(turnstileToken('pass'), mode, { token, name: 'Ana', email }), 200)
    await expectRefused(() => registerWith(null, mode, { token: newToken(), name: 'Mallory', email }), 400, INVALID)
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Ana', token })
  })

  it('a known token with a bad token sent is still refused', async () => {
    const token = newToken()
    await expectStatus(await registerWith(turnstileToken('pass'), {}, { token, name: 'Ana' }), 200)
    await expectRefused(() => registerWith(turnstileToken('fail'), {}, { token, name: 'Mallory' }), 400, INVALID)
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Ana' })
  })
})
