import { screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { createVisitorMemory, newToken } from '../../widget/src/visitor-memory'
import { isValidToken } from '../../shared/visitor-rules'
import { json, mountWidget, stubServer } from './support'

test('tokens are 24 random characters that the API accepts as a token', () => {
  const tokens = new Set(Array.from({ length: 200 }, newToken))
  expect(tokens.size).toBe(200)
  for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9]{24}$/)
  for (const token of tokens) expect(isValidToken(token)).toBe(true)
})

test('the token is kept in localStorage and reused', () => {
  const memory = createVisitorMemory(() => localStorage)
  expect(memory.token()).toBeUndefined()
  const token = memory.token(newToken)
  expect(localStorage.getItem('ecc:token')).toBe(token)
  expect(createVisitorMemory(() => localStorage).token(newToken)).toBe(token)
})

test('without usable storage, memory still works for the page', () => {
  const memory = createVisitorMemory(() => {
    throw new DOMException('blocked', 'SecurityError')
  })
  const token = memory.token(newToken)
  expect(memory.token(newToken)).toBe(token)
  memory.saveDraft({ name: 'Ana' })
  expect(memory.draft()).toEqual({ name: 'Ana' })
})

test('a visitor registered before a reload is verified by token and greeted instead of a blank form', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/visitor/': json({ visitor: { name: 'Ana Souza' }, success: true }) })
  const first = mountWidget()
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  const token = localStorage.getItem('ecc:token')
  first.unmount()

  mountWidget()
  expect(await screen.findByText("You're all set, Ana Souza. An agent will be with you shortly.")).toBeTruthy()
  expect(screen.queryByLabelText('Name')).toBeNull()
  expect(server.sent.filter((s) => s.path.startsWith('/api/v1/livechat/visitor/')).map((s) => s.path)).toEqual([
    `/api/v1/livechat/visitor/${token}`,
  ])
})

test('a remembered token the server no longer knows is forgotten and the form is shown', async () => {
  stubServer({ 'GET /api/v1/livechat/visitor/': json({ success: false, error: '[invalid-token]', errorType: 'invalid-token' }, 400) })
  const first = mountWidget()
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()

  mountWidget()
  expect(await screen.findByLabelText('Name')).toBeTruthy()
  await waitFor(() => expect(localStorage.getItem('ecc:visitor')).toBeNull())
})

test('nothing is verified for a first-time visitor', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  expect(server.sent.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v1/livechat/config'])
})

test('setGuestToken switches to that visitor and verifies them', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/visitor/': json({ visitor: { name: 'Bo' }, success: true }) })
  const { widget } = mountWidget()
  widget.setToken('token-from-the-host-app')
  expect(await screen.findByText(/You're all set, Bo\./)).toBeTruthy()
  expect(server.sent.some((s) => s.path === '/api/v1/livechat/visitor/token-from-the-host-app')).toBe(true)
})

test('a verification answered after a new registration does not forget that registration', async () => {
  let answerVerification!: (res: Response) => void
  const server = stubServer({
    'GET /api/v1/livechat/visitor/': () => new Promise<Response>((resolve) => (answerVerification = resolve)),
  })
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()

  const { widget } = mountWidget({ open: false })
  await waitFor(() => expect(answerVerification).toBeDefined())
  await widget.register({ name: 'Ana', email: 'ana@example.net' })
  answerVerification(json({ success: false, error: '[invalid-token]', errorType: 'invalid-token' }, 400))
  await new Promise((r) => setTimeout(r, 10))
  expect(server.posts()).toHaveLength(2)
  expect(widget.state.known).toEqual({ name: 'Ana' })
  expect(JSON.parse(localStorage.getItem('ecc:visitor')!).sent.email).toBe('ana@example.net')
})

test("adopts the token the server answers with: a phone match keeps the matched visitor's own", async () => {
  stubServer({
    'POST /api/v1/livechat/visitor': json({ visitor: { name: 'Ana', token: 'matchedVisitorToken' }, success: true }),
  })
  const { widget } = mountWidget({ open: false })
  expect(await widget.register({ name: 'Ana', phone: '+55 51 5555-5555' })).toEqual({ ok: true })
  expect(widget.memory.token()).toBe('matchedVisitorToken')
  expect(widget.memory.registration()?.name).toBe('Ana')
})
