import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { SESSION_ENDED } from '../../console/src/components/App'
import { fakeServer, json, listed, mountConsole, mountSignedIn, SESSION_KEY, signIn } from './support'

test('the sign-in form has labelled fields and a Sign in button', () => {
  fakeServer()
  mountConsole()
  const user = screen.getByLabelText('Username') as HTMLInputElement
  const pass = screen.getByLabelText('Password') as HTMLInputElement
  expect([user.autocomplete, pass.type, pass.autocomplete]).toEqual(['username', 'password', 'current-password'])
  expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy()
})

test('signing in keeps the token in sessionStorage only and shows the contacts, newest first', async () => {
  const server = fakeServer()
  mountConsole()
  await signIn('maria')
  await screen.findByRole('heading', { name: 'Contacts' })
  expect(server.requests('POST /api/v1/login')[0].body).toEqual({ user: 'maria', password: 'manager-pass' })
  const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY)!)
  expect(stored).toMatchObject({ userId: 'u-maria', authToken: expect.stringMatching(/^tok-maria/), me: { roles: ['livechat-manager'] } })
  expect(localStorage.length).toBe(0)
  await waitFor(() => expect(listed()).toEqual(['Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect(screen.getByText(/Signed in as/).textContent).toBe('Signed in as Maria Manager')
  // Focus lands on the search box, ready to type.
  expect(document.activeElement).toBe(screen.getByLabelText('Search contacts'))
  const search = server.requests('GET /api/v1/livechat/visitors.search')[0]
  expect(search.headers).toMatchObject({ 'x-user-id': 'u-maria', 'x-auth-token': stored.authToken })
})

test('a wrong password says so, clears the password, keeps focus on it and stores nothing', async () => {
  fakeServer()
  mountConsole()
  await signIn('maria', 'wrong')
  expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.')
  const pass = screen.getByLabelText('Password') as HTMLInputElement
  expect(pass.value).toBe('')
  expect(document.activeElement).toBe(pass)
  expect(pass.getAttribute('aria-describedby')).toBe('signin-error')
  expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
})

test('throttled (429): says how long to wait, from Retry-After', async () => {
  const server = fakeServer()
  server.on('POST /api/v1/login', () =>
    json({ status: 'error', error: 'error-too-many-requests', message: 'Too many requests' }, 429, { 'retry-after': '300' }),
  )
  mountConsole()
  await signIn('maria', 'whatever')
  expect((await screen.findByRole('alert')).textContent).toBe('Too many failed sign-ins. Try again in 5 minutes.')
})

test('server unreachable: says so', async () => {
  const server = fakeServer()
  server.on('POST /api/v1/login', () => 'network-error')
  mountConsole()
  await signIn()
  expect((await screen.findByRole('alert')).textContent).toMatch(/Can't reach the server/)
})

test('empty fields are refused before any request', async () => {
  const server = fakeServer()
  mountConsole()
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
  expect((await screen.findByRole('alert')).textContent).toBe('Enter your username and password.')
  expect(document.activeElement).toBe(screen.getByLabelText('Username'))
  expect(server.sent).toEqual([])
})

test('while signing in: a status says so and a second click sends nothing more', async () => {
  const server = fakeServer()
  let release!: () => void
  server.on('POST /api/v1/login', () => new Promise<undefined>((r) => (release = () => r(undefined))))
  mountConsole()
  await signIn()
  expect(screen.getByText('Signing in…')).toBeTruthy()
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
  expect(server.requests('POST /api/v1/login')).toHaveLength(1)
  release()
  await screen.findByRole('heading', { name: 'Contacts' })
})

test('a kept session is used on reload, and /me refreshes the roles', async () => {
  const server = fakeServer()
  const session = server.session('alex')
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ ...session, me: { ...session.me, roles: ['livechat-manager'] } }))
  mountConsole()
  await screen.findByRole('heading', { name: 'Contacts' })
  expect(server.requests('GET /api/v1/me')).toHaveLength(1)
  await waitFor(() => expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).me.roles).toEqual(['livechat-agent']))
})

test('Sign out calls logout with the token, forgets it and returns to sign-in', async () => {
  const server = fakeServer()
  await mountSignedIn(server)
  const { authToken } = JSON.parse(sessionStorage.getItem(SESSION_KEY)!)
  fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
  await screen.findByLabelText('Username')
  expect(server.requests('POST /api/v1/logout')[0].headers['x-auth-token']).toBe(authToken)
  expect(server.tokens.has(authToken)).toBe(false)
  expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
  expect((await screen.findByText('You have signed out.')).getAttribute('role')).toBe('status')
})

test('Sign out still signs out when the server cannot be reached', async () => {
  const server = fakeServer()
  await mountSignedIn(server)
  server.on('POST /api/v1/logout', () => 'network-error')
  fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
  await screen.findByLabelText('Username')
  expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
})

test('a token the server no longer accepts (401 on load) returns to sign-in with a message', async () => {
  const server = fakeServer()
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ ...server.session(), authToken: 'revoked' }))
  mountConsole()
  expect((await screen.findByText(SESSION_ENDED)).getAttribute('role')).toBe('status')
  expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
  expect(document.activeElement).toBe(screen.getByLabelText('Username'))
  // Signing in again works and clears the message.
  await signIn()
  await screen.findByRole('heading', { name: 'Contacts' })
  expect(screen.queryByText(SESSION_ENDED)).toBeNull()
})

test('sessionStorage blocked: the session lives in memory for the page, and nothing reaches localStorage', async () => {
  const server = fakeServer()
  const blocked = () => {
    throw new DOMException('blocked', 'SecurityError')
  }
  const storage = sessionStorage
  vi.stubGlobal('sessionStorage', { getItem: blocked, setItem: blocked, removeItem: blocked })
  mountConsole()
  await signIn()
  await screen.findByRole('heading', { name: 'Contacts' })
  await waitFor(() => expect(listed()).toHaveLength(3))
  vi.stubGlobal('sessionStorage', storage)
  expect(localStorage.length + sessionStorage.length).toBe(0)
  expect(server.requests('GET /api/v1/livechat/visitors.search')[0].headers['x-auth-token']).toMatch(/^tok-maria/)
})
