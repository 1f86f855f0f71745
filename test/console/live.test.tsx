// The console's live connection: one socket per signed-in tab, new contacts shown without a reload,
// the list read again after a reconnection, and the count of what arrived while the tab was hidden
// in the page title.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { afterEach, expect, test } from 'vitest'
import { fakeChat, inquiry } from './fake-chat'
import { fakeServer, json, listed, makeVisitors, mountSignedIn, settled, type FakeServer } from './support'

const CONTACTS = 'stream-livechat-contacts'
const QUEUE = 'stream-livechat-inquiry-queue-observer'

/** A contact as the stream carries it (the agents' view), also known to the server's search. */
function register(server: FakeServer, n: number, name = `New ${n}`) {
  const [contact] = makeVisitors(1, () => ({ _id: `new${n}`, name, ts: new Date(Date.UTC(2026, 5, 1) + n).toISOString() }))
  server.visitors.push(contact)
  server.ddp.emit(CONTACTS, 'new', [contact])
  return contact
}

async function openConsole(visitors = 3) {
  const server = fakeServer({ visitors: makeVisitors(visitors) })
  await mountSignedIn(server)
  await settled()
  await waitFor(() => expect(server.ddp.subscribed(CONTACTS, 'new')).toBe(true))
  return server
}

const status = () => screen.getAllByRole('status').map((s) => s.textContent).filter(Boolean)

function setVisibility(state: 'hidden' | 'visible') {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true })
  document.dispatchEvent(new Event('visibilitychange'))
}

afterEach(() => {
  // Back to the document's own getter.
  delete (document as { visibilityState?: unknown }).visibilityState
})

test('one socket for the signed-in console: resumed with the session token, reading new contacts and the queue', async () => {
  const server = await openConsole()
  const token = JSON.parse(sessionStorage.getItem('ecc-console:session')!).authToken
  expect(server.ddp.sockets.map((s) => s.url)).toEqual(['wss://chat.example/websocket'])
  expect(server.ddp.methods('login')).toEqual([[{ resume: token }]])
  expect(server.ddp.subscribed(QUEUE, 'public')).toBe(true)
  // The inbox follows its streams on the same socket.
  fakeChat(server)
  location.hash = '#/inbox'
  await screen.findByRole('switch', { name: 'Available' })
  await waitFor(() => expect(screen.queryByText('Connecting to live updates…')).toBeNull())
  expect(server.ddp.sockets).toHaveLength(1)
  expect(server.ddp.methods('login')).toHaveLength(1)
  // Signing out closes it (Preact runs an unmounted component's effect cleanups after the next paint).
  fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
  await screen.findByRole('button', { name: 'Sign in' })
  await waitFor(() => expect(server.ddp.sockets[0].readyState).toBe(3))
})

test('a new contact shows at the top of the list without a reload, once, and is announced', async () => {
  const server = await openConsole()
  const searches = server.requests('GET /api/v1/livechat/visitors.search').length
  register(server, 1, 'Ada Lovelace')
  await waitFor(() => expect(listed()).toEqual(['Ada Lovelace', 'Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect(status()).toContain('Showing 1–4 of 4 contacts.')
  await waitFor(() => expect(status()).toContain('New contact: Ada Lovelace.'))
  // A reconnection may bring it twice: still listed once.
  server.ddp.emit(CONTACTS, 'new', [server.visitors.at(-1)])
  register(server, 2, 'Grace Hopper')
  await waitFor(() => expect(listed()).toEqual(['Grace Hopper', 'Ada Lovelace', 'Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect(screen.getByRole('link', { name: 'Grace Hopper' }).getAttribute('href')).toBe('#/contacts/new2')
  expect(server.requests('GET /api/v1/livechat/visitors.search')).toHaveLength(searches)
})

test('a full first page keeps its size: the oldest entry moves to the next page', async () => {
  const server = await openConsole(25)
  register(server, 1)
  await waitFor(() => expect(listed()[0]).toBe('New 1'))
  expect(listed()).toHaveLength(25)
  expect(listed().at(-1)).toBe('Visitor 2')
  expect(status()).toContain('Showing 1–25 of 26 contacts.')
})

test('while searching, new contacts are offered, not mixed into the results', async () => {
  const server = await openConsole()
  fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value: 'Visitor 2' } })
  await screen.findByText(/matching “Visitor 2”/)
  register(server, 1, 'Ada Lovelace')
  register(server, 2, 'Grace Hopper')
  const show = await screen.findByRole('button', { name: 'Show 2 new contacts' })
  expect(listed()).toEqual(['Visitor 2'])
  fireEvent.click(show)
  await waitFor(() => expect(listed()).toEqual(['Grace Hopper', 'Ada Lovelace', 'Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect((screen.getByLabelText('Search contacts') as HTMLInputElement).value).toBe('')
  expect(screen.queryByRole('button', { name: /new contact/ })).toBeNull()
})

test('after a reconnection the list is read again: contacts that came while it was down show', async () => {
  const server = await openConsole()
  const searches = () => server.requests('GET /api/v1/livechat/visitors.search').length
  const before = searches()
  server.ddp.drop()
  server.visitors.push(...makeVisitors(1, () => ({ _id: 'missed', name: 'Missed Meanwhile', ts: new Date(Date.UTC(2027, 0, 1)).toISOString() })))
  await waitFor(() => expect(server.ddp.methods('login')).toHaveLength(2), { timeout: 3000 })
  await waitFor(() => expect(listed()[0]).toBe('Missed Meanwhile'))
  expect(searches()).toBe(before + 1)
  expect(server.ddp.subscribed(CONTACTS, 'new')).toBe(true)
})

test('a new contact that arrives while the list is being read again still shows, once', async () => {
  const server = await openConsole()
  const searches = () => server.requests('GET /api/v1/livechat/visitors.search').length
  const before = searches()
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  server.on('GET /api/v1/livechat/visitors.search', async () => {
    // The server reads the list before the contact comes; its answer arrives after the contact's event.
    const visitors = [...server.visitors].sort((a, b) => b.ts.localeCompare(a.ts))
    await held
    return json({ visitors, count: visitors.length, offset: 0, total: visitors.length, success: true })
  })
  server.ddp.drop()
  await waitFor(() => expect(searches()).toBe(before + 1), { timeout: 3000 })
  await waitFor(() => expect(server.ddp.subscribed(CONTACTS, 'new')).toBe(true))
  register(server, 1, 'Ada Lovelace')
  server.ddp.emit(CONTACTS, 'new', [server.visitors.at(-1)])
  await waitFor(() => expect(status()).toContain('New contact: Ada Lovelace.'))
  release()
  await waitFor(() => expect(listed()).toEqual(['Ada Lovelace', 'Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect(status()).toContain('Showing 1–4 of 4 contacts.')
})

test('hidden tab: the title counts new contacts and inquiries (each once) until the agent looks again', async () => {
  const server = await openConsole()
  expect(document.title).toBe('Contacts — Agent console')
  // While the agent looks, nothing is counted.
  register(server, 1)
  await waitFor(() => expect(listed()[0]).toBe('New 1'))
  expect(document.title).toBe('Contacts — Agent console')
  setVisibility('hidden')
  register(server, 2)
  register(server, 3)
  server.ddp.emit(CONTACTS, 'new', [server.visitors.at(-1)])
  server.ddp.emit(QUEUE, 'public', [{ type: 'added', ...inquiry(7) }])
  // Not new arrivals: a change to an inquiry and its removal.
  server.ddp.emit(QUEUE, 'public', [{ type: 'changed', ...inquiry(7) }])
  server.ddp.emit(QUEUE, 'public', [{ type: 'removed', ...inquiry(8) }])
  await waitFor(() => expect(document.title).toBe('(3) Contacts — Agent console'))
  setVisibility('visible')
  expect(document.title).toBe('Contacts — Agent console')
  // Counting starts again from nothing the next time.
  setVisibility('hidden')
  register(server, 4)
  await waitFor(() => expect(document.title).toBe('(1) Contacts — Agent console'))
  // The view's own title keeps the count.
  location.hash = '#/inbox'
  fakeChat(server)
  await waitFor(() => expect(document.title).toBe('(1) Inbox — Agent console'))
})
