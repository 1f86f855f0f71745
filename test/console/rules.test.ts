// The console's pure parts: the API client's error messages, the form's rules (the server's own,
// from shared/visitor-rules.ts) and the request body they produce.
import { afterEach, expect, test, vi } from 'vitest'
import { createApi, UNREACHABLE } from '../../console/src/api'
import { formFields, MESSAGES, toContactUpdate, validate, fieldOfServerError, customKey } from '../../console/src/contact-form'
import { canEdit, canErase } from '../../console/src/session'
import { FIELDS, json } from './support'

afterEach(() => vi.unstubAllGlobals())

const api = (reply: () => Response | Promise<Response>, onUnauthorized = vi.fn()) => {
  vi.stubGlobal('fetch', vi.fn(async () => reply()))
  return { api: createApi({ origin: 'https://x', session: () => null, onUnauthorized }), onUnauthorized }
}

test('errors: the reason without its [code]; 403, 429 and 5xx in words; Retry-After read; unreachable', async () => {
  expect(await api(() => json({ success: false, error: 'Invalid value for Address field [error-invalid]', errorType: 'error-invalid' }, 400)).api.me())
    .toEqual({ ok: false, status: 400, error: 'Invalid value for Address field', errorType: 'error-invalid', retryAfterS: undefined })
  expect(await api(() => json({ success: false, error: 'x [error-unauthorized]' }, 403)).api.me()).toMatchObject({ error: "You don't have permission to do that." })
  expect(await api(() => json({}, 429, { 'retry-after': '12' })).api.me()).toMatchObject({ status: 429, retryAfterS: 12 })
  expect(await api(() => new Response('<html>', { status: 502 })).api.me()).toMatchObject({ error: 'The server had a problem (HTTP 502). Try again.' })
  expect(await api(() => new Response('', { status: 418 })).api.me()).toMatchObject({ error: 'The request failed (HTTP 418).' })
  expect(await api(() => Promise.reject(new TypeError('Failed to fetch'))).api.me()).toEqual({ ok: false, status: 0, error: UNREACHABLE })
  // Rocket.Chat's login failure is {status: "error"}, with the reason in `message` too.
  expect(await api(() => json({ status: 'error', error: 'Unauthorized', message: 'Unauthorized' }, 401)).api.login('a', 'b')).toMatchObject({ status: 401, error: 'Unauthorized' })
})

test('a 401 ends the session on authenticated calls, not on login or logout', async () => {
  const unauthorized = () => json({ success: false, error: 'You must be logged in to do this.' }, 401)
  for (const [call, ends] of [['me', true], ['login', false], ['logout', false], ['erase', true]] as const) {
    const { api: client, onUnauthorized } = api(unauthorized)
    await (client[call] as (...a: string[]) => Promise<unknown>)('a', 'b')
    expect([call, onUnauthorized.mock.calls.length]).toEqual([call, ends ? 1 : 0])
  }
})

test('visitors.search and visitors.info parameters are URL-encoded', async () => {
  const fetch = vi.fn(async () => json({ visitors: [], count: 0, offset: 0, total: 0, success: true }))
  vi.stubGlobal('fetch', fetch)
  const client = createApi({ origin: 'https://x', session: () => ({ userId: 'u', authToken: 't', me: { _id: 'u', username: 'u', roles: [] } }), onUnauthorized() {} })
  await client.search('a&b=c ü', 25, 50)
  await client.info('id/1?x')
  const calls = fetch.mock.calls as unknown as [string, RequestInit][]
  expect(calls.map((c) => c[0])).toEqual([
    'https://x/api/v1/livechat/visitors.search?term=a%26b%3Dc+%C3%BC&count=25&offset=50',
    'https://x/api/v1/livechat/visitors.info?visitorId=id%2F1%3Fx',
  ])
  expect(calls[0][1].headers).toEqual({ 'X-User-Id': 'u', 'X-Auth-Token': 't' })
})

test('the form validates with the server’s rules', () => {
  const fields = formFields(FIELDS)
  const ok = { name: 'Ana', email: '', phone: '', [customKey('address')]: '', [customKey('plan')]: '', [customKey('code')]: '' }
  expect(validate(fields, ok)).toEqual({})
  expect(validate(fields, { ...ok, name: 'a'.repeat(257) })).toEqual({ name: MESSAGES.tooLong(256) })
  expect(validate(fields, { ...ok, name: 'bad \ud800 surrogate' })).toEqual({ name: MESSAGES.characters })
  expect(validate(fields, { ...ok, name: 'c1 \u0085 control' })).toEqual({ name: MESSAGES.characters })
  expect(validate(fields, { ...ok, email: 'A@B.CO' })).toEqual({})
  expect(validate(fields, { ...ok, email: 'a@b' })).toEqual({ email: MESSAGES.email })
  expect(validate(fields, { ...ok, [customKey('plan')]: 'Gold' })).toEqual({ [customKey('plan')]: MESSAGES.invalid })
  expect(validate(fields, { ...ok, [customKey('code')]: 'AB1' })).toEqual({ [customKey('code')]: MESSAGES.invalid })
  expect(validate(fields, { ...ok, [customKey('address')]: 'x'.repeat(1025) })).toEqual({ [customKey('address')]: MESSAGES.tooLong(1024) })
  const required = formFields([{ ...FIELDS[0], required: true }])
  expect(validate(required, { ...ok, [customKey('address')]: ' ' })).toEqual({ [customKey('address')]: MESSAGES.required })
  // A pattern this browser cannot compile is left to the server.
  expect(validate(formFields([{ ...FIELDS[0], regexp: '(?<' }]), { ...ok, [customKey('address')]: 'x' })).toEqual({})
})

test('the update: the id and only the fields changed, trimmed, email lowercased, emptied ones sent as removals', () => {
  const fields = formFields(FIELDS)
  const initial = { name: 'Ana', email: 'a@b.co', phone: '+1', [customKey('address')]: 'Rua 1', [customKey('plan')]: 'Pro', [customKey('code')]: '' }
  expect(toContactUpdate('id1', fields, initial, { ...initial, name: ' Ana ', [customKey('address')]: ' Rua 1 ' })).toEqual({ contactId: 'id1' })
  expect(
    toContactUpdate('id1', fields, initial, { ...initial, name: ' Bia ', email: ' C@D.CO ', phone: ' ', [customKey('plan')]: '', [customKey('code')]: 'ABC' }),
  ).toEqual({ contactId: 'id1', name: 'Bia', emails: ['c@d.co'], phones: [], customFields: { plan: '', code: 'ABC' } })
  expect(toContactUpdate('id1', fields, initial, { ...initial, email: '', phone: '+2' })).toEqual({ contactId: 'id1', emails: [], phones: ['+2'] })
})

test('server errors map to the field they name, by label or id', () => {
  const fields = formFields(FIELDS)
  expect(fieldOfServerError(fields, 'Invalid value for Customer code field')).toEqual({ [customKey('code')]: MESSAGES.invalid })
  expect(fieldOfServerError(fields, 'Invalid value for plan field')).toEqual({ [customKey('plan')]: MESSAGES.invalid })
  expect(fieldOfServerError(fields, 'Invalid email', 'error-invalid-email')).toEqual({ email: MESSAGES.email })
  expect(fieldOfServerError(fields, 'Something else')).toBeUndefined()
})

test('Edit is for the roles holding update-livechat-contact: not monitors', () => {
  const as = (...roles: string[]) => canEdit({ userId: 'u', authToken: 't', me: { _id: 'u', username: 'u', roles } })
  expect([as('admin'), as('livechat-manager'), as('livechat-agent'), as('livechat-monitor', 'livechat-agent'), as('livechat-monitor'), as('user'), as()]).toEqual([
    true, true, true, true, false, false, false,
  ])
})

test('Erase is for the roles holding delete-livechat-contact', () => {
  const as = (...roles: string[]) => canErase({ userId: 'u', authToken: 't', me: { _id: 'u', username: 'u', roles } })
  expect([as('admin'), as('livechat-manager'), as('livechat-agent', 'livechat-manager'), as('livechat-agent'), as('livechat-monitor'), as()]).toEqual([
    true, true, true, false, false, false,
  ])
})
