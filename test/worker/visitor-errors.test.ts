import { describe, expect, it, vi } from 'vitest'
import { MAX_BODY_BYTES } from '../../worker/src/http/body.ts'
import { call, clientIp, inOneRateWindow, newToken, postVisitor, register, snapshot } from './support.ts'

// Rate-limit tests may wait up to 15 s for a fresh window (inOneRateWindow).
vi.setConfig({ testTimeout: 60_000 })

/** Sends `body` and expects a Rocket.Chat-shaped 4xx that leaves KV exactly as it was. */
async function expectRefused(body: unknown, status: number, error: string | RegExp, errorType?: string) {
  await register({ token: newToken(), name: 'someone already stored' })
  const before = await snapshot()
  const response = await postVisitor(body)
  const json = await response.json<any>()
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(json.success).toBe(false)
  expect(json.error).toMatch(error)
  expect(json.errorType).toBe(errorType)
  expect(JSON.stringify(json)).not.toMatch(/\bat .*\.(ts|js):\d+/)
  expect(await snapshot()).toEqual(before)
}

describe('POST /api/v1/livechat/visitor refuses bad input and stores nothing', () => {
  it('malformed JSON', () => expectRefused('{"visitor": {', 400, 'The request body is not valid JSON [error-invalid-body]', 'error-invalid-body'))
  it('a body that is not an object', () => expectRefused('[1, 2]', 400, "Match error: Missing key 'visitor'"))
  it('a null body', () => expectRefused('null', 400, 'Match error: Expected object, got null'))
  it('an empty body', () => expectRefused('', 400, /not valid JSON/, 'error-invalid-body'))
  it('no visitor', () => expectRefused({}, 400, "Match error: Missing key 'visitor'"))
  it('a visitor that is not an object', () => expectRefused({ visitor: 'me' }, 400, 'Match error: Expected object, got string in field visitor'))
  it('an unknown top-level key', () => expectRefused({ visitor: { token: newToken() }, extra: 1 }, 400, 'Match error: Unknown key in field extra'))
  it('no token', () => expectRefused({ visitor: { name: 'Ana' } }, 400, "Match error: Missing key 'token' in field visitor"))
  it('a token that is a number', () => expectRefused({ visitor: { token: 42 } }, 400, 'Match error: Expected string, got number in field visitor.token'))
  it('an empty token', () => expectRefused({ visitor: { token: '' } }, 400, 'Token cannot be empty [error-invalid-token]', 'error-invalid-token'))
  it('a blank token', () => expectRefused({ visitor: { token: '   ' } }, 400, 'Token cannot be empty [error-invalid-token]', 'error-invalid-token'))
  for (const [what, token] of [['a path', '../../etc'], ['a colon', 'visitor:abc'], ['NUL', 'a\u0000b'], ['5,000 characters', 'a'.repeat(5000)]]) {
    it(`a token with ${what}`, () => expectRefused({ visitor: { token } }, 400, /\[error-invalid-token\]$/, 'error-invalid-token'))
  }
  it('a name that is not a string', () => expectRefused({ visitor: { token: newToken(), name: ['Ana'] } }, 400, 'Match error: Expected string, got array in field visitor.name'))
  it('a name with control characters', () => expectRefused({ visitor: { token: newToken(), name: 'A\u0000na' } }, 400, 'Match error: visitor.name must not contain control characters'))
  it('a name that is too long', () => expectRefused({ visitor: { token: newToken(), name: 'a'.repeat(257) } }, 400, 'Match error: visitor.name must be at most 256 characters'))
  it('an invalid email', () => expectRefused({ visitor: { token: newToken(), email: ' Not An Email ' } }, 400, 'Invalid email not an email [error-invalid-email]', 'error-invalid-email'))
  it('customFields that are not an array', () => expectRefused({ visitor: { token: newToken(), customFields: { address: 'x' } } }, 400, 'Match error: Expected array, got object in field visitor.customFields'))
  it('a custom field without overwrite', () => expectRefused({ visitor: { token: newToken(), customFields: [{ key: 'address', value: 'x' }] } }, 400, "Match error: Missing key 'overwrite' in field visitor.customFields.0"))
  it('a custom field value that is not a string', () => expectRefused({ visitor: { token: newToken(), customFields: [{ key: 'address', value: 7, overwrite: true }] } }, 400, 'Match error: Expected string, got number in field visitor.customFields.0.value'))
  it('a body over the cap, refused with 413', () =>
    expectRefused({ visitor: { token: newToken(), name: 'a'.repeat(MAX_BODY_BYTES) } }, 413, `Request body exceeds ${MAX_BODY_BYTES} bytes [error-payload-too-large]`, 'error-payload-too-large'))

  it('a body over the cap sent without Content-Length, refused with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1024))
    let sent = 0
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 64) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const response = await call('/api/v1/livechat/visitor', { method: 'POST', body, headers: { 'content-type': 'application/json', 'cf-connecting-ip': clientIp() } })
    expect(response.status).toBe(413)
    expect((await response.json<any>()).errorType).toBe('error-payload-too-large')
  })
})

describe('rate limit', () => {
  it('answers 429 in Rocket.Chat\'s words once one IP has registered too often', async () => {
    await inOneRateWindow()
    const ip = clientIp()
    const statuses: number[] = []
    for (let i = 0; i < 31; i++) {
      const response = await postVisitor({ visitor: { token: newToken() } }, {}, { 'cf-connecting-ip': ip })
      statuses.push(response.status)
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('60')
        expect(await response.json()).toEqual({
          success: false,
          error: 'Error, too many requests. Please slow down. You must wait 60 seconds before trying this endpoint again. [error-too-many-requests]',
        })
      }
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true)
    expect(statuses[30]).toBe(429)
  })
})

describe('RATE_LIMITS=off', () => {
  it('lets one IP register past the limit (load tests, imports), and a wrong value is a config error', async () => {
    const ip = clientIp()
    for (let i = 0; i < 35; i++) {
      const response = await postVisitor({ visitor: { token: newToken() } }, { RATE_LIMITS: 'off' }, { 'cf-connecting-ip': ip })
      expect(response.status).toBe(200)
    }
    const broken = await postVisitor({ visitor: { token: newToken() } }, { RATE_LIMITS: 'of' })
    expect(broken.status).toBe(500)
  })
})
