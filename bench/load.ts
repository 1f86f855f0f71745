// The requests `npm run bench` sends: the same paths on both Workers (ours and the bare one), with
// what each server was seeded with (an agent, one known visitor).
import { createHash, randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import type { Server } from './servers.ts'

export interface Seed {
  agent: { userId: string; authToken: string }
  /** The visitor POSTed once at seeding: its `_id` (contactId) and token. */
  visitor: { _id: string; token: string }
  /** The visitor's room (GET livechat/room at seeding). */
  rid: string
}

export interface Agent {
  userId: string
  authToken: string
  record: object
  metadata: object
}

/** Work per request: KV operations, Durable Object calls (any object), queue messages sent. */
export interface Work { kvReads: number; kvWrites: number; kvDeletes: number; rpc: number; queue: number }

export interface Endpoint {
  name: string
  /** The design's work per request (docs/storage.md). */
  design: Work
  /** Needs the seeded visitor's room (a chat endpoint). */
  needsRoom?: true
  request(seed: Seed): autocannon.Request
}

const json = { 'content-type': 'application/json' }
export const newToken = () => randomBytes(18).toString('base64url')
const visitorBody = (token: string) => JSON.stringify({ visitor: { token, name: 'Bench Visitor', email: 'bench@example.com' } })
const none = { kvReads: 0, kvWrites: 0, kvDeletes: 0, rpc: 0, queue: 0 }

export const ENDPOINTS: Endpoint[] = [
  {
    name: 'GET contact',
    // The agent and the session the token's hash would name (in parallel), then the contact.
    design: { ...none, kvReads: 3 },
    request: ({ agent, visitor }) => ({
      method: 'GET',
      path: `/api/v1/omnichannel/contact?contactId=${visitor._id}`,
      headers: { 'x-user-id': agent.userId, 'x-auth-token': agent.authToken },
    }),
  },
  {
    name: 'POST known token',
    design: { ...none, kvWrites: 1, rpc: 1 },
    request: ({ visitor }) => ({ method: 'POST', path: '/api/v1/livechat/visitor', headers: json, body: visitorBody(visitor.token) }),
  },
  {
    name: 'POST new token',
    // A new contact is also one event on the queue (the consoles' live list, the owner's email).
    design: { ...none, kvWrites: 1, rpc: 1, queue: 1 },
    request: () => ({
      method: 'POST',
      path: '/api/v1/livechat/visitor',
      headers: json,
      // A fresh token on every request: each one registers a new visitor.
      setupRequest: (req) => ({ ...req, body: visitorBody(newToken()) }),
    }),
  },
  {
    name: 'GET visitor',
    design: { ...none, rpc: 1 },
    request: ({ visitor }) => ({ method: 'GET', path: `/api/v1/livechat/visitor/${visitor.token}` }),
  },
  {
    name: 'GET config',
    // The settings (no storage), and one call: is an agent available.
    design: { ...none, rpc: 1 },
    request: () => ({ method: 'GET', path: '/api/v1/livechat/config' }),
  },
  {
    name: 'POST message',
    // One call to the room's object, which checks the token and stores the message.
    design: { ...none, rpc: 1 },
    needsRoom: true,
    request: ({ visitor, rid }) => ({
      method: 'POST', path: '/api/v1/livechat/message', headers: json, body: JSON.stringify({ token: visitor.token, rid, msg: 'Hello from the bench' }),
    }),
  },
  {
    name: 'GET history',
    design: { ...none, rpc: 1 },
    needsRoom: true,
    request: ({ visitor, rid }) => ({ method: 'GET', path: `/api/v1/livechat/messages.history/${rid}?token=${visitor.token}` }),
  },
]

/** The agent, as `npm run agent -- create` stores it. */
export function makeAgent(): Agent {
  const userId = `bench${randomBytes(6).toString('hex')}`
  const authToken = randomBytes(32).toString('base64url')
  const record = {
    userId, username: 'bench-agent', roles: ['livechat-agent'],
    tokenHash: createHash('sha256').update(authToken).digest('hex'), createdAt: new Date().toISOString(),
  }
  const { tokenHash: _secret, userId: _key, ...metadata } = record
  return { userId, authToken, record, metadata }
}

/** Sends one request as autocannon would (for seeding and counting). */
export async function send(server: Server, request: autocannon.Request): Promise<Response> {
  const init = request.setupRequest ? request.setupRequest({ ...request }, {}) as autocannon.Request : request
  return fetch(`${server.url}${init.path}`, { method: init.method, headers: init.headers as HeadersInit, body: init.body as string | undefined })
}

/** Seeds an agent (stored as `npm run agent -- create` stores one), one known visitor and its room
 * (with one message: the visitor's first words, which go to the queue's inquiry, are then behind). */
export async function seed(server: Server, agent: Agent, endpoints = ENDPOINTS): Promise<Seed> {
  await server.putKv(`agent:${agent.userId}`, JSON.stringify(agent.record), agent.metadata)
  const response = await fetch(`${server.url}/api/v1/livechat/visitor`, { method: 'POST', headers: json, body: visitorBody(newToken()) })
  if (!response.ok) throw new Error(`${server.name}: seeding a visitor answered ${response.status}: ${await response.text()}`)
  const { visitor } = (await response.json()) as { visitor: { _id: string; token: string } }
  const seeded = { agent: { userId: agent.userId, authToken: agent.authToken }, visitor: { _id: visitor._id, token: visitor.token }, rid: '' }
  if (endpoints.some((e) => e.needsRoom)) {
    const opened = await fetch(`${server.url}/api/v1/livechat/room?token=${visitor.token}`)
    if (!opened.ok) throw new Error(`${server.name}: opening a room answered ${opened.status}: ${await opened.text()}`)
    seeded.rid = ((await opened.json()) as { room: { _id: string } }).room._id
  }
  // Every endpoint must answer 200 before it is measured: a fast 4xx would flatter it.
  for (const endpoint of endpoints) {
    const r = await send(server, endpoint.request(seeded))
    if (r.status !== 200) throw new Error(`${server.name}: ${endpoint.name} answered ${r.status}: ${await r.text()}`)
    await r.arrayBuffer()
  }
  return seeded
}

export interface Sample {
  rps: number
  p50: number
  p99: number
  /** Responses other than 2xx, errors and timeouts: a sample with any is not trusted. */
  non2xx: number
  errors: number
  /** Count per status code. */
  statuses: Record<string, number>
}

export interface LoadOptions {
  connections: number
  /** Seconds; or `amount` requests instead. */
  duration?: number
  amount?: number
}

export async function load(server: Server, request: autocannon.Request, options: LoadOptions): Promise<Sample> {
  return combine([await loadSlice(server, request, options)], server.url)
}

/** One autocannon run: its result unaggregated (the latency histogram kept encoded, for
 * `combine`), and its steady-state part (see loadSlice). */
export interface Slice {
  raw: autocannon.RawResult
  /** 2xx responses after the first `connections` responses, up to the last response. */
  ok: number
  /** Seconds from the `connections`-th response to the last one. */
  seconds: number
}

/**
 * One run, as a slice of a server's share of a round. Its rate is taken from its steady state:
 * the 2xx responses after the first `connections` ones (by then each connection has had about one
 * answer), over the time from that response to the last. Counting from the run's start instead
 * would charge each run the ramp-up (about one latency: nothing is answered before) and the
 * requests left in flight at the end: a share of a short run that grows with the latency, so it
 * would tell against the slower server. autocannon stops only at its next sample tick (1 s by
 * default): every 50 ms here, so a run of a fraction of a second lasts about as long as asked.
 */
export function loadSlice(server: Server, request: autocannon.Request, { connections, duration, amount }: LoadOptions): Promise<Slice> {
  let seen = 0
  let ok = 0
  let from = 0
  let to = 0
  const run = autocannon({
    url: server.url,
    connections,
    ...(amount ? { amount } : { duration }),
    sampleInt: 50,
    skipAggregateResult: true,
    requests: [request],
  })
  run.on('response', (_client, status) => {
    const now = performance.now()
    seen++
    if (seen === connections) from = now
    if (seen <= connections) return
    to = now
    if (status >= 200 && status < 300) ok++
  })
  return run.then((raw) => ({ raw: raw as autocannon.RawResult, ok, seconds: seen > connections ? (to - from) / 1000 : 0 }))
}

/** Several runs of one server as one sample: their steady-state 2xx responses over the time
 * those took in all; latency percentiles of all their responses together (autocannon merges the
 * histograms). */
export function combine(slices: Slice[], url: string): Sample {
  const result = autocannon.aggregateResult(slices.map((s) => s.raw), { url })
  const ok = slices.reduce((n, s) => n + s.ok, 0)
  const seconds = slices.reduce((t, s) => t + s.seconds, 0)
  return {
    // 2xx responses only (a fast error must not flatter a server).
    rps: seconds > 0 ? ok / seconds : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  }
}

export interface Aggregate {
  /** Mean requests/s over the rounds. */
  rps: number
  /** Medians over the rounds, in ms. */
  p50: number
  p99: number
  rounds: Sample[]
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
export const aggregate = (rounds: Sample[]): Aggregate => ({
  rps: mean(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)), rounds,
})
