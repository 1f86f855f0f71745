// The chat view (the chat chunk, from source) against a scripted REST server and DDP socket:
// the conversation after the form, optimistic and idempotent sending, reconnection, closing,
// the offline form, typing, unread counts and the host API's chat callbacks.
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { beforeEach, expect, test, vi } from 'vitest'
import type { Message, Room } from '../../shared/chat'
import { installHostApis } from '../../widget/src/host-api'
import { CONFIG, json, mountWidget, stubServer, tick, type Sent } from './support'
import { stubWebSocket } from './fake-ddp'

const TOKEN = 'visitor-token-1'
const VISITOR = { _id: 'V1', username: 'guest-1' }
const AGENT = { _id: 'A1', username: 'agent.ada', name: 'Ada Agent', status: 'available' as const }
const ROOM: Room = { _id: 'R1', t: 'l', fname: 'Ana', v: { ...VISITOR, token: TOKEN }, open: true, ts: '2026-01-01T00:00:00.000Z', msgs: 0, _updatedAt: '2026-01-01T00:00:00.000Z' }

let clock = Date.parse('2026-01-01T00:00:01.000Z')
const stored = (_id: string, msg: string, u = VISITOR as { _id: string; username: string; name?: string }, t?: Message['t']): Message => {
  const ts = new Date(clock++).toISOString()
  return { _id, rid: ROOM._id, msg, ts, u, _updatedAt: ts, ...(t && { t }) }
}
/** The stream's framing of a message: `ts` as {$date}, no token. */
const streamed = (m: Message) => ({ ...m, ts: { $date: Date.parse(m.ts) }, token: undefined })
const echo = (req: Sent) => json({ message: { ...stored(req.body._id, req.body.msg), token: TOKEN }, success: true })

function chatServer(routes: Parameters<typeof stubServer>[0] = {}, config = { ...CONFIG, online: true }) {
  return stubServer({
    'GET /api/v1/livechat/config': json({ config, success: true }),
    'GET /api/v1/livechat/room': json({ room: ROOM, newRoom: true, success: true }),
    'POST /api/v1/livechat/message': echo,
    'GET /api/v1/livechat/messages.history/': json({ messages: [], success: true }),
    'GET /api/v1/livechat/agent.info/': json({ agent: AGENT, success: true }),
    'POST /api/v1/livechat/room.close': json({ success: true }),
    'POST /api/v1/livechat/page.visited': json({ success: true }),
    ...routes,
  })
}

/** A visitor registered on an earlier page load. */
const returning = () => {
  localStorage.setItem('ecc:token', TOKEN)
  localStorage.setItem('ecc:visitor', JSON.stringify({ name: 'Ana' }))
}
const box = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement
const type = (text: string) => fireEvent.input(box(), { target: { value: text } })
const enter = (shiftKey = false) => fireEvent.keyDown(box(), { key: 'Enter', shiftKey })
const log = () => screen.getByRole('log', { name: 'Messages' })
const messagePosts = (server: ReturnType<typeof stubServer>) => server.posts().filter((p) => p.path === '/api/v1/livechat/message')
const visits = (server: ReturnType<typeof stubServer>) => server.posts().filter((p) => p.path === '/api/v1/livechat/page.visited')

let ws: ReturnType<typeof stubWebSocket>
beforeEach(() => {
  ws = stubWebSocket()
})

test('after the form: the chat view; Enter sends (shown pending at once, with a client _id), Shift+Enter does not', async () => {
  let release!: () => void
  const server = chatServer({ 'POST /api/v1/livechat/message': (req) => new Promise((r) => (release = () => r(echo(req)))) })
  mountWidget({ chat: true })
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await screen.findByRole('log', { name: 'Messages' })
  expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy()
  // The form's focus moves to the message box.
  await waitFor(() => expect(document.activeElement).toBe(box()))

  type('Hello\nthere')
  enter(true)
  expect(messagePosts(server)).toHaveLength(0)
  enter()
  const item = await within(log()).findByText('Hello\nthere', { normalizer: (s) => s })
  expect(item.closest('.msg')!.textContent).toContain('Sending…')
  expect(box().value).toBe('')
  await waitFor(() => expect(messagePosts(server)).toHaveLength(1))
  const [post] = messagePosts(server)
  expect(post.body).toEqual({ token: expect.any(String), rid: 'R1', _id: expect.stringMatching(/^\w{17}$/), msg: 'Hello\nthere' })
  release()
  await waitFor(() => expect(item.closest('.msg')!.textContent).not.toContain('Sending…'))
  // The stream delivers the visitor's own message too: still shown once.
  ws.last().event('stream-room-messages', 'R1', streamed(stored(post.body._id, 'Hello\nthere')))
  await new Promise((r) => setTimeout(r, 10))
  expect(within(log()).getAllByText('Hello\nthere', { normalizer: (s) => s })).toHaveLength(1)
})

test('a returning visitor with an open room: history at once, subscriptions with the token, agent name, typing both ways, agent messages told apart', async () => {
  returning()
  chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: { ...ROOM, servedBy: AGENT }, agent: AGENT }, success: true }),
    'GET /api/v1/livechat/messages.history/': json({ messages: [stored('m1', 'Hello'), stored('m2', 'Hi Ana', AGENT)].reverse(), success: true }),
  })
  mountWidget({ chat: true })
  await within(await screen.findByRole('log')).findByText('Hi Ana')
  expect(screen.getByText("You're chatting with Ada Agent.")).toBeTruthy()
  expect(screen.getByText('Hi Ana').closest('.msg')!.className).toContain('theirs')
  expect(screen.getByText('Hello').closest('.msg')!.className).toContain('mine')
  const socket = ws.last()
  expect(socket.url).toBe('wss://chat.example/websocket')
  expect(socket.subs()).toEqual([
    ['stream-room-messages', 'R1'],
    ['stream-notify-room', 'R1/user-activity'],
    ['stream-livechat-room', 'R1'],
  ])
  expect(socket.sent.find((f) => f.msg === 'sub')!.params[1]).toEqual({ useCollection: false, args: [{ token: TOKEN, visitorToken: TOKEN }] })

  // The agent types, then answers: the indicator comes and goes.
  socket.event('stream-notify-room', 'R1/user-activity', AGENT.username, ['user-typing'])
  await screen.findByText('Ada Agent is typing…')
  socket.event('stream-room-messages', 'R1', streamed(stored('m3', 'How can I help?', AGENT)))
  await screen.findByText('How can I help?')
  expect(screen.queryByText('Ada Agent is typing…')).toBeNull()

  // The visitor types: one user-typing, then [] once the message is sent.
  type('I need')
  type('I need help')
  const typing = () => socket.methods().filter((m) => m.method === 'stream-notify-room').map((m) => m.params)
  await waitFor(() => expect(typing()).toEqual([['R1/user-activity', 'guest-1', ['user-typing'], { token: TOKEN }]]))
  enter()
  await waitFor(() => expect(typing()).toHaveLength(2))
  expect(typing()[1]).toEqual(['R1/user-activity', 'guest-1', [], { token: TOKEN }])
})

test('agent assignment over stream-livechat-room: the name shows, onAssignAgent and onAgentStatusChange fire', async () => {
  returning()
  chatServer({ 'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }) })
  const { widget } = mountWidget({ chat: true })
  installHostApis(widget)
  const assigned = vi.fn()
  const status = vi.fn()
  window.RocketChat!.livechat!.onAssignAgent(assigned)
  window.RocketChat!.livechat!.onAgentStatusChange(status)
  await screen.findByRole('log')
  ws.last().event('stream-livechat-room', 'R1', { type: 'agentData', data: AGENT })
  await screen.findByText("You're chatting with Ada Agent.")
  expect(assigned).toHaveBeenCalledWith(AGENT)
  expect(status).toHaveBeenCalledWith('available')
})

test('a network failure is retried with the same _id; after the limit the message is marked failed, and Retry sends the same _id', async () => {
  returning()
  let down = true
  const server = chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }),
    'POST /api/v1/livechat/message': (req) => (down ? 'network-error' : echo(req)),
  })
  mountWidget({ chat: true })
  await screen.findByRole('log')
  vi.useFakeTimers()
  type('Are you there?')
  enter()
  await vi.advanceTimersByTimeAsync(120_000)
  const posts = messagePosts(server)
  expect(posts.length).toBeGreaterThan(1)
  expect(new Set(posts.map((p) => p.body._id)).size).toBe(1)
  expect(screen.getByText('Are you there?').closest('.msg')!.textContent).toContain('Not sent.')
  down = false
  fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
  await vi.advanceTimersByTimeAsync(0)
  vi.useRealTimers()
  await waitFor(() => expect(screen.getByText('Are you there?').closest('.msg')!.textContent).not.toContain('Not sent.'))
  expect(messagePosts(server).at(-1)!.body._id).toBe(posts[0].body._id)
  expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
})

test('unsent messages and the draft survive a reload, and are resent in order with their own _ids', async () => {
  returning()
  let down = true
  const server = chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }),
    'POST /api/v1/livechat/message': (req) => (down ? new Promise(() => {}) : echo(req)),
  })
  const first = mountWidget({ chat: true })
  await screen.findByRole('log')
  for (const text of ['one', 'two']) {
    type(text)
    enter()
  }
  type('draft in progress')
  await waitFor(() => expect(messagePosts(server)).toHaveLength(1))
  const firstId = messagePosts(server)[0].body._id
  first.unmount()

  down = false
  mountWidget({ chat: true })
  await screen.findByRole('log')
  expect(box().value).toBe('draft in progress')
  await waitFor(() => expect(messagePosts(server)).toHaveLength(3))
  const resent = messagePosts(server).slice(1)
  expect(resent.map((p) => p.body.msg)).toEqual(['one', 'two'])
  expect(resent[0].body._id).toBe(firstId)
  await waitFor(() => expect(screen.queryByText('Sending…')).toBeNull())
  expect(JSON.parse(localStorage.getItem('ecc:chat')!)).toEqual({ draft: 'draft in progress', pending: [] })
})

test('a dropped socket reconnects, subscribes again and reloads history, showing each message once', async () => {
  returning()
  let history: Message[] = [stored('m1', 'Hello')]
  const server = chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }),
    'GET /api/v1/livechat/messages.history/': () => json({ messages: [...history].reverse(), success: true }),
  })
  const { widget } = mountWidget({ chat: true })
  const heard: string[] = []
  widget.on('message', (m: { msg: string }) => heard.push(m.msg))
  await within(await screen.findByRole('log')).findByText('Hello')
  const before = ws.last()
  before.drop()
  await screen.findByText('Reconnecting…')
  history = [...history, stored('m2', 'Missed while away', AGENT)]
  await waitFor(() => expect(ws.last()).not.toBe(before), { timeout: 3000 })
  await within(log()).findByText('Missed while away')
  expect(ws.last().subs()).toHaveLength(3)
  expect(screen.queryByText('Reconnecting…')).toBeNull()
  ws.last().event('stream-room-messages', 'R1', streamed(history[1]))
  await new Promise((r) => setTimeout(r, 10))
  expect(within(log()).getAllByText(/Hello|Missed/)).toHaveLength(2)
  expect(server.sent.filter((s) => s.path.startsWith('/api/v1/livechat/messages.history/'))).toHaveLength(2)
  // What arrived while the socket was down reaches the host page once, like a live message.
  expect(heard).toEqual(['Missed while away'])
})

test('End chat posts room.close; the view says so and offers a new chat; host callbacks and LiveChat.on fire', async () => {
  const server = chatServer()
  returning()
  const { widget } = mountWidget({ chat: true })
  installHostApis(widget)
  const events: string[] = []
  window.RocketChat!.livechat!.onChatStarted(() => events.push('started'))
  window.RocketChat!.livechat!.onChatEnded(() => events.push('ended'))
  window.LiveChat!.on('chat:start', () => events.push('chat:start'))
  window.LiveChat!.on('chat:end', () => events.push('chat:end'))
  window.LiveChat!.on('message', (m) => events.push(`message ${m.msg}`))
  await screen.findByRole('log')
  expect(screen.queryByRole('button', { name: 'End chat' })).toBeNull()
  type('Hi')
  enter()
  fireEvent.click(await screen.findByRole('button', { name: 'End chat' }))
  await screen.findByText('This chat has ended.')
  expect(server.posts().at(-1)).toMatchObject({ path: '/api/v1/livechat/room.close', body: { rid: 'R1', token: TOKEN } })
  expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull()
  expect(events).toEqual(['started', 'chat:start', 'message Hi', 'ended', 'chat:end'])

  fireEvent.click(screen.getByRole('button', { name: 'Start a new chat' }))
  expect(within(log()).queryByText('Hi')).toBeNull()
  expect(box()).toBeTruthy()
})

test('the agent closing (a livechat-close message) ends the chat for the visitor', async () => {
  returning()
  chatServer({ 'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }) })
  mountWidget({ chat: true })
  await screen.findByRole('log')
  ws.last().event('stream-room-messages', 'R1', streamed(stored('c1', 'Solved', AGENT, 'livechat-close')))
  await within(log()).findByText('This chat has ended.')
  expect(screen.getByRole('button', { name: 'Start a new chat' })).toBeTruthy()
  expect(ws.last().sent.filter((f) => f.msg === 'unsub')).toHaveLength(3)
})

test('a closed panel counts the agent messages on the launcher; opening clears it; the page title is untouched', async () => {
  returning()
  document.title = 'Host page'
  chatServer({ 'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }) })
  const { widget } = mountWidget({ chat: true, open: false })
  await waitFor(() => expect(widget.state.chat).toBeTruthy())
  await waitFor(() => expect(ws.last()?.subs()).toHaveLength(3))
  ws.last().event('stream-room-messages', 'R1', streamed(stored('a1', 'Are you still there?', AGENT)))
  ws.last().event('stream-room-messages', 'R1', streamed(stored('a2', 'Hello?', AGENT)))
  await screen.findByRole('button', { name: 'Open chat (2)' })
  expect(document.title).toBe('Host page')
  fireEvent.click(screen.getByRole('button', { name: 'Open chat (2)' }))
  await screen.findByText('Hello?')
  widget.close()
  expect(await screen.findByRole('button', { name: 'Open chat' })).toBeTruthy()
})

test('no agent online: the offline form posts livechat/offline.message; onServiceOffline and onOfflineFormSubmit fire', async () => {
  const server = chatServer({ 'POST /api/v1/livechat/offline.message': json({ message: 'Livechat offline message sent', success: true }) }, { ...CONFIG, online: false })
  const { widget } = mountWidget({ chat: true, open: false })
  installHostApis(widget)
  const offline = vi.fn()
  const submitted = vi.fn()
  window.RocketChat!.livechat!.onServiceOffline(offline)
  window.RocketChat!.livechat!.onOfflineFormSubmit(submitted)
  widget.open()
  fireEvent.click(await screen.findByRole('button', { name: 'Send message' }))
  expect(screen.getAllByText('This field is required.')).toHaveLength(3)
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ada' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } })
  fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Please call me' } })
  fireEvent.click(screen.getByRole('button', { name: 'Send message' }))
  await screen.findByText('Thank you! Your message has been sent.')
  const data = { name: 'Ada', email: 'ada@example.com', message: 'Please call me' }
  expect(server.posts()).toEqual([{ method: 'POST', path: '/api/v1/livechat/offline.message', body: data }])
  expect(submitted).toHaveBeenCalledWith(data)
  expect(offline).toHaveBeenCalledTimes(1)
})

test("the site's consent box in the offline form too: required, its error on the box until ticked, then consent: true is sent", async () => {
  const text = 'I agree that Example Shop keeps what I send to answer me.'
  const server = chatServer(
    { 'POST /api/v1/livechat/offline.message': json({ message: 'Livechat offline message sent', success: true }) },
    { ...CONFIG, online: false, settings: { forceAcceptDataProcessingConsent: true }, messages: { dataProcessingConsentText: text } },
  )
  const { widget } = mountWidget({ chat: true })
  installHostApis(widget)
  const submitted = vi.fn()
  window.RocketChat!.livechat!.onOfflineFormSubmit(submitted)
  const box = (await screen.findByLabelText(text)) as HTMLInputElement
  expect([box.type, box.required, box.checked]).toEqual(['checkbox', true, false])
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ada' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } })
  fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Please call me' } })
  fireEvent.click(screen.getByRole('button', { name: 'Send message' }))
  await waitFor(() => expect(box.getAttribute('aria-invalid')).toBe('true'))
  expect(document.getElementById(box.getAttribute('aria-describedby')!)!.textContent).toBe('This field is required.')
  expect(server.posts()).toHaveLength(0)

  // Ticked: the error goes at once, before any submit.
  tick(box)
  await waitFor(() => expect(box.getAttribute('aria-invalid')).toBeNull())
  expect(screen.queryByText('This field is required.')).toBeNull()
  fireEvent.click(screen.getByRole('button', { name: 'Send message' }))
  await screen.findByText('Thank you! Your message has been sent.')
  const data = { name: 'Ada', email: 'ada@example.com', message: 'Please call me' }
  expect(server.posts()).toEqual([{ method: 'POST', path: '/api/v1/livechat/offline.message', body: { ...data, consent: true } }])
  // The host page gets the message, as Rocket.Chat's widget gives it.
  expect(submitted).toHaveBeenCalledWith(data)
})

test('page.visited: a room resumed at page load is told this page once (title, URL); one attempt, and the chat does not wait for it', async () => {
  returning()
  document.title = 'Pricing | Example Shop'
  const server = chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }),
    // Would be retried at once (Retry-After: 0) by the requests that retry.
    'POST /api/v1/livechat/page.visited': () => new Response('{}', { status: 503, headers: { 'retry-after': '0' } }),
  })
  mountWidget({ chat: true })
  await screen.findByRole('log')
  await waitFor(() => expect(visits(server)).toHaveLength(1))
  expect(visits(server)[0].body).toEqual({ token: TOKEN, rid: 'R1', pageInfo: { change: 'url', title: 'Pricing | Example Shop', location: { href: location.href } } })
  type('Still there?')
  enter()
  await within(log()).findByText('Still there?')
  await waitFor(() => expect(messagePosts(server)).toHaveLength(1))
  await new Promise((r) => setTimeout(r, 50))
  expect(visits(server)).toHaveLength(1)
  expect(screen.queryByText(/HTTP 503/)).toBeNull()
})

test('page.visited: none before a room exists; a new room is told the current page once, its title cut to 256', async () => {
  document.title = 't'.repeat(300)
  const server = chatServer()
  mountWidget({ chat: true })
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await screen.findByRole('log', { name: 'Messages' })
  await new Promise((r) => setTimeout(r, 20))
  expect(visits(server)).toHaveLength(0)
  type('Hello')
  enter()
  await waitFor(() => expect(visits(server)).toHaveLength(1))
  expect(visits(server)[0].body).toMatchObject({ rid: 'R1', pageInfo: { title: 't'.repeat(256), location: { href: location.href } } })
  type('And another thing')
  enter()
  await waitFor(() => expect(messagePosts(server)).toHaveLength(2))
  expect(visits(server)).toHaveLength(1)
})

test("the room's navigation history (the agent's) is not shown, not counted as unread, not told to the host page", async () => {
  returning()
  const rocketCat = { _id: 'rocket.cat', username: 'rocket.cat' }
  const page = (id: string) => stored(id, 'Pricing - https://shop.example/pricing', rocketCat, 'livechat_navigation_history')
  chatServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }),
    'GET /api/v1/livechat/messages.history/': json({ messages: [stored('m1', 'Hello'), page('n1')].reverse(), success: true }),
  })
  const { widget } = mountWidget({ chat: true, open: false })
  const heard: string[] = []
  widget.on('message', (m: { msg: string }) => heard.push(m.msg))
  await waitFor(() => expect(ws.last()?.subs()).toHaveLength(3))
  ws.last().event('stream-room-messages', 'R1', streamed(page('n2')))
  ws.last().event('stream-room-messages', 'R1', streamed(stored('a1', 'Hi Ana', AGENT)))
  await screen.findByRole('button', { name: 'Open chat (1)' })
  expect(heard).toEqual(['Hi Ana'])
  widget.open()
  await within(await screen.findByRole('log')).findByText('Hi Ana')
  expect(log().querySelectorAll('p')).toHaveLength(2)
  expect(log().textContent).not.toContain('Pricing')
})

test('in German: the chat view and the offline form speak German', async () => {
  returning()
  chatServer({ 'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: ROOM }, success: true }) })
  mountWidget({ chat: true, lang: 'de' })
  expect(await screen.findByRole('log', { name: 'Nachrichten' })).toBeTruthy()
  expect(screen.getByRole('textbox', { name: 'Nachricht' })).toBeTruthy()
  expect(screen.getByRole('button', { name: 'Senden' })).toBeTruthy()
  expect(screen.getByRole('button', { name: 'Chat beenden' })).toBeTruthy()
})

test('reset() (SPA logout) and a host token for another visitor leave none of the previous chat behind', async () => {
  for (const leave of ['reset', 'setToken'] as const) {
    localStorage.clear()
    returning()
    chatServer({
      'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: true, room: { ...ROOM, servedBy: AGENT }, agent: AGENT }, success: true }),
      'POST /api/v1/livechat/message': () => new Promise(() => {}),
    })
    const { widget, unmount } = mountWidget({ chat: true })
    await screen.findByRole('log')
    type('unsent words')
    enter()
    type('my private draft')
    await waitFor(() => expect(JSON.parse(localStorage.getItem('ecc:chat')!).draft).toBe('my private draft'))
    if (leave === 'reset') widget.reset()
    else widget.setToken('another-visitor-token', false)
    // Let the old session's socket close and any answer arrive: none may write the chat back.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(localStorage.getItem('ecc:chat'), leave).toBeNull()
    expect(widget.state.config?.room, leave).toBeUndefined()
    expect(widget.state.config?.agent, leave).toBeUndefined()
    expect(widget.state.unread ?? 0, leave).toBe(0)
    unmount()
  }
})
