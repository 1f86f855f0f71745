// The inbox against the fake server and its fake DDP socket: status, the live queue, taking (and
// losing a take), answering optimistically and idempotently, typing both ways, unread counts,
// closing with a comment, reconnecting, notifications.
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { TAKEN_FIRST } from '../../console/src/components/inbox/Inbox'
import { fakeChat, onStream, visitorMessage } from './fake-chat'
import { fakeServer, json, mountSignedIn } from './support'

async function openInbox(options: Parameters<typeof fakeChat>[1] = {}, hash = '#/inbox') {
  const server = fakeServer()
  const chat = fakeChat(server, options)
  await mountSignedIn(server)
  location.hash = hash
  await screen.findByRole('switch', { name: 'Available' })
  await waitFor(() => expect(screen.queryByText('Connecting to live updates…')).toBeNull())
  return { server, chat }
}

const queueItems = () => within(screen.getByRole('region', { name: /Queue/ })).queryAllByRole('listitem').map((li) => li.querySelector('.card-title')!.textContent)

test('signs in on the socket with the session token, follows the queue stream, lists the queue once: no polling', async () => {
  const { server, chat } = await openInbox({ queued: [1, 2] })
  const token = JSON.parse(sessionStorage.getItem('ecc-console:session')!).authToken
  expect(chat.ddp.methods('login')).toEqual([[{ resume: token }]])
  expect(chat.ddp.subscribed('stream-livechat-inquiry-queue-observer', 'public')).toBe(true)
  expect(chat.ddp.sockets[0].url).toBe('wss://chat.example/websocket')
  await waitFor(() => expect(queueItems()).toEqual(['Visitor 1', 'Visitor 2']))
  chat.arrive(3)
  await waitFor(() => expect(queueItems()).toEqual(['Visitor 1', 'Visitor 2', 'Visitor 3']))
  chat.ddp.emit('stream-livechat-inquiry-queue-observer', 'public', [{ type: 'removed', _id: 'room1', rid: 'room1' }])
  await waitFor(() => expect(queueItems()).toEqual(['Visitor 2', 'Visitor 3']))
  expect(server.requests('GET /api/v1/livechat/inquiries.queuedForUser')).toHaveLength(1)
})

test('the Available switch sets the status through livechat/agent.status', async () => {
  const { server } = await openInbox()
  const available = screen.getByRole('switch', { name: 'Available' }) as HTMLInputElement
  expect(available.checked).toBe(false)
  fireEvent.click(available)
  await waitFor(() => expect(available.checked).toBe(true))
  fireEvent.click(available)
  await waitFor(() => expect(available.checked).toBe(false))
  expect(server.requests('POST /api/v1/livechat/agent.status').map((r) => r.body)).toEqual([{ status: 'available' }, { status: 'not-available' }])
})

test('Take opens the chat: history, the contact beside it with a link to the contact view', async () => {
  const { server } = await openInbox({ queued: [1] })
  fireEvent.click(await screen.findByRole('button', { name: 'Take' }))
  await screen.findByRole('heading', { level: 2, name: 'Visitor 1' })
  expect(location.hash).toBe('#/inbox/room1')
  expect(server.requests('POST /api/v1/livechat/inquiries.take')[0].body).toEqual({ inquiryId: 'room1' })
  const log = screen.getByRole('log', { name: 'Messages' })
  await waitFor(() => expect(log.textContent).toContain('Hello from 1'))
  const contact = screen.getByRole('complementary', { name: 'Contact' })
  await waitFor(() => expect(contact.textContent).toContain('visitor1@example.com'))
  expect(within(contact).getByRole('link', { name: 'Open contact' }).getAttribute('href')).toBe('#/contacts/id1')
  expect(queueItems()).toEqual([])
  expect(within(screen.getByRole('region', { name: /My chats/ })).getByRole('link', { name: 'Visitor 1' })).toBeTruthy()
})

test('another agent took it first: the console says so and drops it from the queue', async () => {
  const { chat } = await openInbox({ queued: [1] })
  await screen.findByRole('button', { name: 'Take' })
  chat.queue.clear() // Taken elsewhere; this console has not heard yet.
  fireEvent.click(screen.getByRole('button', { name: 'Take' }))
  await waitFor(() => expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain(TAKEN_FIRST('Visitor 1')))
  expect(queueItems()).toEqual([])
  expect(location.hash).toBe('#/inbox')
})

test('Send: pending at once, retried with the same _id after a network error, shown once', async () => {
  const { server, chat } = await openInbox({ taken: [1] }, '#/inbox/room1')
  let failures = 1
  server.on('POST /api/v1/chat.sendMessage', () => (failures-- > 0 ? 'network-error' : undefined))
  fireEvent.input(await screen.findByLabelText('Message'), { target: { value: 'Hi, how can I help?' } })
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  const log = screen.getByRole('log', { name: 'Messages' })
  expect(log.textContent).toContain('Hi, how can I help?')
  expect(log.textContent).toContain('Sending…')
  await waitFor(() => expect(log.textContent).not.toContain('Sending…'), { timeout: 3000 })
  const sends = server.requests('POST /api/v1/chat.sendMessage')
  expect(sends).toHaveLength(2)
  expect(sends[1].body).toEqual(sends[0].body)
  expect(sends[0].body.message).toMatchObject({ rid: 'room1', msg: 'Hi, how can I help?', _id: expect.stringMatching(/^\w{17}$/) })
  // The stream's copy, delivered again, changes nothing.
  chat.ddp.emit('stream-room-messages', 'room1', [onStream(chat.messages.get('room1')!.at(-1)!)])
  await new Promise((r) => setTimeout(r, 20))
  expect(log.textContent!.match(/Hi, how can I help\?/g)).toHaveLength(1)
  expect(screen.getByLabelText('Message')).toHaveProperty('value', '')
})

test('a send refused for good is marked failed with Retry, which resends the same _id', async () => {
  const { server } = await openInbox({ taken: [1] }, '#/inbox/room1')
  server.on('POST /api/v1/chat.sendMessage', (req) => (server.requests('POST /api/v1/chat.sendMessage').length === 1 ? new Response(JSON.stringify({ success: false, error: 'Nope [error-not-allowed]' }), { status: 400 }) : undefined))
  fireEvent.input(await screen.findByLabelText('Message'), { target: { value: 'Once' } })
  fireEvent.keyDown(screen.getByLabelText('Message'), { key: 'Enter' })
  await screen.findByText(/Not sent: Nope/)
  fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
  await waitFor(() => expect(screen.queryByText(/Not sent/)).toBeNull())
  const [first, second] = server.requests('POST /api/v1/chat.sendMessage')
  expect(second.body.message._id).toBe(first.body.message._id)
})

test('typing both ways: the agent’s keystrokes go out as user-typing, the visitor’s show', async () => {
  const { chat } = await openInbox({ taken: [1] }, '#/inbox/room1')
  fireEvent.input(await screen.findByLabelText('Message'), { target: { value: 'H' } })
  await waitFor(() => expect(chat.ddp.methods('stream-notify-room')).toEqual([['room1/user-activity', 'maria', ['user-typing'], {}]]))
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await waitFor(() => expect(chat.ddp.methods('stream-notify-room').at(-1)).toEqual(['room1/user-activity', 'maria', [], {}]))
  await waitFor(() => expect(chat.ddp.subscribed('stream-notify-room', 'room1/user-activity')).toBe(true))
  chat.ddp.emit('stream-notify-room', 'room1/user-activity', ['guest-1', ['user-typing']])
  await screen.findByText('Visitor 1 is typing…')
  chat.ddp.emit('stream-notify-room', 'room1/user-activity', ['guest-1', []])
  await waitFor(() => expect(screen.queryByText('Visitor 1 is typing…')).toBeNull())
})

test('unread counts: messages to a chat not open, each counted once; opening it clears the count', async () => {
  const { chat } = await openInbox({ taken: [1, 2] }, '#/inbox/room1')
  await waitFor(() => expect(chat.ddp.subscribed('stream-room-messages', 'room2')).toBe(true))
  const m = onStream(visitorMessage('room2', 'v2-a', 'Anyone there?', 2))
  chat.ddp.emit('stream-room-messages', 'room2', [m])
  chat.ddp.emit('stream-room-messages', 'room2', [m])
  chat.ddp.emit('stream-room-messages', 'room2', [onStream(visitorMessage('room2', 'v2-b', 'Hello?', 2))])
  const link = await screen.findByRole('link', { name: /Visitor 2.*2 unread/ })
  fireEvent.click(link)
  await screen.findByRole('heading', { level: 2, name: 'Visitor 2' })
  await waitFor(() => expect(screen.queryByText(/unread/)).toBeNull())
})

test('Close chat sends the comment; the chat shows it ended, without a reply box', async () => {
  const { server } = await openInbox({ taken: [1] }, '#/inbox/room1')
  fireEvent.input(await screen.findByLabelText(/Closing comment/), { target: { value: 'Solved, thanks' } })
  fireEvent.click(screen.getByRole('button', { name: 'Close chat' }))
  await screen.findByText('This chat has ended.')
  expect(server.requests('POST /api/v1/livechat/room.closeByUser')[0].body).toEqual({ rid: 'room1', comment: 'Solved, thanks' })
  expect(screen.queryByLabelText('Message')).toBeNull()
  await waitFor(() => expect(screen.getByRole('log').textContent).toContain('You closed the chat: Solved, thanks'))
})

test('a dropped socket reconnects, signs in again, subscribes again and reloads', async () => {
  const { server, chat } = await openInbox({ taken: [1] }, '#/inbox/room1')
  chat.ddp.drop()
  await waitFor(() => expect(chat.ddp.methods('login')).toHaveLength(2), { timeout: 3000 })
  await waitFor(() => expect(chat.ddp.subscribed('stream-livechat-inquiry-queue-observer', 'public')).toBe(true))
  expect(chat.ddp.subscribed('stream-room-messages', 'room1')).toBe(true)
  expect(server.requests('GET /api/v1/livechat/inquiries.queuedForUser')).toHaveLength(2)
  await waitFor(() => expect(server.requests('GET /api/v1/chat.syncMessages').length).toBeGreaterThanOrEqual(2))
  // Reloaded history is merged, not doubled.
  expect(screen.getByRole('log').textContent!.match(/Hello from 1/g)).toHaveLength(1)
})

test('a refused resume login ends the session', async () => {
  const server = fakeServer()
  const chat = fakeChat(server)
  await mountSignedIn(server)
  server.tokens.clear()
  location.hash = '#/inbox'
  await screen.findByRole('button', { name: 'Sign in' })
  expect(chat.ddp.methods('login')).toHaveLength(1)
})

test('a new inquiry: no sound; a notification only where the agent allowed it', async () => {
  const shown: unknown[] = []
  const requestPermission = vi.fn(async () => 'granted')
  vi.stubGlobal('Notification', Object.assign(function (this: unknown, ...args: unknown[]) { shown.push(args) }, { permission: 'default', requestPermission }))
  const play = vi.spyOn(HTMLMediaElement.prototype, 'play')
  const { chat } = await openInbox()
  chat.arrive(1)
  await waitFor(() => expect(queueItems()).toEqual(['Visitor 1']))
  expect(shown).toEqual([])
  fireEvent.click(screen.getByRole('button', { name: 'Notify me of new chats' }))
  await waitFor(() => expect(requestPermission).toHaveBeenCalled())
  ;(Notification as unknown as { permission: string }).permission = 'granted'
  chat.arrive(2)
  await waitFor(() => expect(shown).toEqual([['New chat: Visitor 2', { body: 'Hello from 2', tag: 'room2', silent: true }]]))
  expect(play).not.toHaveBeenCalled()
})

const offlineSection = () => screen.getByRole('region', { name: 'Offline messages' })
const offlineItems = () =>
  within(offlineSection()).queryAllByRole('listitem').map((li) => [...li.querySelectorAll('a, p')].map((e) => e.textContent))

test('offline messages: closed rooms nobody served, newest first, with time, text and a link to the contact; Refresh reloads, nothing polls', async () => {
  const server = fakeServer()
  const chat = fakeChat(server, { taken: [3] })
  chat.offline(1, 'Please call me back')
  chat.offline(2, 'Is the shop open on Sunday?')
  chat.rooms.get('room3')!.open = false // Closed after an agent served it: not an offline message.
  await mountSignedIn(server)
  location.hash = '#/inbox'
  await waitFor(() => expect(offlineItems().map(([name, , text]) => [name, text])).toEqual([['Visitor 2', 'Is the shop open on Sunday?'], ['Visitor 1', 'Please call me back']]))
  const first = within(offlineSection()).getAllByRole('listitem')[0]
  expect(within(first).getByRole('link', { name: 'Visitor 2' }).getAttribute('href')).toBe('#/contacts/id2')
  expect(first.querySelector('time')!.getAttribute('datetime')).toBe(chat.rooms.get('room2')!.ts)
  expect(server.requests('GET /api/v1/livechat/rooms').map((r) => r.params.get('open'))).toContain('false')

  chat.offline(4, 'Newest')
  await new Promise((r) => setTimeout(r, 50))
  expect(offlineItems()).toHaveLength(2) // Not polled.
  fireEvent.click(within(offlineSection()).getByRole('button', { name: 'Refresh' }))
  await waitFor(() => expect(offlineItems().map(([name, , text]) => [name, text])[0]).toEqual(['Visitor 4', 'Newest']))
  expect(server.requests('GET /api/v1/livechat/rooms').filter((r) => r.params.get('open') === 'false')).toHaveLength(2)
})

test('offline messages whose history is refused (a monitor: 400) show name and time only', async () => {
  const server = fakeServer()
  const chat = fakeChat(server)
  chat.offline(1, 'Secret')
  server.on('GET /api/v1/chat.syncMessages', () => json({ success: false, error: 'Not allowed [error-not-allowed]', errorType: 'error-not-allowed' }, 400))
  await mountSignedIn(server)
  location.hash = '#/inbox'
  await waitFor(() => expect(offlineItems()).toEqual([['Visitor 1', expect.any(String)]]))
  expect(offlineSection().textContent).not.toContain('Secret')
  expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull()
})

test('an agent without view-livechat-rooms gets no offline messages section and makes no such call', async () => {
  const server = fakeServer()
  fakeChat(server).offline(1, 'Please call me back')
  await mountSignedIn(server, 'alex')
  location.hash = '#/inbox'
  await screen.findByRole('region', { name: /My chats/ })
  await waitFor(() => expect(screen.queryByText('Connecting to live updates…')).toBeNull())
  expect(screen.queryByRole('region', { name: 'Offline messages' })).toBeNull()
  expect(server.requests('GET /api/v1/livechat/rooms').filter((r) => r.params.get('open') === 'false')).toEqual([])
})
