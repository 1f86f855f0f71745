// Property-based tests (fast-check) of the whole Worker, through its fetch handler:
//  1. arbitrary requests never answer 5xx, always JSON in Rocket.Chat's shape, never a stack;
//  2. a refused request (and any read) leaves KV and the registry byte for byte unchanged;
//  3. interleaved registrations, erasures and reads over small pools of tokens, phones, emails and
//     signed identities, in every MATCH_VISITORS_BY_CONTACT mode, keep the registry's invariants,
//     and a command alone in its batch gets exactly the answer the rules in docs/api.md predict.
// A failure prints fast-check's counterexample, shrunk, and the seed and path to replay it
// (fc.assert(..., { seed, path })).
import { runInDurableObject } from 'cloudflare:test'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { randomId } from '../../shared/ids.ts'
import type { Visitor } from '../../shared/visitor.ts'
import {
  BASE, FIELDS, call, createAgent, env, kvWith, registry, registryTables, replicateTo, signIdentity, snapshot, withSecret,
} from './support.ts'

// ---------------------------------------------------------------------------------------------
// Shared helpers

type Vars = Partial<Env>
const vars = (v: Record<string, string>) => v as unknown as Vars

/** A client address never used before in this file: no request meets the rate limiter's 429. */
let ipCounter = 0
const freshIp = () => {
  const n = ++ipCounter
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
}

type Identity = Awaited<ReturnType<typeof signIdentity>>

/** Deletes every visitor, every pending KV copy and every `visitor:` key: a clean registry. */
async function resetVisitors() {
  await runInDurableObject(registry(), (_instance, state) => {
    state.storage.sql.exec('DELETE FROM visitors; DELETE FROM replication')
  })
  let cursor: string | undefined
  do {
    const page: KVNamespaceListResult<unknown, string> = await env.CONTACTS.list({ prefix: 'visitor:', cursor })
    await Promise.all(page.keys.map(({ name }) => env.CONTACTS.delete(name)))
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor)
}

/** Text that would betray a stack trace or a source location. */
const STACK = /\n\s+at |\bat \S+ \(|\b[A-Z][A-Za-z]*Error: |\.(?:ts|js|mjs):\d+:\d+/

/** Every answer: never 5xx; JSON (a 204 preflight aside); Rocket.Chat's failure shape; no stack. */
async function expectWellFormed(response: Response, method: string): Promise<unknown> {
  const text = await response.text()
  const where = `${method} → ${response.status} ${text.slice(0, 400)}`
  expect(response.status, where).toBeLessThan(500)
  expect(text, where).not.toMatch(STACK)
  if (response.status === 204) {
    expect(method, where).toBe('OPTIONS')
    expect(text, where).toBe('')
    return undefined
  }
  expect(response.headers.get('content-type'), where).toBe('application/json')
  let body: any
  expect(() => (body = JSON.parse(text)), where).not.toThrow()
  expect(body !== null && typeof body === 'object' && !Array.isArray(body), where).toBe(true)
  if (response.status >= 400) {
    expect(body.success, where).toBe(false)
    expect(typeof body.error, where).toBe('string')
  } else {
    expect(response.status, where).toBe(200)
    expect(body.success, where).toBe(true)
  }
  return body
}

// ---------------------------------------------------------------------------------------------
// Arbitraries for requests

const C0_C1 = ['\u0000', '\u0009', '\u000a', '\u000d', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009b', '\u009f']
const ODD = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\u2028', '\u2029', '\ufeff', '\ufffd', '\u200b', 'é', '😀', 'İ', '\u212a']
const PLAIN = [...'abcXYZ019 -_.@+/:%"\'\\<>{}[]?#&=']

const oddChar = fc.oneof(
  fc.constantFrom(...C0_C1),
  fc.constantFrom(...ODD),
  fc.constantFrom(...PLAIN),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)

/** Strings that break things: controls, lone surrogates, limits ±1, huge, reserved names. */
const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: oddChar, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '   ', 'null', 'undefined', '__proto__', 'constructor', 'toString', 'guest-1', 'GUEST-7', 'sales', 'Support') },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('a', 'é', '😀', '\ud800', '\u0085', ' '),
      fc.constantFrom(63, 64, 65, 128, 129, 253, 254, 255, 256, 257, 1024, 1025, 5000, 40_000),
    ).map(([c, n]) => c.repeat(n)),
  },
)

/** Any JSON value where a string is expected. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean()) },
  { weight: 1, arbitrary: fc.array(oddString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, oddString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
)

/** A few tokens shared by generated registrations, reads and erasures, so that they meet. */
const TOKEN_POOL = ['prop-tok-0', 'prop-tok-1', 'prop-tok-2', 'prop-tok-3', 'prop-tok-4']
const validToken = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/), fc.constantFrom(...TOKEN_POOL))
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/)

/** Signed identities, made before the properties run (signing is async). */
const signed: { valid: Identity[]; expired: Identity; tooLong: Identity; lone: Identity } = {} as never

const identityArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1).map((i) => signed.valid[i]) },
  { weight: 1, arbitrary: fc.constant(0).map(() => signed.expired) },
  { weight: 1, arbitrary: fc.constant(0).map(() => signed.tooLong) },
  { weight: 1, arbitrary: fc.constant(0).map(() => signed.lone) },
  // Another identifier under a valid signature.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1), oddString).map(([i, identifier]) => ({ ...signed.valid[i], identifier })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1), fc.anything()).map(([i, extra]) => ({ ...signed.valid[i], extra })) },
  {
    weight: 3,
    arbitrary: fc.record({
      identifier: oddValue,
      expires: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1e308, -1, 0, Math.floor(Date.now() / 1000) + 60),
        oddValue,
      ),
      signature: fc.oneof(hex64, hex64.map((h) => h.toUpperCase()), hex64.map((h) => h.slice(1)), oddValue),
    }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: oddValue },
)

const customFieldKey = fc.oneof(
  fc.constantFrom('address', 'company', 'plan', 'zip', 'secret', 'topic', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  oddString,
)
const customFieldValue = fc.oneof(fc.constantFrom('free', 'pro', 'Pro', '12345', '1234', 'x', ''), oddValue)

const customFieldsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.record({ key: customFieldKey, value: customFieldValue, overwrite: fc.oneof(fc.boolean(), oddValue) }, { requiredKeys: [] }) },
        // Nested junk: objects in objects.
        { weight: 1, arbitrary: fc.record({ key: customFieldKey, value: fc.object({ maxDepth: 4 }), overwrite: fc.boolean(), nested: fc.object({ maxDepth: 4 }) }) },
        { weight: 1, arbitrary: oddValue },
      ),
      { maxLength: 8 },
    ),
  },
  { weight: 1, arbitrary: fc.array(fc.record({ key: fc.constant('address'), value: fc.constant('x'), overwrite: fc.boolean() }), { minLength: 49, maxLength: 52 }) },
  { weight: 1, arbitrary: oddValue },
)

/** A `visitor` where any field may be of the wrong type, null, or full of odd characters. */
const junkVisitor = fc.record({
  token: fc.oneof({ weight: 3, arbitrary: validToken }, { weight: 2, arbitrary: oddValue }),
  name: oddValue,
  email: fc.oneof(oddValue, oddString.map((s) => `${s}@example.com`)),
  phone: oddValue,
  department: oddValue,
  username: oddValue,
  customFields: customFieldsArb,
  identity: identityArb,
  unknownKey: oddValue,
}, { requiredKeys: [] })

/** A string a valid body may carry: no controls, but lone surrogates, emoji, limits. */
const cleanString = (max: number) => fc.oneof(
  fc.string({ unit: fc.oneof(fc.constantFrom(...ODD), fc.constantFrom(...PLAIN)), maxLength: 20 }),
  fc.constantFrom('a', 'é', '😀', '\ud800', ' ').map((c) => c.repeat(Math.floor(max / c.length))),
  fc.constantFrom('', null),
)

/** A `visitor` that passes every check most of the time: it reaches the registry. */
const validishVisitor = fc.record({
  token: validToken,
  name: cleanString(256),
  email: fc.constantFrom('ana@example.com', '  Ana.Silva@Example.COM ', '"quoted"@example.com', 'x@[1.2.3.4]', '', null, 'not-an-email'),
  phone: cleanString(64),
  department: fc.constantFrom('sales', 'Support', '', null, 'nope'),
  username: fc.oneof(cleanString(64), fc.constantFrom('guest-999999', 'GUEST-5', 'Maria', 'maria')),
  customFields: fc.oneof(
    fc.constant(null),
    fc.array(fc.record({ key: fc.constantFrom('address', 'company', 'plan', 'zip', '__proto__', 'constructor', 'nope'), value: fc.oneof(cleanString(1024), fc.constantFrom('free', 'pro', '12345')), overwrite: fc.boolean() }), { maxLength: 5 }),
  ),
  identity: fc.oneof(fc.constant(null), fc.constantFrom(0, 1).map((i) => signed.valid[i])),
}, { requiredKeys: ['token'] })

/** Serialises anything as JSON, or gives up (undefined, cycles): then the raw text. */
const asJson = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

type Body = string | Uint8Array | undefined

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ visitor: junkVisitor }).map(asJson) },
  { weight: 4, arbitrary: fc.record({ visitor: validishVisitor }).map(asJson) },
  { weight: 1, arbitrary: fc.record({ visitor: validishVisitor, extra: oddValue }, { requiredKeys: ['visitor'] }).map(asJson) },
  { weight: 1, arbitrary: fc.record({ visitor: oddValue }).map(asJson) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 4 }).map(asJson) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '', 'null', '[]', '{}', '{"visitor":', '\ufeff{"visitor":{"token":"abc"}}', '{"visitor":{"token":"abc"}}garbage',
      `{"visitor":{"token":"abc","name":"${'x'.repeat(40_000)}"}}`, `{"visitor":{"token":"abc"},"visitor":{"token":"def"}}`,
      '{"__proto__":{"visitor":{"token":"abc"}}}', '{"visitor":{"token":"abc","__proto__":{"name":"x"}}}',
      '{"visitor":{"token":"abc","customFields":[{"key":"__proto__","value":"x","overwrite":true}]}}',
      '['.repeat(5000) + ']'.repeat(5000), '{"visitor":'.repeat(2000),
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
)

const LIVECHAT = '/api/v1/livechat'
const ROUTES = [
  '/', '/api', '/api/info', '/api/info/', `${LIVECHAT}/config`, `${LIVECHAT}/visitor`, `${LIVECHAT}/visitor/`, `${LIVECHAT}/visitor//`,
  '/api/v1/omnichannel/contact', '/api/v1/omnichannel/contact/', `${LIVECHAT}/`, '/api/v1/omnichannel/', '/API/V1/LIVECHAT/VISITOR',
  `${LIVECHAT}/visitor/abc/def`, `${LIVECHAT}/visitor/abc/`, '/api//v1/livechat/visitor', '/widget.js', '/livechat/rocketchat-livechat.min.js',
]

const percentJunk = fc.array(
  fc.oneof(
    fc.constantFrom('%', '%0', '%00', '%2F', '%2f', '%3A', '%25', '%ZZ', '%E0%A4%A', '%C0%AF', '%FF', '%ED%A0%80', '%F0%9F%98', '%u0041', '%2E%2E'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,4}$/),
  ),
  { maxLength: 8 },
).map((parts) => parts.join(''))

const segment = fc.oneof(
  { weight: 2, arbitrary: validToken },
  { weight: 2, arbitrary: percentJunk },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', ':token', '*', '__proto__', 'constructor', 'a'.repeat(129), 'a'.repeat(5000)) },
)

const pathArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(`${LIVECHAT}/visitor/`, '/api/v1/omnichannel/contact/', `${LIVECHAT}/`, '/api/'), segment).map(([p, s]) => p + s) },
  { weight: 2, arbitrary: fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `/${s}`) },
)

/** Percent-encodes, or leaves as is what cannot be (lone surrogates): the URL parser takes both. */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s)
  } catch {
    return s
  }
}

const queryKey = fc.oneof(fc.constantFrom('contactId', 'contactId[]', 'contactId[0]', '__proto__', 'constructor', 'token', 'visitor', ''), oddString)
const queryValue = fc.oneof(validToken, oddString, percentJunk, fc.constant(''))
const queryArb = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 }).map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([k, v, raw]) => raw ? `${k}=${v}` : `${encode(k)}=${encode(v)}`).join('&')}`),
  fc.tuple(validToken, validToken).map(([a, b]) => `?contactId=${a}&contactId=${b}`),
  percentJunk.map((j) => `?${j}`),
)

/** Header values: printable ASCII and tab, never CR, LF or NUL (which fetch refuses), nor
 * non-ASCII (which workerd sends as UTF-8, with a warning per request). */
const headerValue = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\t'), maxLength: 40 })

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', ' application/json ;', 'application/json;charset=latin1',
    'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
    '', 'application/jsonp', 'application/json-patch+json', 'application/vnd.api+json', 'json', ';',
  ),
  headerValue,
)
const origin = fc.oneof(
  fc.constantFrom('https://shop.example', 'https://evil.example', 'null', BASE, `${BASE}:443`, 'HTTPS://SHOP.EXAMPLE', 'https://shop.example/', ''),
  headerValue,
)

/** Agents, made once: one allowed to read contacts, one not. */
const agents: { headers: Record<string, string> }[] = []

const headersArb = fc.record({
  'content-type': contentType,
  origin,
  'x-user-id': fc.oneof(headerValue, validToken),
  'x-auth-token': headerValue,
  agent: fc.constantFrom(0, 1),
  'access-control-request-method': fc.constantFrom('POST', 'GET', 'DELETE', 'PUT'),
  'access-control-request-headers': fc.oneof(fc.constant('content-type'), headerValue),
  accept: fc.constantFrom('application/json', '*/*', 'text/html'),
}, { requiredKeys: [] })

/** Settings an operator may run with, all valid: they change which code paths a request reaches. */
const CONFIGS: Vars[] = [
  withSecret,
  { ...withSecret, ...vars({ LIVECHAT_CUSTOM_FIELDS: FIELDS }) },
  { ...withSecret, ...vars({ ALLOWED_ORIGINS: 'https://shop.example', AGENT_ALLOWED_ORIGINS: 'https://agents.example' }) },
  { ...withSecret, ...vars({ MATCH_VISITORS_BY_CONTACT: 'true' }) },
  { ...withSecret, ...vars({ MATCH_VISITORS_BY_CONTACT: 'false', CONTACT_INCLUDE_TOKEN: 'false' }) },
  {
    ...withSecret,
    ...vars({
      LIVECHAT_CUSTOM_FIELDS: JSON.stringify(['__proto__', 'constructor', 'toString', 'address'].map((_id) => ({
        _id, label: _id, scope: 'visitor', visibility: 'visible', type: 'input', required: false, regexp: '', options: '',
      }))),
    }),
  },
]

interface ArbitraryRequest {
  method: string
  path: string
  query: string
  headers: Record<string, unknown>
  body: Body
  config: number
}

const configArb = fc.nat(CONFIGS.length - 1)
const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', ' application/json ;')
/** Mostly no Origin (not a browser), sometimes an allowed one, rarely a refused one. */
const sometimesOrigin = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('https://shop.example', BASE, 'https://evil.example', 'https://agents.example') },
)

/** Anything: any method, path, query, headers and body. */
const anyRequest: fc.Arbitrary<ArbitraryRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'PATCH'),
  path: pathArb,
  query: queryArb,
  headers: headersArb,
  body: bodyArb,
  config: configArb,
})

/** Registrations: the JSON bodies reach validation and, often, the registry. */
const registration: fc.Arbitrary<ArbitraryRequest> = fc.record({
  method: fc.constant('POST'),
  path: fc.constantFrom(`${LIVECHAT}/visitor`, `${LIVECHAT}/visitor/`),
  query: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArb }),
  headers: fc.record({ 'content-type': fc.oneof({ weight: 8, arbitrary: jsonType }, { weight: 1, arbitrary: contentType }), origin: sometimesOrigin }, { requiredKeys: ['content-type'] }),
  body: bodyArb,
  config: configArb,
})

/** Reads and erasures of well-formed, malformed and hostile tokens. */
const byToken: fc.Arbitrary<ArbitraryRequest> = fc.record({
  method: fc.constantFrom('GET', 'DELETE', 'GET', 'DELETE', 'POST', 'PUT'),
  path: fc.oneof(validToken, segment, fc.constantFrom(...TOKEN_POOL)).map((t) => `${LIVECHAT}/visitor/${t}`),
  query: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArb }),
  headers: fc.record({ origin: sometimesOrigin, 'content-type': jsonType }, { requiredKeys: [] }),
  body: fc.oneof(fc.constant(undefined), bodyArb),
  config: configArb,
})

/** The agents' endpoint, with real and junk credentials and every query shape. */
const contact: fc.Arbitrary<ArbitraryRequest> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'DELETE'),
  path: fc.constantFrom('/api/v1/omnichannel/contact', '/api/v1/omnichannel/contact/'),
  query: fc.oneof(queryArb, fc.oneof(validToken, segment).map((id) => `?contactId=${id}`)),
  headers: fc.oneof(
    // An agent's own credentials, allowed to read contacts or not.
    { weight: 3, arbitrary: fc.record({ agent: fc.constantFrom(0, 0, 1), origin: sometimesOrigin }) },
    { weight: 1, arbitrary: fc.record({ 'x-user-id': fc.oneof(headerValue, validToken), 'x-auth-token': headerValue, origin: sometimesOrigin }, { requiredKeys: [] }) },
  ),
  body: fc.constant(undefined),
  config: configArb,
})

/** Preflights of every route group, from every kind of origin. */
const preflightArb: fc.Arbitrary<ArbitraryRequest> = fc.record({
  method: fc.constant('OPTIONS'),
  path: fc.oneof(fc.constantFrom(...ROUTES), pathArb),
  query: fc.constant(''),
  headers: headersArb,
  body: fc.constant(undefined),
  config: configArb,
})

const requestArb: fc.Arbitrary<ArbitraryRequest> = fc.oneof(
  { weight: 6, arbitrary: registration },
  { weight: 3, arbitrary: byToken },
  { weight: 2, arbitrary: contact },
  { weight: 1, arbitrary: preflightArb },
  { weight: 3, arbitrary: anyRequest },
)

/** Sends one generated request, from an address never seen before. */
function send(r: ArbitraryRequest): Promise<Response> {
  const { agent, ...rest } = r.headers
  const headers: Record<string, string> = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as Record<string, string>
  headers['cf-connecting-ip'] = freshIp()
  // Sometimes real credentials, to reach past authentication.
  if (agent !== undefined && headers['x-user-id'] === undefined) Object.assign(headers, agents[agent as number].headers)
  const body = r.method === 'GET' ? undefined : r.body
  return call(`${r.path}${r.query}`, { method: r.method, headers, body }, CONFIGS[r.config])
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  signed.valid = await Promise.all([signIdentity('prop-id-0'), signIdentity('prop-id-1')])
  signed.expired = await signIdentity('prop-id-0', -5)
  signed.tooLong = await signIdentity('prop-id-0', 3 * 24 * 3600)
  signed.lone = await signIdentity('prop-\ud800')
  agents.push(await createAgent(), await createAgent(['user']))
})

describe('property: arbitrary requests', () => {
  it('never answer 5xx, always answer JSON in Rocket.Chat\'s shape, never leak a stack', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        await expectWellFormed(await send(r), r.method)
      }),
      { numRuns: 3000 },
    )
  }, 180_000) // (generous: a failure's shrinking takes far longer than the passing run)
})

// ---------------------------------------------------------------------------------------------
// Refused requests change nothing

/** Visitors stored before the property runs, for refused requests to aim at. */
const seeded: { token: string; identity?: Identity }[] = []

const nearValidVisitor = (token: string) => ({ token, name: 'Near Valid', email: 'near@example.com', phone: '+1 555 0100' })

/** One wrong thing in an otherwise valid registration of a stored token. */
const badField: fc.Arbitrary<Record<string, unknown>> = fc.constantFrom<Record<string, unknown>>(
  { email: 'not an email' }, { email: 'a@b' }, { email: `${'a'.repeat(250)}@example.com` },
  { name: 'A\u0000na' }, { name: 'A\u0085na' }, { name: 'x'.repeat(257) }, { name: 42 }, { name: ['Ana'] },
  { phone: '1'.repeat(65) }, { phone: '+1\u009b555' }, { department: 'nope' }, { username: 'u'.repeat(65) },
  { customFields: [{ key: 'address', value: 'x' }] }, { customFields: { address: 'x' } },
  { customFields: Array.from({ length: 51 }, () => ({ key: 'address', value: 'x', overwrite: true })) },
  { customFields: [{ key: 'address', value: 'a\u0000', overwrite: true }] },
  { customFields: [{ key: 'address', value: 'a'.repeat(1025), overwrite: true }] },
  // With FIELDS: `company` is required, `plan` is a select, `zip` has a pattern.
  { customFields: [{ key: 'plan', value: 'enterprise', overwrite: true }, { key: 'company', value: 'ACME', overwrite: true }] },
  { customFields: [{ key: 'zip', value: '1234', overwrite: true }, { key: 'company', value: 'ACME', overwrite: true }] },
  { customFields: [{ key: 'address', value: 'x', overwrite: true }] },
  { token: 'a b' }, { token: '' }, { token: ' ' }, { token: 'a'.repeat(129) }, { token: 'tökén' },
)

const refusedArb: fc.Arbitrary<{ describe: string; send: () => Promise<Response>; method: string }> = fc.oneof(
  // Anything at all (mostly refused).
  { weight: 3, arbitrary: requestArb.map((r) => ({ describe: JSON.stringify(r).slice(0, 600), send: () => send(r), method: r.method })) },
  // A stored token, one bad field.
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(3), badField, fc.constantFrom(0, 1)).map(([i, bad, config]) => {
      const body = { visitor: { ...nearValidVisitor(seeded[i].token), ...bad } }
      return { describe: JSON.stringify({ body, config }), method: 'POST', send: () => post(body, CONFIGS[config]) }
    }),
  },
  // A stored token with a bad identity: wrong, expired, too long-lived, someone else's signature.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.nat(3), fc.constantFrom<(() => unknown)>(
      () => signed.expired, () => signed.tooLong, () => ({ ...signed.valid[0], identifier: 'prop-id-1' }),
      () => ({ ...signed.valid[0], signature: signed.valid[1].signature }), () => ({ ...signed.valid[0], expires: signed.valid[0].expires + 1 }),
    )).map(([i, identity]) => {
      const body = { visitor: { ...nearValidVisitor(seeded[i].token), identity: identity() } }
      return { describe: JSON.stringify(body), method: 'POST', send: () => post(body, withSecret) }
    }),
  },
  // Valid bodies refused for what surrounds them: media type, origin, size, missing secret.
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(3), fc.constantFrom('media', 'origin', 'size', 'no-secret', 'delete-origin', 'invalid-utf8')).map(([i, how]) => {
      const { token } = seeded[i]
      const body = { visitor: { ...nearValidVisitor(token), identity: signed.valid[0] } }
      const narrowOrigins = CONFIGS[2]
      const actions: Record<string, () => Promise<Response>> = {
        media: () => post(body, withSecret, { 'content-type': 'text/plain' }),
        origin: () => post(body, narrowOrigins, { origin: 'https://evil.example' }),
        size: () => post({ visitor: { ...body.visitor, padding: 'x'.repeat(33_000) } }, withSecret),
        'no-secret': () => post(body, {}),
        'delete-origin': () => call(`${LIVECHAT}/visitor/${token}`, { method: 'DELETE', headers: { origin: 'https://evil.example' } }, narrowOrigins),
        'invalid-utf8': () => post(new Uint8Array([...new TextEncoder().encode(`{"visitor":{"token":"${token}","name":"`), 0xc3, 0x28, 0x22, 0x7d, 0x7d]), withSecret),
      }
      return { describe: `${how} on ${token}`, method: how === 'delete-origin' ? 'DELETE' : 'POST', send: actions[how] }
    }),
  },
  // Unknown or malformed tokens, read or erased.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('GET', 'DELETE'), fc.oneof(validToken, segment)).map(([method, token]) => ({
      describe: `${method} ${token.slice(0, 200)}`, method, send: () => call(`${LIVECHAT}/visitor/${token}`, { method }),
    })),
  },
  // Reads of stored visitors (must change nothing either).
  {
    weight: 1,
    arbitrary: fc.nat(3).map((i) => ({ describe: `GET ${seeded[i].token}`, method: 'GET', send: () => call(`${LIVECHAT}/visitor/${seeded[i].token}`) })),
  },
)

function post(body: unknown, config: Vars, headers: Record<string, string> = {}) {
  return call(`${LIVECHAT}/visitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), ...headers },
    body: body instanceof Uint8Array ? body : JSON.stringify(body),
  }, config)
}

describe('property: refused requests', () => {
  it('leave KV and the registry byte for byte as they were (and so do reads)', async () => {
    await resetVisitors()
    seeded.length = 0
    for (let i = 0; i < 4; i++) {
      const token = `seed-${randomId(12)}`
      const identity = i < 2 ? signed.valid[i] : undefined
      const response = await post({
        visitor: { token, name: `Seeded ${i}`, email: `seed${i}@example.com`, phone: `+1 555 01${i}`, identity, customFields: [{ key: 'address', value: `Street ${i}`, overwrite: true }] },
      }, withSecret)
      expect(response.status).toBe(200)
      seeded.push({ token, identity })
    }
    // A pending re-sweep in the outbox, too.
    const erased = await post({ visitor: { token: `seed-${randomId(12)}`, name: 'Erased' } }, withSecret)
    const { visitor } = await erased.json<{ visitor: Visitor }>()
    expect((await call(`${LIVECHAT}/visitor/${visitor.token}`, { method: 'DELETE' })).status).toBe(200)

    let refused = 0
    await fc.assert(
      fc.asyncProperty(refusedArb, async (r) => {
        const before = await snapshot()
        const response = await r.send()
        const status = response.status
        const text = await response.text()
        const wrote = status === 200 && (r.method === 'POST' || r.method === 'DELETE')
        if (wrote) return // a successful write; the next run starts from its state
        if (status >= 400) refused++
        expect(await snapshot(), `${r.describe} → ${status} ${text.slice(0, 300)}`).toEqual(before)
      }),
      { numRuns: 300 },
    )
    expect(refused).toBeGreaterThan(75)
  }, 180_000)
})

// ---------------------------------------------------------------------------------------------
// Model-based: interleaved registrations, erasures and reads

type Mode = 'verified' | 'true' | 'false'

type Command =
  | { kind: 'register'; token: number; phone?: number; email?: number; identity?: number; named: boolean; username?: string }
  | { kind: 'delete'; token: number }
  | { kind: 'get'; token: number }

const USERNAMES = ['maria', 'Maria', 'MARIA', 'guest-999999', 'GUEST-5', 'Guest-0', 'jo\u00e3o']
const GUEST_SHAPED = /^guest-\d+$/i

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      token: fc.nat(5),
      phone: fc.option(fc.nat(1), { nil: undefined, freq: 2 }),
      email: fc.option(fc.nat(1), { nil: undefined, freq: 2 }),
      identity: fc.option(fc.nat(1), { nil: undefined, freq: 2 }),
      named: fc.boolean(),
      username: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...USERNAMES) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), token: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), token: fc.nat(5) }) },
)

const modeArb = fc.constantFrom<Mode>('verified', 'true', 'false')
const MAX_BATCHES = 8
/** Batches run one after another; the commands of a batch run concurrently. A mode for the whole
 * run, or (`mixed`) one per batch: an operator may change it at any time. `slowKv`: the registry's
 * copies go to a KV that answers late, so more requests overlap. */
const scenarioArb = fc.record({
  mode: fc.oneof({ weight: 3, arbitrary: modeArb }, { weight: 1, arbitrary: fc.constant('mixed' as const) }),
  batchModes: fc.array(modeArb, { minLength: MAX_BATCHES, maxLength: MAX_BATCHES }),
  slowKv: fc.boolean(),
  batches: fc.array(fc.array(commandArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: MAX_BATCHES }),
})
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never

/** A KV namespace whose writes land a few milliseconds late (a fixed cycle of delays). */
function slowKv() {
  let n = 0
  const late = (op: 'put' | 'delete') => async (...args: unknown[]) => {
    await new Promise((resolve) => setTimeout(resolve, (n++ * 5) % 7))
    return (env.CONTACTS[op] as (...a: unknown[]) => Promise<unknown>).apply(env.CONTACTS, args)
  }
  return kvWith({ put: late('put'), delete: late('delete') })
}

interface Outcome {
  batch: number
  command: Command
  /** The request's own values. */
  token: string
  name?: string
  phone?: string
  email?: string
  identifier?: string
  status: number
  body: any
  text: string
  /** KV's copy of the answered visitor, read the moment the answer came. */
  copyRightAfter?: string | null
}

interface Row {
  id: string
  token: string
  username: string
  phone: string | null
  email: string | null
  identifier: string | null
  record: string
  updated: number
}

const INVALID_TOKEN = { success: false, error: '[invalid-token]', errorType: 'invalid-token' }
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase())

async function runScenario({ mode: runMode, batchModes, slowKv: slow, batches }: Scenario) {
  await resetVisitors()
  const replica = slow ? await replicateTo(slowKv()) : undefined
  try {
    await runBatches(runMode, batchModes, batches)
  } finally {
    await replica?.restore()
  }
}

async function runBatches(runMode: Mode | 'mixed', batchModes: Mode[], batches: Command[][]) {
  const run = randomId(8)
  const tokens = Array.from({ length: 6 }, (_, i) => `${run}-t${i}`)
  const phones = [`+55 ${run} 0`, `+55 ${run} 1`]
  const emails = [`e0-${run.toLowerCase()}@example.com`, `e1-${run.toLowerCase()}@example.com`]
  const identifiers = [`${run}-user-0`, `${run}-user-1`]
  const identities = await Promise.all(identifiers.map((i) => signIdentity(i)))
  let mode: Mode = 'verified'
  let config: Vars = withSecret
  let counter = 0

  const outcomes: Outcome[] = []
  // What earlier batches told: each visitor's latest token, the identifier it was verified as, the
  // names, phones and emails it carried, and the erasures.
  const tokenOf = new Map<string, string>()
  const verifiedAs = new Map<string, string>()
  const namesOf = new Map<string, Set<string>>()
  const usernameOf = new Map<string, string>()
  const contactsOf = new Map<string, { phone: Set<string>; email: Set<string> }>()
  const erasures: { id: string; batch: number }[] = []
  const givenGuestNames = new Set<string>()

  /** The registry's rows when the batch began: the state a command alone in its batch meets. */
  let rowsBefore: Row[] = []

  /**
   * A command with no other writer in its batch meets a known state, so its answer is predicted
   * exactly, following the rules in docs/api.md: identity (modes verified and true), then token (a
   * visitor verified as another identifier is never handed over), then in mode `true` an
   * unverified visitor by phone (keeps its token) or email (takes the new token), else new.
   */
  function checkSolo(o: Outcome) {
    const v = o.body.visitor as Visitor | undefined
    const holder = rowsBefore.find((r) => r.token === o.token)
    if (o.command.kind === 'get') {
      if (holder ? o.status !== 200 || o.text !== `{"visitor":${holder.record},"success":true}` : o.status !== 400)
        fail(`a read did not answer the token's visitor (${holder?.record ?? 'none'})`, o)
      return
    }
    if (o.command.kind === 'delete') {
      if (holder ? o.status !== 200 || v?._id !== holder.id : o.status !== 400) fail(`an erasure did not take the token's visitor (${holder?.id ?? 'none'})`, o)
      return
    }
    /** The newest row that matches, as `ORDER BY updated DESC LIMIT 1` picks it; null when a tie makes the pick arbitrary. */
    const newest = (match: (r: Row) => boolean): Row | undefined | null => {
      const found = rowsBefore.filter(match).sort((a, b) => b.updated - a.updated)
      return found.length > 1 && found[0].updated === found[1].updated ? null : found[0]
    }
    let row: Row | undefined | null
    let how = 'new'
    if (o.identifier && mode !== 'false') {
      row = newest((r) => r.identifier === o.identifier)
      how = 'identity'
    }
    let freshToken = false
    if (row === null) return
    if (!row) {
      if (holder?.identifier && o.identifier && holder.identifier !== o.identifier) freshToken = true
      else row = holder
      how = freshToken ? 'new with a fresh token' : row ? 'token' : 'new'
    }
    if (!row && mode === 'true') {
      const byPhone = o.phone ? newest((r) => r.phone === o.phone && r.identifier === null) : undefined
      const byEmail = !byPhone && o.email ? newest((r) => r.email === o.email && r.identifier === null) : undefined
      if (byPhone === null || byEmail === null) return
      row = byPhone ?? byEmail
      if (byPhone) how = 'phone'
      else if (byEmail) how = freshToken ? 'email with a fresh token' : 'email'
    }
    if (o.status !== 200 || !v) fail('a valid registration was refused', o)
    const V = v
    const expected = `expected ${how}${row ? ` ${row.id}` : ''}`
    if (row) {
      if (V._id !== row.id) fail(`${expected}`, o)
      const before = JSON.parse(row.record) as Visitor
      // Set-only: what was not sent is kept; `_id`, `username` and `ts` never change.
      const keep = { _id: before._id, username: before.username, ts: before.ts, department: before.department, livechatData: before.livechatData }
      const now = { _id: V._id, username: V.username, ts: V.ts, department: V.department, livechatData: V.livechatData }
      if (JSON.stringify(keep) !== JSON.stringify(now)) fail(`${expected}: fields not sent changed (was ${row.record})`, o)
      if (o.name === undefined && V.name !== before.name) fail(`${expected}: the name not sent changed (was ${row.record})`, o)
      if (o.phone === undefined && JSON.stringify(V.phone) !== JSON.stringify(before.phone)) fail(`${expected}: the phone not sent changed`, o)
      if (o.email === undefined && JSON.stringify(V.visitorEmails) !== JSON.stringify(before.visitorEmails)) fail(`${expected}: the email not sent changed`, o)
      if (!o.identifier && V.verified !== before.verified) fail(`${expected}: verified changed without an identity`, o)
      const token = how === 'identity' || how === 'phone' ? row.token : how === 'email with a fresh token' ? undefined : o.token
      if (token !== undefined && V.token !== token) fail(`${expected}: the answer should carry token ${token}`, o)
      if (token === undefined && (V.token === o.token || rowsBefore.some((r) => r.token === V.token))) fail(`${expected}: the answer should carry a fresh token`, o)
    } else {
      if (rowsBefore.some((r) => r.id === V._id) || erasures.some((e) => e.id === V._id)) fail(`${expected}: an existing visitor answered`, o)
      if (freshToken ? V.token === o.token || rowsBefore.some((r) => r.token === V.token) : V.token !== o.token) fail(`${expected}: wrong token`, o)
      const given = o.command.username
      const free = given !== undefined && !GUEST_SHAPED.test(given) && !rowsBefore.some((r) => asciiLower(r.username) === asciiLower(given))
      if (free ? V.username !== given : !/^guest-\d+$/.test(V.username)) fail(`${expected}: username ${free ? `${given} was free` : 'should be guest-N'}`, o)
      const sent = { name: o.name, phone: o.phone && [{ phoneNumber: o.phone }], visitorEmails: o.email && [{ address: o.email }], verified: o.identifier ? true : undefined }
      const got = { name: V.name, phone: V.phone, visitorEmails: V.visitorEmails, verified: V.verified }
      if (JSON.stringify(sent) !== JSON.stringify(got)) fail(`${expected}: a new visitor carries exactly what was sent`, o)
    }
  }

  async function execute(command: Command, batch: number, config: Vars): Promise<Outcome> {
    const token = tokens[command.token]
    let response: Response
    const outcome: Partial<Outcome> = { batch, command, token }
    if (command.kind === 'register') {
      const visitor: Record<string, unknown> = { token }
      if (command.named) visitor.name = outcome.name = `n${counter++}-${run}`
      if (command.phone !== undefined) visitor.phone = outcome.phone = phones[command.phone]
      if (command.email !== undefined) visitor.email = outcome.email = emails[command.email]
      if (command.identity !== undefined) {
        visitor.identity = identities[command.identity]
        outcome.identifier = identifiers[command.identity]
      }
      if (command.username !== undefined) {
        visitor.username = command.username
        if (GUEST_SHAPED.test(command.username)) givenGuestNames.add(command.username)
      }
      response = await post({ visitor }, config)
    } else {
      response = await call(`${LIVECHAT}/visitor/${token}`, { method: command.kind === 'delete' ? 'DELETE' : 'GET' }, config)
    }
    const text = await response.text()
    const body = JSON.parse(text)
    if (response.status === 200 && command.kind !== 'get') outcome.copyRightAfter = await env.CONTACTS.get(`visitor:${body.visitor._id}`)
    return { ...outcome, status: response.status, body, text } as Outcome
  }

  const fail: (message: string, outcome?: Outcome) => never = (message, outcome) => {
    throw new Error(`[mode ${mode}] ${message}${outcome ? `\n  command ${JSON.stringify(outcome.command)} in batch ${outcome.batch}` +
      ` (token ${outcome.token}) → ${outcome.status} ${outcome.text}` : ''}`)
  }

  for (const [b, batch] of batches.entries()) {
    mode = runMode === 'mixed' ? batchModes[b] : runMode
    config = { ...withSecret, ...vars({ MATCH_VISITORS_BY_CONTACT: mode }) }
    const results = await Promise.all(batch.map((command) => execute(command, b, config)))
    outcomes.push(...results)

    // Per answer, judged against what earlier batches told (a concurrent command of the same batch
    // may have acted first, in any order).
    const writers = results.filter((o) => o.command.kind !== 'get')
    for (const o of results) if (writers.length === 0 || (writers.length === 1 && writers[0] === o)) checkSolo(o)
    const sameBatchVerified = new Map<string, string>()
    for (const o of results) if (o.identifier && o.status === 200) sameBatchVerified.set(o.body.visitor._id, o.identifier)
    for (const o of results) {
      const v = o.body.visitor as Visitor | undefined
      if (o.command.kind === 'register') {
        if (o.status !== 200 || !v) fail('a valid registration was refused', o)
        const V = v
        if (o.name !== undefined && V.name !== o.name) fail('the name sent was not stored', o)
        if (o.phone !== undefined && V.phone?.[0]?.phoneNumber !== o.phone) fail('the phone sent was not stored', o)
        if (o.email !== undefined && V.visitorEmails?.[0]?.address !== o.email) fail('the email sent was not stored', o)
        if (o.command.username && GUEST_SHAPED.test(o.command.username) && V.username === o.command.username)
          fail('a guest-N username was stored as given', o)
        if (o.identifier && V.verified !== true) fail('a verified registration answered an unverified visitor', o)
        if (o.identifier && verifiedAs.has(V._id) && verifiedAs.get(V._id) !== o.identifier)
          fail(`an identity for ${o.identifier} was answered with a visitor verified as ${verifiedAs.get(V._id)}`, o)
        // A verified visitor is reached by its identity or its token, never by phone or email.
        if (!o.identifier && V.verified && V.token !== o.token) fail('a registration without identity reached a verified visitor not by its token', o)
        // Alone in its batch, the answer is in KV by the time it arrives.
        if (batch.length === 1 && o.copyRightAfter !== JSON.stringify(V)) fail(`KV's copy when the answer came: ${o.copyRightAfter}`, o)
        const known = tokenOf.get(V._id)
        if (mode !== 'true') {
          // No stranger: without an identity, a registration is its token's visitor or a new one.
          if (!o.identifier) {
            if (V.token !== o.token) fail('the answer carries another token', o)
            if (known !== undefined && known !== o.token) fail(`a token answered with another token's visitor (${known})`, o)
          } else if (known !== undefined) {
            const byIdentity = mode === 'verified' &&
              (verifiedAs.get(V._id) === o.identifier || sameBatchVerified.get(V._id) === o.identifier)
            const byToken = known === o.token && (!verifiedAs.has(V._id) || verifiedAs.get(V._id) === o.identifier)
            if (!byIdentity && !byToken) fail('an identity was answered with a visitor neither verified as it nor holding the token', o)
          }
        }
      } else if (o.command.kind === 'get') {
        if (o.status === 400) {
          if (JSON.stringify(o.body) !== JSON.stringify(INVALID_TOKEN)) fail('an unknown token gave another error', o)
        } else if (o.status !== 200 || v?.token !== o.token) fail('a read answered a visitor of another token', o)
        else if (mode !== 'true' && tokenOf.has(v._id) && tokenOf.get(v._id) !== o.token) fail('a read answered another token\'s visitor', o)
      } else {
        if (o.status === 400) {
          if (JSON.stringify(o.body) !== JSON.stringify(INVALID_TOKEN)) fail('an unknown token gave another error', o)
        } else if (o.status !== 200 || typeof v?._id !== 'string') fail('an erasure failed', o)
        else if (o.copyRightAfter !== null) fail(`KV still held the erased visitor when the erasure answered: ${o.copyRightAfter}`, o)
        else if (mode !== 'true' && tokenOf.has(v._id) && tokenOf.get(v._id) !== o.token) fail('an erasure took another token\'s visitor', o)
      }
    }

    // Erasure is final: nothing answered after the batch of a 200 DELETE carries the visitor.
    for (const { id, batch: erasedIn } of erasures) {
      const traces = [id, ...(namesOf.get(id) ?? [])]
      const username = usernameOf.get(id)
      if (username && GUEST_SHAPED.test(username)) traces.push(username)
      // Its phones and emails, unless a registration answered with another visitor sent them too.
      for (const field of ['phone', 'email'] as const) {
        for (const value of contactsOf.get(id)?.[field] ?? []) {
          const shared = outcomes.some((o) => o[field] === value && !(o.status === 200 && o.body.visitor._id === id))
          if (!shared) traces.push(value)
        }
      }
      for (const o of results) {
        // Whole JSON strings, quotes included: `n1-…` must not match inside `n10-…`.
        const trace = traces.find((t) => o.text.includes(JSON.stringify(t)))
        if (trace) fail(`an answer after the erasure (batch ${erasedIn}) of ${id} carries ${JSON.stringify(trace)}`, o)
      }
    }

    // What this batch told, for the next.
    for (const o of results) {
      const v = o.body.visitor as Visitor | undefined
      if (o.status !== 200 || !v) continue
      if (o.command.kind === 'delete') {
        erasures.push({ id: v._id, batch: b })
        continue
      }
      tokenOf.set(v._id, v.token)
      usernameOf.set(v._id, v.username)
      if (v.name) namesOf.set(v._id, (namesOf.get(v._id) ?? new Set()).add(v.name))
      const contacts = contactsOf.get(v._id) ?? { phone: new Set<string>(), email: new Set<string>() }
      for (const { phoneNumber } of v.phone ?? []) contacts.phone.add(phoneNumber)
      for (const { address } of v.visitorEmails ?? []) contacts.email.add(address)
      contactsOf.set(v._id, contacts)
      if (o.identifier) {
        if (verifiedAs.has(v._id) && verifiedAs.get(v._id) !== o.identifier)
          fail(`one visitor answered identities ${verifiedAs.get(v._id)} and ${o.identifier}`, o)
        verifiedAs.set(v._id, o.identifier)
      }
    }
    // Within one batch too: one visitor, one identifier.
    const identifiersOf = new Map<string, Set<string>>()
    for (const o of results) {
      if (o.status !== 200 || !o.identifier) continue
      const id = o.body.visitor._id
      identifiersOf.set(id, (identifiersOf.get(id) ?? new Set()).add(o.identifier))
      if (identifiersOf.get(id)!.size > 1) fail(`one visitor answered identities ${[...identifiersOf.get(id)!]}`, o)
    }

    await checkStoredState(b)
  }

  /** The registry and KV after every request of a batch has answered. */
  async function checkStoredState(b: number) {
    const tables = await registryTables()
    const rows = tables.visitors as unknown as Row[]
    const where = `after batch ${b}`
    const seenIds = new Set(outcomes.filter((o) => o.status === 200).map((o) => o.body.visitor._id))
    const tokensSeen = new Set<string>()
    const usernames = new Set<string>()
    for (const row of rows) {
      const record = JSON.parse(row.record) as Visitor
      const about = `${where}: row ${JSON.stringify({ ...row, record })}`
      // One visitor, one token.
      if (tokensSeen.has(row.token)) fail(`${about}: token held twice`)
      tokensSeen.add(row.token)
      if (record.token !== row.token) fail(`${about}: record.token is not the token column`)
      if (record._id !== row.id) fail(`${about}: record._id is not the id column`)
      if (record.username !== row.username) fail(`${about}: record.username is not the username column`)
      if ((record.phone?.[0]?.phoneNumber ?? null) !== row.phone) fail(`${about}: phone column out of step`)
      if ((record.visitorEmails?.[0]?.address ?? null) !== row.email) fail(`${about}: email column out of step`)
      // Usernames: unique case-insensitively, never a guest-N given by a client.
      const lower = asciiLower(row.username)
      if (usernames.has(lower)) fail(`${about}: username taken twice`)
      usernames.add(lower)
      if (givenGuestNames.has(row.username)) fail(`${about}: a given guest-N username was stored`)
      // Only visitors someone was told about; erased ones are gone.
      if (!seenIds.has(row.id)) fail(`${about}: a visitor no answer ever carried`)
      if (erasures.some((e) => e.id === row.id)) fail(`${about}: an erased visitor is still stored`)
      // Verified as at most one identifier, the one the answers showed, and marked so.
      if ((row.identifier ?? undefined) !== verifiedAs.get(row.id)) fail(`${about}: identifier column is not the identity answered (${verifiedAs.get(row.id)})`)
      if ((record.verified === true) !== (row.identifier !== null)) fail(`${about}: verified flag out of step with the identifier`)
    }
    // The outbox has sent every copy before answering: only re-sweeps of erasures wait.
    const pending = tables.replication.filter((r) => r.value !== null)
    if (pending.length > 0) fail(`${where}: copies still waiting in the outbox: ${JSON.stringify(pending)}`)
    // KV holds exactly the registry's records, byte for byte.
    const listed = await env.CONTACTS.list({ prefix: 'visitor:' })
    const kvIds = new Set(listed.keys.map((k) => k.name.slice('visitor:'.length)))
    for (const row of rows) {
      const copy = await env.CONTACTS.get(`visitor:${row.id}`)
      if (copy !== row.record) fail(`${where}: KV copy of ${row.id} is ${copy} but the registry holds ${row.record}`)
      kvIds.delete(row.id)
    }
    if (kvIds.size > 0) fail(`${where}: KV holds visitors the registry does not: ${[...kvIds]}`)
    for (const { id } of erasures) if (await env.CONTACTS.get(`visitor:${id}`) !== null) fail(`${where}: KV still holds erased ${id}`)
    rowsBefore = rows
  }

  // A 200 means stored and findable: the last answer about a visitor that nothing touched after.
  const rows = (await registryTables()).visitors as { id: string; record: string }[]
  for (const [i, o] of outcomes.entries()) {
    if (o.command.kind !== 'register') continue
    const v = o.body.visitor as Visitor
    const touched = outcomes.some((other, j) => j !== i && other.batch >= o.batch && other.command.kind !== 'get' &&
      (other.token === v.token || (other.status === 200 && other.body.visitor._id === v._id)))
    if (touched) continue
    const response = await call(`${LIVECHAT}/visitor/${v.token}`)
    const found = await response.json<{ visitor?: Visitor }>()
    if (response.status !== 200 || JSON.stringify(found.visitor) !== JSON.stringify(v))
      fail(`the answered visitor is not what GET ${v.token} reads: ${response.status} ${JSON.stringify(found)}`, o)
    const row = rows.find((r) => r.id === v._id)
    if (row?.record !== JSON.stringify(v)) fail(`the answered visitor is not the registry's record: ${row?.record}`, o)
  }
}

describe('property: interleaved registrations, erasures and reads', () => {
  it('keep one token per visitor, final erasures, findable answers, no strangers, unique usernames', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, runScenario),
      { numRuns: 200 },
    )
  }, 300_000)
})
