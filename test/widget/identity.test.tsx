// Verified visitors: LiveChat.identify() and registerGuest({identity}) hand a signature made by
// the site's backend to the Worker. The widget checks only its shape, keeps it in memory only,
// and starts afresh when another person is identified on this browser.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { sha256Hex } from '../../shared/ids'
import { IDENTIFIER_MAX_LENGTH } from '../../shared/visitor-rules'
import { installHostApis } from '../../widget/src/host-api'
import { json, mountWidget, page, stubServer, type Sent } from './support'

const identity = (identifier = 'user-42', signature = 'ab'.repeat(32)) => ({ identifier, expires: 1796000000, signature })
const INVALID_IDENTITY = json(
  { success: false, error: 'Invalid or expired identity [error-invalid-identity]', errorType: 'error-invalid-identity' },
  400,
)
/** The server's answer to a registration: verified when an identity came along. */
const answer = (req: Sent, token = req.body.visitor.token) =>
  json({ visitor: { name: req.body.visitor.name, token, ...(req.body.visitor.identity && { verified: true }) }, success: true })

const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const everythingStored = () => Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`).join('\n')

/** A widget with the host APIs installed, as main.tsx boots it. */
const mount = (options?: { open?: boolean }) => {
  const mounted = mountWidget(options)
  installHostApis(mounted.widget)
  return mounted
}

test('identify() before registering sends nothing; the form submit carries the identity, prefilled by identify()', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  mount()
  expect(await window.LiveChat!.identify({ ...identity(), name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(0)
  expect(((await screen.findByLabelText('Name')) as HTMLInputElement).value).toBe('Ana')
  expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('ana@example.com')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await screen.findByText(/You're all set, Ana/)
  expect(server.posts()).toHaveLength(1)
  expect(server.posts()[0].body.visitor).toEqual({
    token: localStorage.getItem('ecc:token'),
    name: 'Ana',
    email: 'ana@example.com',
    identity: identity(),
    sourcePage: page(),
  })
})

test('the identity is never written to localStorage: only a SHA-256 of the identifier marks whom the visitor was verified as', async () => {
  stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const { widget } = mount({ open: false })
  await window.LiveChat!.identify(identity('ana@corp.example'))
  expect(await widget.register({ name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  const stored = everythingStored()
  expect(stored).not.toContain('ab'.repeat(32))
  expect(stored).not.toContain('ana@corp.example')
  expect(stored).not.toContain('1796000000')
  expect(stored).not.toContain('identity')
  expect(widget.memory.registration()).toEqual({
    sent: { token: expect.any(String), name: 'Ana', email: 'ana@example.com' },
    name: 'Ana',
    who: await sha256Hex('ana@corp.example'),
  })
})

test('a visitor already registered here is re-registered at once with the identity, in one request even when identify() is called twice', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const { widget } = mount({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  const token = localStorage.getItem('ecc:token')
  const results = await Promise.all([window.LiveChat!.identify(identity()), window.LiveChat!.identify(identity())])
  expect(results).toEqual([{ ok: true }, { ok: true }])
  expect(server.posts()).toHaveLength(2)
  expect(server.posts()[1].body.visitor).toEqual({ token, identity: identity(), sourcePage: page() })
  expect(localStorage.getItem('ecc:token')).toBe(token)
  expect(widget.memory.registration()?.who).toBe(await sha256Hex('user-42'))
})

test('once verified, the same person on a later page load is not re-registered, and host updates carry no identity', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const first = mount({ open: false })
  await window.LiveChat!.identify(identity())
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()

  const { widget } = mount({ open: false })
  expect(await window.LiveChat!.identify({ ...identity(), name: 'Ana' })).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(1)
  widget.setGuest({ name: 'Ana Souza' })
  await waitFor(() => expect(server.posts()).toHaveLength(2))
  expect(server.posts()[1].body.visitor).toEqual({ token: server.posts()[0].body.visitor.token, name: 'Ana Souza', sourcePage: page() })
})

test('a different identifier after a reload starts afresh: new token, previous registration and draft forgotten, previous name gone', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const first = mount()
  await window.LiveChat!.identify(identity('user-42'))
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  const anasToken = localStorage.getItem('ecc:token')
  first.unmount()

  mount()
  expect(await screen.findByText(/You're all set, Ana\./)).toBeTruthy()
  localStorage.setItem('ecc:draft', JSON.stringify({ phone: "Ana's phone" }))
  const result = await window.LiveChat!.identify({ ...identity('user-7', 'cd'.repeat(32)), name: 'Bo' })
  expect(result).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(2)
  const { visitor } = server.posts()[1].body
  expect(visitor).toEqual({ token: expect.any(String), name: 'Bo', identity: identity('user-7', 'cd'.repeat(32)), sourcePage: page() })
  expect(visitor.token).not.toBe(anasToken)
  expect(localStorage.getItem('ecc:token')).toBe(visitor.token)
  expect(localStorage.getItem('ecc:draft')).toBeNull()
  expect(await screen.findByText(/You're all set, Bo\./)).toBeTruthy()
  expect(screen.queryByText(/Ana/)).toBeNull()
})

test('a different identifier before any registration clears what the previous person typed', async () => {
  const server = stubServer()
  mount()
  await window.LiveChat!.identify({ ...identity('user-42'), name: 'Ana' })
  await screen.findByLabelText('Phone (optional)')
  fill(/Phone/, '+55 11 91234-5678')
  await window.LiveChat!.identify({ ...identity('user-7'), name: 'Bo' })
  await waitFor(() => expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Bo'))
  expect((screen.getByLabelText('Phone (optional)') as HTMLInputElement).value).toBe('')
  expect(localStorage.getItem('ecc:draft')).toBeNull()
  expect(server.posts()).toHaveLength(0)
})

test('the token the server answers is adopted: the identifier was already verified on another device', async () => {
  stubServer({
    'POST /api/v1/livechat/visitor': [
      (req) => answer(req),
      json({ visitor: { name: 'Ana S.', token: 'tokenOfTheVerifiedVisitor', verified: true }, success: true }),
    ],
  })
  const { widget } = mount({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  expect(await window.LiveChat!.identify(identity())).toEqual({ ok: true })
  expect(widget.memory.token()).toBe('tokenOfTheVerifiedVisitor')
  expect(widget.memory.registration()).toMatchObject({ name: 'Ana S.', who: await sha256Hex('user-42') })
  expect(widget.state.known).toEqual({ name: 'Ana S.' })
})

test.each([
  ['no argument', undefined],
  ['an empty identifier', { ...identity(), identifier: '' }],
  ['a too long identifier', identity('x'.repeat(IDENTIFIER_MAX_LENGTH + 1))],
  ['a control character in the identifier', identity('user\n42')],
  ['a numeric identifier', { ...identity(), identifier: 42 }],
  ['expires as a string', { ...identity(), expires: '1796000000' }],
  ['a fractional expires', { ...identity(), expires: 1796000000.5 }],
  ['an infinite expires', { ...identity(), expires: Infinity }],
  ['an uppercase signature', identity('user-42', 'AB'.repeat(32))],
  ['a short signature', identity('user-42', 'ab'.repeat(31))],
  ['a signature in an array', { ...identity(), signature: ['ab'.repeat(32)] }],
])('identify() with %s is refused with one warning, and nothing is sent or held', async (_, bad) => {
  const server = stubServer()
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const { widget } = mount({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  expect(await window.LiveChat!.identify(bad as any)).toMatchObject({ ok: false, errorType: 'error-invalid-identity' })
  expect(warn).toHaveBeenCalledTimes(1)
  expect(server.posts()).toHaveLength(1)
  await widget.register({ name: 'Ana Souza' })
  expect(server.posts()[1].body.visitor.identity).toBeUndefined()
})

test('an identifier of exactly the maximum length is accepted', async () => {
  const server = stubServer()
  const warn = vi.spyOn(console, 'warn')
  mount({ open: false })
  await window.LiveChat!.identify(identity('x'.repeat(IDENTIFIER_MAX_LENGTH)))
  await window.LiveChat!.register({ name: 'Ana' })
  expect(server.posts()[0].body.visitor.identity.identifier).toHaveLength(IDENTIFIER_MAX_LENGTH)
  expect(warn).not.toHaveBeenCalled()
})

test('an expired identity: one request, no retry, the result says so, a warning for the site owner and the error in the form', async () => {
  // The anonymous registration is accepted; every registration with the identity is refused.
  const server = stubServer({ 'POST /api/v1/livechat/visitor': [(req) => answer(req), INVALID_IDENTITY] })
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const { widget } = mount({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  expect(await window.LiveChat!.identify(identity())).toEqual({
    ok: false,
    status: 400,
    error: 'Invalid or expired identity [error-invalid-identity]',
    errorType: 'error-invalid-identity',
  })
  await new Promise((r) => setTimeout(r, 50))
  expect(server.posts()).toHaveLength(2)
  expect(server.posts()[1].body.visitor.identity).toEqual(identity())
  expect(warn).toHaveBeenCalledTimes(1)
  expect(String(warn.mock.calls[0])).toContain('error-invalid-identity')
  expect(widget.memory.registration()?.who).toBeUndefined()
})

test('an expired identity on the form: the usual error text in the live region, and the form stays usable', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': INVALID_IDENTITY })
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  mount()
  await window.LiveChat!.identify({ ...identity(), name: 'Ana', email: 'ana@example.com' })
  await screen.findByLabelText('Name')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  const status = await screen.findByText('Invalid or expired identity [error-invalid-identity]')
  expect(status.getAttribute('role')).toBe('status')
  expect((screen.getByRole('button', { name: 'Start chat' }) as HTMLButtonElement).disabled).toBe(false)
  await new Promise((r) => setTimeout(r, 50))
  expect(server.posts()).toHaveLength(1)
  expect(warn).toHaveBeenCalledTimes(1)
})

test('a site without the identity secret (500 error-invalid-config) is not retried, and warns', async () => {
  const server = stubServer({
    'POST /api/v1/livechat/visitor': json({ success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config' }, 500),
  })
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  mount({ open: false })
  await window.LiveChat!.identify(identity())
  expect(await window.LiveChat!.register({ name: 'Ana' })).toMatchObject({ ok: false, status: 500, errorType: 'error-invalid-config' })
  expect(server.posts()).toHaveLength(1)
  expect(warn).toHaveBeenCalledTimes(1)
})

test("Rocket.Chat's registerGuest passes the identity through with the host's token and data", async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  mount({ open: false })
  const guest = { token: 'host-chosen-token-123', name: 'Ana', email: 'ana@example.com', identity: identity() }
  expect(await window.RocketChat!.livechat!.registerGuest(guest)).toEqual({ ok: true })
  expect(await window.RocketChat!.livechat!.registerGuest({ ...guest })).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(1)
  expect(server.posts()[0].body.visitor).toEqual({ ...guest, customFields: undefined, sourcePage: page() })
  expect(everythingStored()).not.toContain('ab'.repeat(32))
})

test('registerGuest and LiveChat.register with a malformed identity send nothing and warn', async () => {
  const server = stubServer()
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  mount({ open: false })
  const bad = { identifier: 'user-42', expires: 1796000000, signature: 'not-hex' }
  expect(await window.RocketChat!.livechat!.registerGuest({ name: 'Ana', identity: bad })).toMatchObject({ ok: false })
  expect(await window.LiveChat!.register({ name: 'Ana', identity: bad })).toMatchObject({ ok: false })
  expect(server.posts()).toHaveLength(0)
  expect(warn).toHaveBeenCalledTimes(2)
})

test('LiveChat.register with an identity of another person than the one verified here starts afresh', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const { widget } = mount({ open: false })
  await window.LiveChat!.register({ name: 'Ana', identity: identity('user-42') })
  const anasToken = widget.memory.token()
  await window.LiveChat!.register({ name: 'Bo', identity: identity('user-7') })
  expect(server.posts()).toHaveLength(2)
  expect(server.posts()[1].body.visitor).toEqual({ token: expect.any(String), name: 'Bo', identity: identity('user-7'), sourcePage: page() })
  expect(server.posts()[1].body.visitor.token).not.toBe(anasToken)
  expect(widget.state.known).toEqual({ name: 'Bo' })
})

test('reset() forgets the identity too: the next registration is anonymous', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  mount({ open: false })
  await window.LiveChat!.identify(identity())
  window.LiveChat!.reset()
  await window.LiveChat!.register({ name: 'Ana' })
  expect(server.posts()[0].body.visitor.identity).toBeUndefined()
})

test("an answer for the previous person's identity, arriving after another person was identified, is not remembered", async () => {
  let answerAna!: (res: Response) => void
  const server = stubServer({
    'POST /api/v1/livechat/visitor': [() => new Promise<Response>((resolve) => (answerAna = resolve)), (req) => answer(req)],
  })
  const { widget } = mount({ open: false })
  const ana = window.LiveChat!.register({ name: 'Ana', identity: identity('user-42') })
  await waitFor(() => expect(answerAna).toBeDefined())
  await window.LiveChat!.identify({ ...identity('user-7'), name: 'Bo' })
  answerAna(json({ visitor: { name: 'Ana', verified: true }, success: true }))
  await ana
  expect(widget.state.known).toBeUndefined()
  expect(widget.memory.registration()).toBeUndefined()
  expect(server.posts()).toHaveLength(1)
})

test('without crypto.subtle (plain-http pages) whom a visitor was verified as is unknown, so identify() always starts afresh', async () => {
  vi.spyOn(crypto.subtle, 'digest').mockRejectedValue(new TypeError('crypto.subtle is unavailable'))
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => answer(req) })
  const first = mount({ open: false })
  await window.LiveChat!.identify(identity())
  await first.widget.register({ name: 'Ana' })
  expect(first.widget.memory.registration()?.who).toBe('')
  const token = localStorage.getItem('ecc:token')
  first.unmount()

  mount({ open: false })
  expect(await window.LiveChat!.identify(identity())).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(2)
  expect(server.posts()[1].body.visitor).toEqual({ token: expect.any(String), identity: identity(), sourcePage: page() })
  expect(server.posts()[1].body.visitor.token).not.toBe(token)
})
