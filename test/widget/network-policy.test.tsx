// The widget's network policy as the visitor and the host page see it: a submit or a
// returning-visitor check that cannot reach the server stops within the bound (the check waits
// while the panel is closed), storage that refuses writes is read back from memory, and tokens
// from the host page must pass the Worker's own rule.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import type { SubmitTexts } from '../../shared/widget-texts'
import { sha256Hex } from '../../shared/ids'
import { MAX_ATTEMPTS, RETRY_BOUND_MS } from '../../widget/src/api-client'
import { installHostApis } from '../../widget/src/host-api'
import type { Lang, Strings } from '../../widget/src/i18n'
import { submit as en } from '../../widget/src/strings/en'
import { createVisitorMemory, newToken } from '../../widget/src/visitor-memory'
import { json, mountWidget, stubServer, type Sent } from './support'

const INTERNAL = { success: false, error: 'Internal server error [error-internal]', errorType: 'error-internal' }
const UNREACHABLE = "Couldn't reach the server. What you typed is kept."
const RETRYING = "Couldn't reach the server. Retrying…"
const registered = (req: Sent) => json({ visitor: { name: req.body.visitor.name }, success: true })
const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const input = (label: RegExp) => (screen.getByLabelText(label) as HTMLInputElement).value
const checks = (server: ReturnType<typeof stubServer>) =>
  server.sent.filter((s) => s.method === 'GET' && s.path.startsWith('/api/v1/livechat/visitor/')).length

test('a submit answered 500 error-internal forever stops within the bound, keeps what was typed, and "Try again" starts a fresh bound', async () => {
  let down = true
  const server = stubServer({ 'POST /api/v1/livechat/visitor': (req) => (down ? json(INTERNAL, 500) : registered(req)) })
  mountWidget()
  await screen.findByLabelText('Name')
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(1) // the longest waits: 1, 2, 4, 8, 15, 15… s
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  fill(/Address/, 'Rua A, 1')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await vi.advanceTimersByTimeAsync(0)
  expect(screen.getByText(RETRYING)).toBeTruthy()
  expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull()

  // Requests at 0, 1, 3, 7, 15, 30, 45, 60 and 75 s; a 15 s wait would end at the 90 s bound.
  await vi.advanceTimersByTimeAsync(75_000)
  expect(server.posts()).toHaveLength(9)
  expect(server.posts().length).toBeLessThanOrEqual(MAX_ATTEMPTS)
  expect(screen.getByText(UNREACHABLE).getAttribute('role')).toBe('status')
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  expect(server.posts()).toHaveLength(9)
  expect(vi.getTimerCount()).toBe(0)

  // The draft is kept, on screen and in storage, and the form is usable again.
  expect([input(/Name/), input(/Email/), input(/Address/)]).toEqual(['Ana', 'ana@example.com', 'Rua A, 1'])
  expect(JSON.parse(localStorage.getItem('ecc:draft')!)).toMatchObject({ name: 'Ana', email: 'ana@example.com', 'cf.address': 'Rua A, 1' })
  expect((screen.getByLabelText('Name') as HTMLInputElement).readOnly).toBe(false)
  expect((screen.getByRole('button', { name: 'Start chat' }) as HTMLButtonElement).disabled).toBe(false)

  // Try again: a whole new bound, not what is left of the last one.
  const tryAgain = screen.getByRole('button', { name: 'Try again' })
  fireEvent.click(tryAgain)
  await vi.advanceTimersByTimeAsync(0)
  expect(server.posts()).toHaveLength(10)
  expect(screen.getByText(RETRYING)).toBeTruthy()
  // It stays, inert, while the attempt runs: focus is not pulled from under the visitor.
  expect(tryAgain.getAttribute('aria-disabled')).toBe('true')
  fireEvent.click(tryAgain)
  await vi.advanceTimersByTimeAsync(75_000)
  expect(server.posts()).toHaveLength(18)
  expect(screen.getByText(UNREACHABLE)).toBeTruthy()
  expect(new Set(server.posts().map((p) => JSON.stringify(p.body))).size).toBe(1)

  down = false
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
  await vi.advanceTimersByTimeAsync(0)
  expect(screen.getByText("You're all set, Ana. An agent will be with you shortly.")).toBeTruthy()
  expect(server.posts()).toHaveLength(19)
  expect(localStorage.getItem('ecc:draft')).toBeNull()
})

test.each(['de', 'es', 'pt-BR'] as Lang[])('the give-up message and "Try again" are translated (%s)', async (lang) => {
  const strings = await import(`../../widget/src/strings/${lang}.ts`)
  const t: Strings & SubmitTexts = { ...strings.default, ...strings.submit }
  // A Retry-After far past the bound gives up at once.
  stubServer({ 'POST /api/v1/livechat/visitor': new Response('{}', { status: 503, headers: { 'retry-after': '3600' } }) })
  const { widget } = mountWidget({ lang })
  widget.setGuest({ name: 'Ana', email: 'ana@example.com' })
  fireEvent.click(await screen.findByRole('button', { name: t.submit }))
  expect((await screen.findByText(t.unreachable)).getAttribute('role')).toBe('status')
  expect(screen.getByRole('button', { name: t.tryAgain })).toBeTruthy()
  expect([t.unreachable, t.tryAgain]).not.toContain(en.unreachable)
  expect(t.tryAgain).not.toBe(en.tryAgain)
})

test('LiveChat.register() settles {ok: false, gaveUp: true} when it gives up; called again, it tries afresh', async () => {
  // register() is in the extras chunk: loaded first, as the import takes real time the fake clock never gives.
  await import('../../widget/src/extras')
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const server = stubServer({ 'POST /api/v1/livechat/visitor': json(INTERNAL, 500) })
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  let settled: unknown
  void window.LiveChat!.register({ name: 'Ana', email: 'ana@example.com' }).then((r) => (settled = r))
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS)
  expect(settled).toMatchObject({ ok: false, error: INTERNAL.error, errorType: 'error-internal', gaveUp: true })
  expect(server.posts()).toHaveLength(MAX_ATTEMPTS)
  void window.LiveChat!.register({ name: 'Ana', email: 'ana@example.com' })
  await vi.advanceTimersByTimeAsync(0)
  expect(server.posts()).toHaveLength(MAX_ATTEMPTS + 1)
})

test('a 5xx naming a permanent condition (500 error-invalid-config) is shown at once, with no retry and no "Try again"', async () => {
  const invalidConfig = { success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config' }
  const server = stubServer({ 'POST /api/v1/livechat/visitor': json(invalidConfig, 500) })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  expect(await screen.findByText(invalidConfig.error)).toBeTruthy()
  await new Promise((r) => setTimeout(r, 50))
  expect(server.posts()).toHaveLength(1)
  expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull()
})

test('a returning visitor is checked once while the panel is closed; retries wait until it is open, within the bound, and an unanswered check forgets nothing', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/visitor/': 'network-error' })
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()
  const stored = localStorage.getItem('ecc:visitor')

  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const { widget } = mountWidget({ open: false })
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  expect(checks(server)).toBe(1)

  widget.open()
  await vi.advanceTimersByTimeAsync(0)
  expect(checks(server)).toBe(2)
  widget.close()
  await vi.advanceTimersByTimeAsync(10 * 60_000) // the next retry is due after 1 s, but the panel is closed
  expect(checks(server)).toBe(2)

  // The time spent closed does not count: the rest of the attempts run while open.
  widget.open()
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS)
  expect(checks(server)).toBe(MAX_ATTEMPTS)
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  expect(checks(server)).toBe(MAX_ATTEMPTS)
  expect(screen.getByText("You're all set, Ana. An agent will be with you shortly.")).toBeTruthy()
  expect(localStorage.getItem('ecc:visitor')).toBe(stored)

  // Opening the panel again asks again, with a fresh bound.
  widget.close()
  widget.open()
  await vi.advanceTimersByTimeAsync(0)
  expect(checks(server)).toBe(MAX_ATTEMPTS + 1)
})

test('opening the panel checks again only after a check went unanswered, not after a registration here', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  widget.open()
  widget.close()
  widget.open()
  await new Promise((r) => setTimeout(r, 10))
  expect(checks(server)).toBe(0)
})

test('a returning-visitor check paused while closed is dropped by reset(): the forgotten token is never sent again', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/visitor/': 'network-error' })
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()

  vi.useFakeTimers()
  const { widget } = mountWidget({ open: false })
  await vi.advanceTimersByTimeAsync(60_000)
  expect(checks(server)).toBe(1)
  widget.reset()
  widget.open()
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS)
  expect(checks(server)).toBe(1)
  expect(vi.getTimerCount()).toBe(0)
})

test('a returning-visitor check answered 500 error-internal forever keeps the visitor known (only a 4xx answer forgets them)', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/visitor/': json(INTERNAL, 500) })
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()

  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const { widget } = mountWidget()
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS)
  expect(checks(server)).toBe(MAX_ATTEMPTS)
  expect(widget.state.known).toEqual({ name: 'Ana' })
  expect(widget.memory.registration()?.name).toBe('Ana')
})

test('an open panel whose config the server answers 500 forever stops within the bound and says chat is unavailable', async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const server = stubServer({ 'GET /api/v1/livechat/config': json(INTERNAL, 500) })
  mountWidget()
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS)
  expect(server.sent).toHaveLength(MAX_ATTEMPTS)
  expect(screen.getByText('Chat is unavailable right now.')).toBeTruthy()
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  expect(server.sent).toHaveLength(MAX_ATTEMPTS)
})

/** A storage whose quota is exhausted: it reads (what it held before) but refuses every write. */
function fullStorage(held: Record<string, string> = {}) {
  const data = new Map(Object.entries(held))
  const quota = () => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
  }
  return { getItem: (key: string) => data.get(key) ?? null, setItem: quota, removeItem: (key: string) => void data.delete(key) } as unknown as Storage
}

test('storage that throws QuotaExceededError on writes: token, registration, identity hash and draft are read back from memory', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': registered })
  const storage = fullStorage()
  const { widget } = mountWidget({ storage: () => storage })
  installHostApis(widget)
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  expect(widget.memory.draft()).toEqual({ name: 'Ana' })

  await window.LiveChat!.identify({ identifier: 'user-42', expires: 1796000000, signature: 'ab'.repeat(32) })
  expect(await widget.register({ name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  expect(widget.memory.registration()).toMatchObject({ name: 'Ana', who: await sha256Hex('user-42') })
  // The same data again sends nothing; new data goes out under the same token.
  expect(await widget.register({ name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(1)
  expect(await widget.register({ name: 'Ana Souza' })).toEqual({ ok: true })
  const tokens = server.posts().map((p) => p.body.visitor.token)
  expect(tokens).toEqual([tokens[0], tokens[0]])
  expect(server.posts()[1].body.visitor).not.toHaveProperty('identity') // verified as the same person: remembered
  expect(storage.getItem('ecc:token')).toBeNull()
})

test('each submit of a visitor whose storage is full reuses one token', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': json({ success: false, error: 'Visitor is banned' }, 403) })
  const storage = fullStorage()
  mountWidget({ storage: () => storage })
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  for (let i = 0; i < 3; i++) {
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
    await screen.findByText('Visitor is banned')
    fill(/Name/, `Ana ${i}`)
  }
  expect(new Set(server.posts().map((p) => p.body.visitor.token)).size).toBe(1)
})

test('a write or removal that fails wins over the stale value storage still holds; a later successful write takes over again', () => {
  let writable = false
  const data = new Map([['ecc:token', 'staleToken0000000000000'], ['ecc:draft', '{"name":"Old"}']])
  const storage = {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (!writable) throw new DOMException('full', 'QuotaExceededError')
      data.set(key, value)
    },
    removeItem: (key: string) => {
      if (!writable) throw new DOMException('blocked', 'SecurityError')
      data.delete(key)
    },
  }
  const memory = createVisitorMemory(() => storage)
  expect(memory.token()).toBe('staleToken0000000000000')
  memory.setToken('hostChosenToken')
  expect(memory.token()).toBe('hostChosenToken')
  memory.clearDraft()
  expect(memory.draft()).toBeUndefined()
  memory.saveRegistration({ name: 'Ana' })
  expect(memory.registration()).toEqual({ name: 'Ana' })
  expect(data.get('ecc:draft')).toBe('{"name":"Old"}')

  writable = true
  memory.saveDraft({ name: 'New' })
  data.set('ecc:draft', '{"name":"Newer"}') // another tab
  expect(memory.draft()).toEqual({ name: 'Newer' })
})

test('setGuestToken with a token the Worker would refuse warns and keeps the current token', () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const token = widget.memory.token(newToken)
  const refused = ['user@x', 'a b', 'a/b', '', 'x'.repeat(129), 42, null]
  for (const bad of refused) window.RocketChat!.livechat!.setGuestToken(bad as string)
  expect(warn).toHaveBeenCalledTimes(refused.length)
  expect(warn.mock.calls[0][0]).toMatch(/token ignored/)
  expect(localStorage.getItem('ecc:token')).toBe(token)
  expect(checks(server)).toBe(0)
  window.RocketChat!.livechat!.setGuestToken('host_app-token-1')
  expect(localStorage.getItem('ecc:token')).toBe('host_app-token-1')
  expect(warn).toHaveBeenCalledTimes(refused.length)
})

test('registerGuest({token}) and LiveChat.register({token}) with an invalid token are refused whole: a warning, nothing sent, the token kept', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const token = widget.memory.token(newToken)
  const refused = { ok: false, error: 'Invalid token', errorType: 'error-invalid-token' }
  expect(await window.RocketChat!.livechat!.registerGuest({ token: 'user@x', name: 'Ana', email: 'ana@example.com' })).toEqual(refused)
  expect(await window.LiveChat!.register({ token: 'ana@example.com', name: 'Ana', email: 'ana@example.com' })).toEqual(refused)
  expect(warn).toHaveBeenCalledTimes(2)
  expect(server.posts()).toHaveLength(0)
  expect(localStorage.getItem('ecc:token')).toBe(token)
  // Later registrations work, under the kept token.
  expect(await window.LiveChat!.register({ name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  expect(server.posts()[0].body.visitor.token).toBe(token)
})

test('a token an older widget stored from the host page is dropped with its registration, and a valid one is made', async () => {
  const server = stubServer()
  localStorage.setItem('ecc:token', 'user@x')
  localStorage.setItem('ecc:visitor', JSON.stringify({ name: 'Ana' }))
  const { widget } = mountWidget()
  expect(widget.state.known).toBeUndefined()
  await screen.findByLabelText('Name')
  expect(checks(server)).toBe(0)
  expect(await widget.register({ name: 'Ana', email: 'ana@example.com' })).toEqual({ ok: true })
  expect(server.posts()[0].body.visitor.token).toMatch(/^[A-Za-z0-9]{24}$/)
  await waitFor(() => expect(localStorage.getItem('ecc:token')).toBe(server.posts()[0].body.visitor.token))
})
