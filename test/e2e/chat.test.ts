// Live chat end to end, over real HTTP and WebSockets through `npm run dev`: Rocket.Chat's own
// visitor client (`LivechatClientImpl` from @rocket.chat/ddp-client, unchanged) on one side, an
// agent signed in over DDP on the other (test/support/ddp-client.ts), as issue 12 describes.
// Rate limits are off: fifty visitors on one machine share one client network.
import { spawnSync } from 'node:child_process'
import { LivechatClientImpl } from '@rocket.chat/ddp-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DdpClient, type Frame } from '../support/ddp-client.ts'
import { eventually } from '../support/eventually.ts'
import { BIN, ROOT, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

let dev: WranglerDev
const sockets = new Set<{ close(): unknown }>()

beforeAll(async () => {
  dev = await startWranglerDev({ viaNpm: true, vars: { RATE_LIMITS: 'off' } })
})
afterAll(async () => {
  await closeAll()
  await dev?.stop()
})

/** Closes every socket the tests opened. */
async function closeAll() {
  await Promise.allSettled([...sockets].map((socket) => socket.close()))
  sockets.clear()
}

// ---- the wire, as the clients see it ----

/** A message as the room's stream carries it. */
interface StreamMessage {
  _id: string
  rid: string
  msg: string
  ts: { $date: number }
  u: { _id: string; username: string; name?: string }
  t?: string
}
/** A message as REST answers it. */
interface RestMessage extends Omit<StreamMessage, 'ts'> {
  ts: string
}
interface Inquiry {
  _id: string
  rid: string
  type: 'added' | 'changed' | 'removed'
  status?: string
}

const QUEUE = 'stream-livechat-inquiry-queue-observer'
const PASSWORD = 'chat e2e passphrase'
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

/** fetch, tried once more when `wrangler dev` dropped the kept-alive connection (seen right after
 * the agent CLI's `wrangler kv` touched the same local state). */
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${dev.url}${path}`, init)
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error
    return fetch(`${dev.url}${path}`, init)
  }
}

/** A JSON call that must answer 200; anything else fails with the status and body. */
async function ok<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, init)
  const body = await response.text()
  if (response.status !== 200) throw new Error(`${init.method ?? 'GET'} ${path} → ${response.status} ${body}`)
  return JSON.parse(body) as T
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })


// ---- agents: the real CLI, REST login, DDP resume ----

interface Agent {
  userId: string
  username: string
  headers: Record<string, string>
  ddp: DdpClient
}

/** `npm run agent -- create` with a piped password, POST /api/v1/login, a DDP socket logged in
 * with `{resume}`, and status available. */
async function agent(role: 'livechat-agent' | 'livechat-manager' = 'livechat-agent'): Promise<Agent> {
  const username = `agent-${unique()}`
  const made = spawnSync('npm', ['run', '-s', 'agent', '--', 'create', username, '--role', role, '--password-stdin', '--persist-to', dev.persistTo], {
    cwd: ROOT, encoding: 'utf8', input: PASSWORD, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
  expect(made.status, made.stderr).toBe(0)
  const { data } = await ok<{ data: { userId: string; authToken: string } }>('/api/v1/login', post({ user: username, password: PASSWORD }))
  const headers = { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken }
  const ddp = await signInOverDdp(data.authToken)
  expect(await ok('/api/v1/livechat/agent.status', post({ status: 'available' }, headers))).toEqual({ status: 'available', success: true })
  return { userId: data.userId, username, headers, ddp }
}

async function signInOverDdp(authToken: string) {
  const ddp = await DdpClient.connect(dev.url)
  sockets.add(ddp)
  const login = await ddp.login(authToken)
  expect(login).toEqual({ id: expect.any(String), token: expect.any(String), tokenExpires: { $date: expect.any(Number) }, type: 'resume' })
  return ddp
}

/** The agent sees the room's inquiry on the queue stream, takes it, and follows the room. */
async function take(agent: Agent, rid: string) {
  const [inquiry] = await agent.ddp.until(() => queued(agent.ddp, rid).length > 0 && queued(agent.ddp, rid), `the inquiry of ${rid} on the queue`)
  expect(inquiry).toMatchObject({ type: 'added', rid, status: 'queued' })
  const taken = await ok<{ inquiry: { rid: string } }>('/api/v1/livechat/inquiries.take', post({ inquiryId: inquiry._id }, agent.headers))
  expect(taken).toMatchObject({ inquiry: { rid }, success: true })
  await agent.ddp.subscribe('stream-room-messages', rid, { useCollection: false, args: [] })
  await agent.ddp.subscribe('stream-notify-room', `${rid}/user-activity`, { useCollection: false, args: [] })
}

/** The queue stream's events about one room, in order. */
const queued = (ddp: DdpClient, rid: string) =>
  ddp.changed(QUEUE, 'public').map(([e]) => e as Inquiry).filter((e) => e.rid === rid)

const answer = (agent: Agent, rid: string, msg: string, _id = `a-${unique()}`) =>
  ok<{ message: RestMessage }>('/api/v1/chat.sendMessage', post({ message: { rid, msg, _id } }, agent.headers)).then(({ message }) => message)

const agentSaw = (agent: Agent, rid: string) => agent.ddp.changed('stream-room-messages', rid).map(([m]) => m as StreamMessage)

// ---- visitors: Rocket.Chat's LivechatClientImpl, as its widget drives it ----

interface Visitor {
  sdk: LivechatClientImpl
  token: string
  username: string
  /** Every DDP frame its socket(s) received, across reconnects. */
  frames: Frame[]
  messages: StreamMessage[]
  typing: [string, string[]][]
  agents: { _id: string; username: string }[]
}

/** Connects, registers (grantVisitor) and collects what the room streams bring. `retryTime`: the
 * client's reconnect delay (Rocket.Chat's default is 10 s). */
async function visitor(name: string, retryTime = 300, token = `tok-${unique()}`): Promise<Visitor> {
  const sdk = LivechatClientImpl.create(dev.url, { retryCount: 3, retryTime })
  sockets.add({ close: () => (sdk.connection.close(), sdk.timeoutControl.stop()) })
  const frames: Frame[] = []
  // The client exposes no frame hook; its dispatcher (an Emitter) does.
  ;(sdk.client as unknown as { ddp: { onMessage(cb: (frame: Frame) => void): void } }).ddp.onMessage((frame) => frames.push(frame))
  await sdk.connection.connect()
  const { visitor: registered } = await sdk.grantVisitor({ visitor: { token, name } })
  const v: Visitor = { sdk, token, username: registered.username, frames, messages: [], typing: [], agents: [] }
  sdk.onMessage((message) => v.messages.push(message as unknown as StreamMessage))
  sdk.onUserActivity((username, activities) => v.typing.push([username, activities]))
  return v
}

/** Opens (or finds) the visitor's room and subscribes to it as the widget does; waits for `ready`. */
async function openRoom(v: Visitor) {
  const room = await v.sdk.room({ token: v.token })
  const before = new Set(v.sdk.client.subscriptions.keys())
  void v.sdk.subscribeRoom(room._id)
  v.sdk.onAgentChange(room._id, (data) => v.agents.push(data as unknown as Visitor['agents'][number]))
  // The subscriptions are registered synchronously; their answers come later.
  await ready(v, [...v.sdk.client.subscriptions.keys()].filter((id) => !before.has(id)))
  return room
}

/** Waits for `ready` to each sub since the latest `connected`; a `nosub` fails with its frame. */
async function ready(v: Visitor, ids: string[]) {
  const since = v.frames.findLastIndex((f) => f.msg === 'connected')
  await eventually(() => ids.every((id) => {
    const answer = v.frames.slice(since).find((f) => (f.msg === 'ready' && (f.subs as string[]).includes(id)) || (f.msg === 'nosub' && f.id === id))
    if (answer?.msg === 'nosub') throw new Error(`sub ${id} answered ${JSON.stringify(answer)}`)
    return answer
  }), `ready for ${ids.join(', ')}`)
}

const write = (v: Visitor, rid: string, msg: string, _id = `v-${unique()}`) =>
  v.sdk.sendMessage({ rid, msg, _id, token: v.token }).then(({ message }) => message as unknown as RestMessage)

const history = async (v: Visitor, rid: string) =>
  (await v.sdk.loadMessages(rid, { token: v.token, limit: 100 })) as unknown as RestMessage[]

const ids = (messages: { _id: string }[]) => messages.map((m) => m._id)
const chatOnly = <M extends { t?: string }>(messages: M[]) => messages.filter((m) => !m.t)

describe('a conversation between LivechatClientImpl and an agent over DDP', () => {
  it('registers, opens a room, writes; the agent takes it from the queue and answers; typing both ways; the agent closes', async () => {
    const ana = await agent()
    const queueSub = await ana.ddp.subscribe(QUEUE, 'public', { useCollection: false, args: [] })
    const v = await visitor('Vera Visitor')
    expect(await v.sdk.config({ token: v.token })).toMatchObject({ online: true, settings: { visitorsCanCloseChat: true } })

    const room = await openRoom(v)
    expect(room).toMatchObject({ t: 'l', open: true, fname: 'Vera Visitor', v: { token: v.token, username: v.username } })
    const rid = room._id
    const hello = await write(v, rid, 'Hello, anyone there?')
    expect(hello).toMatchObject({ rid, msg: 'Hello, anyone there?', token: v.token })
    // The sender's own message reaches it through the stream: that is where the widget shows it.
    await eventually(() => v.messages.some((m) => m._id === hello._id), 'the visitor\'s own message on its stream')

    await take(ana, rid)
    const [agentData] = await eventually(() => v.agents.length > 0 && v.agents, 'agentData on stream-livechat-room')
    expect(agentData).toMatchObject({ _id: ana.userId, username: ana.username })
    // Taken, the inquiry leaves the queue (or turns taken) for every agent watching it.
    await ana.ddp.until(() => queued(ana.ddp, rid).find((e) => e.type === 'removed' || e.status === 'taken'), 'the queue event of the take')
    expect(queued(ana.ddp, rid)[0].type).toBe('added')

    // Typing, visitor → agent, through Rocket.Chat's method with the token last.
    await v.sdk.notifyVisitorActivity(rid, v.username, ['user-typing'])
    await ana.ddp.untilChanged('stream-notify-room', `${rid}/user-activity`, (events) => events.length >= 1)
    await v.sdk.notifyVisitorActivity(rid, v.username, [])
    expect(await ana.ddp.untilChanged('stream-notify-room', `${rid}/user-activity`, (events) => events.length >= 2))
      .toEqual([[v.username, ['user-typing']], [v.username, []]])

    // Typing, agent → visitor, with `{}` last.
    const typed = await ana.ddp.call('stream-notify-room', `${rid}/user-activity`, ana.username, ['user-typing'], {})
    expect(typed.error).toBeUndefined()
    await eventually(() => v.typing.length >= 1, 'the agent\'s typing at the visitor')
    expect(v.typing).toEqual([[ana.username, ['user-typing']]])

    const reply = await answer(ana, rid, 'Hi, how can I help?')
    expect(reply).toMatchObject({ rid, msg: 'Hi, how can I help?', u: { _id: ana.userId, username: ana.username } })
    const received = await eventually(() => v.messages.find((m) => m._id === reply._id), 'the answer on the visitor\'s stream')
    expect(received).toMatchObject({ rid, msg: 'Hi, how can I help?', ts: { $date: Date.parse(reply.ts) }, u: { _id: ana.userId, username: ana.username } })
    const more = await write(v, rid, 'My order is late')
    await ana.ddp.untilChanged('stream-room-messages', rid, (events) => events.some(([m]) => (m as StreamMessage)._id === more._id))
    // Nobody hears their own typing back.
    expect(v.typing.filter(([username]) => username === v.username)).toEqual([])
    expect(ana.ddp.changed('stream-notify-room', `${rid}/user-activity`).filter(([username]) => username === ana.username)).toEqual([])

    expect(await ok(`/api/v1/livechat/room.closeByUser`, post({ rid, comment: 'Solved, thanks' }, ana.headers))).toMatchObject({ success: true })
    const closed = await eventually(() => v.messages.find((m) => m.t === 'livechat-close'), 'livechat-close on the visitor\'s stream')
    expect(closed).toMatchObject({ rid, msg: 'Solved, thanks', u: { _id: ana.userId, username: ana.username } })

    const stored = await history(v, rid)
    expect(ids(chatOnly(stored))).toEqual([more._id, reply._id, hello._id])
    expect(stored[0].t).toBe('livechat-close')
    expect(ids(chatOnly(v.messages))).toEqual([hello._id, reply._id, more._id])
    expect(await ana.ddp.unsub(queueSub)).toEqual({ msg: 'nosub', id: queueSub })
  })
})

describe('fifty rooms at once', () => {
  const ROOMS = 50
  const EACH = 20

  it('delivers 20 messages each way in every room to both sides, exactly once and in order', { timeout: 300_000 }, async () => {
    const bo = await agent()
    await bo.ddp.subscribe(QUEUE, 'public', { useCollection: false, args: [] })
    const rooms = await Promise.all(Array.from({ length: ROOMS }, async (_, i) => {
      const v = await visitor(`Visitor ${i}`)
      return { v, rid: (await openRoom(v))._id }
    }))
    // One agent socket serves every room.
    await Promise.all(rooms.map(({ rid }) => take(bo, rid)))

    const sent = await Promise.all(rooms.map(async ({ v, rid }) => {
      const [fromVisitor, fromAgent] = await Promise.all([
        sequentially(EACH, (n) => write(v, rid, `visitor ${n}`)),
        sequentially(EACH, (n) => answer(bo, rid, `agent ${n}`)),
      ])
      return { fromVisitor: ids(fromVisitor), fromAgent: ids(fromAgent) }
    }))

    const timeout = 60_000
    for (const [i, { v, rid }] of rooms.entries()) {
      await eventually(() => chatOnly(v.messages).length >= 2 * EACH, `${2 * EACH} messages at visitor ${i}`, timeout)
      await bo.ddp.untilChanged('stream-room-messages', rid, (events) => chatOnly(events.map(([m]) => m as StreamMessage)).length >= 2 * EACH, timeout)
    }
    await new Promise((resolve) => setTimeout(resolve, 500)) // room for a late duplicate to show
    for (const [i, { v, rid }] of rooms.entries()) {
      const { fromVisitor, fromAgent } = sent[i]
      for (const seen of [chatOnly(v.messages), chatOnly(agentSaw(bo, rid))]) {
        expect(seen.every((m) => m.rid === rid)).toBe(true)
        expect(seen).toHaveLength(2 * EACH)
        expect(new Set(ids(seen))).toEqual(new Set([...fromVisitor, ...fromAgent]))
        // In order: times strictly increase, and each sender's messages come as it sent them.
        const times = seen.map((m) => m.ts.$date)
        expect(times).toEqual([...times].sort((a, b) => a - b))
        expect(new Set(times).size).toBe(times.length)
        expect(ids(seen).filter((id) => fromVisitor.includes(id))).toEqual(fromVisitor)
        expect(ids(seen).filter((id) => fromAgent.includes(id))).toEqual(fromAgent)
      }
    }
  })
})

/** Runs `step(0)`, then `step(1)`, …: one sender's messages, each after the previous was acknowledged. */
async function sequentially<T>(count: number, step: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  for (let n = 0; n < count; n++) results.push(await step(n))
  return results
}

describe('a visitor\'s socket drops mid-conversation', () => {
  it('reconnects, subscribes again, and with the history reloaded has every message once', async () => {
    const cy = await agent()
    await cy.ddp.subscribe(QUEUE, 'public', { useCollection: false, args: [] })
    // A slow reconnect leaves time to write while the visitor is away.
    const v = await visitor('Dropped Dora', 2_000)
    const rid = (await openRoom(v))._id
    const sent = [await write(v, rid, 'before the drop')]
    await take(cy, rid)
    sent.push(await answer(cy, rid, 'answered before the drop'))
    await eventually(() => v.messages.some((m) => m._id === sent[1]._id), 'the first answer')

    const subscriptions = [...v.sdk.client.subscriptions.keys()]
    const session = v.sdk.connection.session
    const reconnected = new Promise((resolve) => v.sdk.connection.once('connected', resolve))
    // Closed as the client closes it (no status code): the server must answer the closing
    // handshake at once, or the client waits for its own timeout (10 s in Node) to give up.
    ;(v.sdk.connection as unknown as { ws: WebSocket }).ws.close()
    await eventually(() => v.sdk.connection.status === 'disconnected', 'the client to notice the drop', 3_000)
    sent.push(await answer(cy, rid, 'answered while away'))
    sent.push(await write(v, rid, 'written over REST while away'))
    sent.push(await answer(cy, rid, 'answered while away, twice'))
    await reconnected
    expect(v.sdk.connection.session).not.toBe(session)
    await ready(v, subscriptions)
    sent.push(await answer(cy, rid, 'answered after the reconnect'))
    sent.push(await write(v, rid, 'written after the reconnect'))
    await eventually(() => v.messages.some((m) => m._id === sent.at(-1)!._id), 'live messages after the reconnect')

    // Nothing twice on the stream, and what it missed the history has.
    const live = chatOnly(v.messages)
    expect(new Set(ids(live)).size).toBe(live.length)
    expect(ids(live)).toEqual(expect.arrayContaining([sent[0], sent[1], sent[5], sent[6]].map((m) => m._id)))
    // The drop was real: what was written meanwhile never came live (streams do not replay).
    expect(ids(live)).not.toContain(sent[2]._id)
    const stored = chatOnly(await history(v, rid))
    expect(ids(stored)).toEqual(ids(sent).reverse())
    const merged = new Map([...live, ...stored].map((m) => [m._id, m]))
    expect([...merged.keys()].sort()).toEqual(ids(sent).sort())
    // The agent's socket stayed up: from its take on, it saw each message once.
    await cy.ddp.untilChanged('stream-room-messages', rid, (events) => events.some(([m]) => (m as StreamMessage)._id === sent.at(-1)!._id))
    expect(ids(chatOnly(agentSaw(cy, rid)))).toEqual(ids(sent.slice(1)))
  })
})

describe('a restart of wrangler dev, then erasure', () => {
  it('keeps every acknowledged message across the restart; erasing the visitor removes its rooms and messages', { timeout: 240_000 }, async () => {
    const mo = await agent('livechat-manager')
    await mo.ddp.subscribe(QUEUE, 'public', { useCollection: false, args: [] })
    const v = await visitor('Erin Erased')
    const first = (await openRoom(v))._id
    const resent = await write(v, first, 'first room, first message', `v-resend-${unique()}`)
    await take(mo, first)
    await answer(mo, first, 'first room, an answer')
    await write(v, first, 'first room, thanks')
    // The visitor closes the first room; a second one waits in the queue.
    expect(await v.sdk.closeChat({ rid: first })).toMatchObject({ rid: first, success: true })
    await mo.ddp.untilChanged('stream-room-messages', first, (events) => events.some(([m]) => (m as StreamMessage).t === 'livechat-close'))
    const second = (await openRoom(v))._id
    expect(second).not.toBe(first)
    await write(v, second, 'second room, hello again')

    const before = { first: await history(v, first), second: await history(v, second) }
    expect(chatOnly(before.first)).toHaveLength(3)
    expect(chatOnly(before.second)).toHaveLength(1)

    await closeAll()
    await dev.kill()
    await dev.restart()

    // The widget reloaded: the same token registers again, and finds its rooms and messages.
    const after = await visitor('Erin Erased', 300, v.token)
    expect(await history(after, first)).toEqual(before.first)
    expect(await history(after, second)).toEqual(before.second)
    // A resend of an acknowledged message across the restart stores nothing new.
    expect(await write(after, first, 'first room, first message', resent._id)).toEqual(resent)
    expect(await history(after, first)).toEqual(before.first)
    const synced = await ok<{ result: { updated: RestMessage[] } }>(`/api/v1/chat.syncMessages?roomId=${first}&lastUpdate=${new Date(0).toISOString()}`, { headers: mo.headers })
    expect(new Set(ids(synced.result.updated))).toEqual(new Set(ids(before.first)))
    const listed = await ok<{ rooms: { _id: string }[] }>('/api/v1/livechat/rooms?count=100', { headers: mo.headers })
    expect(ids(listed.rooms)).toEqual(expect.arrayContaining([first, second]))

    const ddp = await signInOverDdp(mo.headers['X-Auth-Token'])
    await ddp.subscribe(QUEUE, 'public', { useCollection: false, args: [] })
    expect(await ok(`/api/v1/livechat/visitor/${v.token}`, { method: 'DELETE' })).toMatchObject({ success: true })

    // The waiting inquiry leaves the queue.
    await ddp.until(() => queued(ddp, second).some((e) => e.type === 'removed'), 'the erased inquiry\'s removal')
    const waiting = await ok<{ inquiries: { rid: string }[] }>('/api/v1/livechat/inquiries.queuedForUser', { headers: mo.headers })
    expect(waiting.inquiries.map((i) => i.rid)).not.toContain(second)
    // Agents find neither room nor any of their messages.
    const rooms = await ok<{ rooms: { _id: string }[] }>('/api/v1/livechat/rooms?count=100', { headers: mo.headers })
    expect(ids(rooms.rooms)).not.toContain(first)
    expect(ids(rooms.rooms)).not.toContain(second)
    for (const rid of [first, second]) {
      const sync = await request(`/api/v1/chat.syncMessages?roomId=${rid}&lastUpdate=${new Date(0).toISOString()}`, { headers: mo.headers })
      const body = await sync.text()
      expect([200, 400, 403]).toContain(sync.status)
      if (sync.status === 200) expect(JSON.parse(body).result.updated).toEqual([])
      for (const message of [...before.first, ...before.second]) expect(body).not.toContain(message._id)
      // A new sub gets nosub, for the agent and for the erased token alike.
      expect(await ddp.sub('stream-room-messages', [rid, { useCollection: false, args: [] }])).toMatchObject({ msg: 'nosub', error: { error: expect.any(String) } })
      expect(await ddp.sub('stream-room-messages', [rid, { useCollection: false, args: [{ token: v.token, visitorToken: v.token }] }]))
        .toMatchObject({ msg: 'nosub' })
    }
    // The visitor's endpoints answer that token as any unknown one.
    for (const path of [`/api/v1/livechat/room?token=${v.token}`, `/api/v1/livechat/messages.history/${first}?token=${v.token}`]) {
      const response = await request(path)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ success: false, error: expect.stringContaining('invalid-token') })
    }
  })
})
