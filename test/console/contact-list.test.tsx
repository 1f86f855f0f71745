import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { SESSION_ENDED } from '../../console/src/components/App'
import { PAGE_SIZE, SEARCH_DELAY_MS } from '../../console/src/components/ContactList'
import { fakeServer, json, listed, makeVisitors, mountSignedIn, openContact, SESSION_KEY, settled } from './support'

const status = () => screen.getAllByRole('status').map((s) => s.textContent).filter(Boolean)
const type = (value: string) => fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value } })

test('shows a loading state, then the first page newest first with a summary', async () => {
  const server = fakeServer({ visitors: makeVisitors(30) })
  await mountSignedIn(server)
  expect(status()).toContain('Loading contacts…')
  await settled()
  expect(listed()).toHaveLength(PAGE_SIZE)
  expect(listed()[0]).toBe('Visitor 30')
  expect(listed().at(-1)).toBe('Visitor 6')
  expect(status()).toContain('Showing 1–25 of 30 contacts.')
  const req = server.requests('GET /api/v1/livechat/visitors.search')[0]
  expect(Object.fromEntries(req.params)).toEqual({ term: '', count: '25', offset: '0' })
  // Each entry links to the contact and shows its email and when it was added.
  const first = screen.getByRole('link', { name: 'Visitor 30' })
  expect(first.getAttribute('href')).toBe('#/contacts/id30')
  expect(first.closest('li')!.textContent).toMatch(/visitor30@example\.com.*Added/)
})

test('paging: Next and Previous move by a page; each is inert (not removed) at its end', async () => {
  const server = fakeServer({ visitors: makeVisitors(30) })
  await mountSignedIn(server)
  await settled()
  const previous = screen.getByRole('button', { name: 'Previous page' })
  const next = screen.getByRole('button', { name: 'Next page' })
  expect(previous.getAttribute('aria-disabled')).toBe('true')
  fireEvent.click(previous)
  next.focus()
  fireEvent.click(next)
  await waitFor(() => expect(listed()).toEqual(['Visitor 5', 'Visitor 4', 'Visitor 3', 'Visitor 2', 'Visitor 1']))
  expect(status()).toContain('Showing 26–30 of 30 contacts.')
  expect(server.requests('GET /api/v1/livechat/visitors.search').map((r) => r.params.get('offset'))).toEqual(['0', '25'])
  // Focus stays on the button the agent pressed.
  expect(document.activeElement).toBe(next)
  expect(next.getAttribute('aria-disabled')).toBe('true')
  fireEvent.click(next)
  fireEvent.click(screen.getByRole('button', { name: 'Previous page' }))
  await waitFor(() => expect(listed()[0]).toBe('Visitor 30'))
  expect(server.requests('GET /api/v1/livechat/visitors.search').map((r) => r.params.get('offset'))).toEqual(['0', '25', '0'])
})

test('no pager when everything fits on one page', async () => {
  const server = fakeServer({ visitors: makeVisitors(3) })
  await mountSignedIn(server)
  await settled()
  expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull()
})

test('search as you type: one request once typing pauses, with the final term, from the first page', async () => {
  const server = fakeServer({ visitors: makeVisitors(30) })
  await mountSignedIn(server)
  await settled()
  fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
  await waitFor(() => expect(listed()).toHaveLength(5))
  vi.useFakeTimers()
  type('v')
  vi.advanceTimersByTime(SEARCH_DELAY_MS - 50)
  type('vis')
  vi.advanceTimersByTime(SEARCH_DELAY_MS - 50)
  type('visitor1@')
  vi.advanceTimersByTime(SEARCH_DELAY_MS - 1)
  expect(server.requests('GET /api/v1/livechat/visitors.search')).toHaveLength(2)
  vi.advanceTimersByTime(1)
  vi.useRealTimers()
  await waitFor(() => expect(listed()).toEqual(['Visitor 1']))
  const searches = server.requests('GET /api/v1/livechat/visitors.search')
  expect(searches).toHaveLength(3)
  expect(Object.fromEntries(searches[2].params)).toEqual({ term: 'visitor1@', count: '25', offset: '0' })
  expect(status()).toContain('Showing 1–1 of 1 contact matching “visitor1@”.')
})

test('Enter in the search box searches at once', async () => {
  const server = fakeServer({ visitors: makeVisitors(12) })
  await mountSignedIn(server)
  await settled()
  type('Visitor 11')
  fireEvent.submit(screen.getByRole('search'))
  await waitFor(() => expect(listed()).toEqual(['Visitor 11']))
})

test('an older search answering after a newer one is ignored', async () => {
  const server = fakeServer({ visitors: makeVisitors(5) })
  await mountSignedIn(server)
  await settled()
  let slow!: () => void
  server.on('GET /api/v1/livechat/visitors.search', (req) =>
    req.params.get('term') === 'Visitor 1' ? new Promise((r) => (slow = () => r(undefined))) : undefined,
  )
  type('Visitor 1')
  await waitFor(() => expect(server.requests('GET /api/v1/livechat/visitors.search')).toHaveLength(2))
  type('Visitor 2')
  await waitFor(() => expect(listed()).toEqual(['Visitor 2']))
  slow()
  await new Promise((r) => setTimeout(r, 20))
  expect(listed()).toEqual(['Visitor 2'])
})

test('empty states: no contacts at all, and no match for a search', async () => {
  const server = fakeServer({ visitors: [] })
  await mountSignedIn(server)
  await settled()
  expect(status()).toContain('No contacts yet. They appear here when visitors fill in the chat form.')
  expect(screen.queryByRole('list')).toBeNull()
  server.visitors.push(...makeVisitors(1))
  type('nobody')
  await waitFor(() => expect(status()).toContain('No contacts match “nobody”.'))
})

test('error state: the reason and a Try again button that loads again', async () => {
  const server = fakeServer()
  let fail = true
  server.on('GET /api/v1/livechat/visitors.search', () => (fail ? json({ success: false, error: 'Internal error' }, 500) : undefined))
  await mountSignedIn(server)
  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toMatch(/Couldn't load contacts: The server had a problem \(HTTP 500\)/)
  fail = false
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
  await waitFor(() => expect(listed()).toHaveLength(3))
  expect(screen.queryByRole('alert')).toBeNull()
})

test('network failure on the list is an error state too', async () => {
  const server = fakeServer()
  server.on('GET /api/v1/livechat/visitors.search', () => 'network-error')
  await mountSignedIn(server)
  expect((await screen.findByRole('alert')).textContent).toMatch(/Can't reach the server/)
})

test('a 401 while searching returns to sign-in with a message', async () => {
  const server = fakeServer()
  await mountSignedIn(server)
  await settled()
  server.tokens.clear()
  type('x')
  await screen.findByText(SESSION_ENDED)
  expect(screen.getByLabelText('Username')).toBeTruthy()
  expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
})

test('the search and page are kept when coming back from a contact, and focus returns to it', async () => {
  const server = fakeServer({ visitors: makeVisitors(30) })
  await mountSignedIn(server)
  await settled()
  type('Visitor 2')
  await waitFor(() => expect(listed()).toHaveLength(11))
  await openContact('Visitor 21')
  // happy-dom follows the link's href="#/" as a browser does, and fires hashchange.
  fireEvent.click(screen.getByRole('link', { name: '← All contacts' }))
  await screen.findByRole('heading', { name: 'Contacts' })
  expect((screen.getByLabelText('Search contacts') as HTMLInputElement).value).toBe('Visitor 2')
  await settled()
  expect(listed()).toHaveLength(11)
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Visitor 21' })))
})

test('erasing the only contact of the last page comes back to the page before', async () => {
  const server = fakeServer({ visitors: makeVisitors(26) })
  await mountSignedIn(server)
  await settled()
  fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
  await waitFor(() => expect(listed()).toEqual(['Visitor 1']))
  await openContact('Visitor 1')
  fireEvent.click(screen.getByRole('button', { name: 'Erase' }))
  fireEvent.click(screen.getByRole('button', { name: 'Erase for good' }))
  await waitFor(() => expect(listed()[0]).toBe('Visitor 26'))
  expect(server.requests('GET /api/v1/livechat/visitors.search').map((r) => r.params.get('offset'))).toEqual(['0', '25', '25', '0'])
  expect(status()).toContain('Showing 1–25 of 25 contacts.')
  expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull()
})
