// A DDP client over a real workerd WebSocket to the Worker's GET /websocket, for the ddp-* tests.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { networkOf } from '../../worker/src/http/client-network.ts'
import { shardFor } from '../../worker/src/ddp/shards.ts'
import type { DdpGateway } from '../../worker/src/ddp/gateway.ts'
import { call, clientIp } from './support.ts'

export type Frame = Record<string, any>

export interface Ddp {
  ws: WebSocket
  ip: string
  /** From `connected` (set by `connect`). */
  session: string
  send(frame: unknown): void
  /** The next frame not yet read (waits up to 2 s). */
  next(): Promise<Frame>
  /** Waits for the frame matching `match`, skipping (and keeping) others. */
  until(match: (frame: Frame) => boolean): Promise<Frame>
  /** Frames that arrive within `ms` (none expected, usually). */
  quiet(ms?: number): Promise<Frame[]>
  closed: Promise<{ code: number; reason: string }>
}

/** Opens a socket through the Worker (Upgrade: websocket) from `ip`; fails unless it is a 101. */
export async function openSocket(options: { ip?: string; headers?: Record<string, string>; overrides?: Partial<Env> } = {}): Promise<Ddp> {
  const ip = options.ip ?? clientIp()
  const response = await call('/websocket', { headers: { Upgrade: 'websocket', 'cf-connecting-ip': ip, ...options.headers } }, options.overrides)
  if (response.status !== 101) throw new Error(`upgrade answered ${response.status}: ${await response.text()}`)
  const ws = response.webSocket!
  ws.accept()
  const inbox: Frame[] = []
  let wake: () => void = () => {}
  ws.addEventListener('message', (event) => {
    inbox.push(JSON.parse(event.data as string))
    wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (event) => { resolve({ code: event.code, reason: event.reason }); wake() }))
  const arrival = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    wake = () => { clearTimeout(timer); resolve() }
  })
  const ddp: Ddp = {
    ws, ip, session: '', closed,
    send: (frame) => ws.send(typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame)),
    next: () => ddp.until(() => true),
    async until(match) {
      const deadline = Date.now() + 2000
      for (;;) {
        const i = inbox.findIndex(match)
        if (i >= 0) return inbox.splice(i, 1)[0]
        if (Date.now() > deadline) throw new Error(`no matching frame; inbox: ${JSON.stringify(inbox)}`)
        await arrival(deadline - Date.now())
      }
    },
    async quiet(ms = 150) {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return inbox.splice(0)
    },
  }
  return ddp
}

/** Opens a socket and sends `connect` as Rocket.Chat's client does; reads `connected`. */
export async function connect(options: Parameters<typeof openSocket>[0] = {}): Promise<Ddp> {
  const ddp = await openSocket(options)
  ddp.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] })
  const frame = await ddp.next()
  expect(frame).toEqual({ msg: 'connected', session: expect.any(String) })
  ddp.session = frame.session
  return ddp
}

/** Sends a `sub` and returns its answer (`ready` or `nosub`). */
export async function sub(ddp: Ddp, id: string, name: string, params: unknown[]): Promise<Frame> {
  ddp.send({ msg: 'sub', id, name, params })
  return ddp.until((f) => (f.msg === 'ready' && f.subs?.includes(id)) || (f.msg === 'nosub' && f.id === id))
}

/** Calls a method and returns its `result` frame. */
export async function method(ddp: Ddp, id: string, name: string, params: unknown[]): Promise<Frame> {
  ddp.send({ msg: 'method', id, method: name, params })
  return ddp.until((f) => f.msg === 'result' && f.id === id)
}

/** The gateway shard that holds the sockets of `ip`. */
export const shardOf = (ip: string) => env.DDP_GATEWAY.getByName(shardFor(networkOf(ip))) as DurableObjectStub<DdpGateway>

/** Holds the room's object (calls to it wait) until the returned `release` is called: a `sub` of
 * the room then stays in flight, for as long as a test needs to race something against it. */
export async function holdRoom(rid: string): Promise<() => Promise<void>> {
  let held = false
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const done = runInDurableObject(env.CHAT_ROOM.getByName(rid), (_, state: DurableObjectState) =>
    state.blockConcurrencyWhile(async () => {
      held = true
      await gate
    }))
  // Polled, not awaited from the object: what the test does next must stay in the test's own context.
  while (!held) await new Promise((resolve) => setTimeout(resolve, 5))
  return async () => {
    release()
    await done
  }
}

/** The visitor's `sub` parameters as LivechatClientImpl sends them. */
export const visitorParams = (eventName: string, token: string) => [eventName, { useCollection: false, args: [{ token, visitorToken: token }] }]

/** An agent's `sub` parameters (no token: the socket's sign-in decides). */
export const agentParams = (eventName: string) => [eventName, { useCollection: false, args: [] }]

export const NOT_ALLOWED = { error: 'not-allowed', reason: 'not-allowed', message: 'not-allowed [not-allowed]', errorType: 'Meteor.Error' }

export const LOGGED_OUT_ERROR = {
  error: 403,
  reason: "You've been logged out by the server. Please log in again.",
  message: "You've been logged out by the server. Please log in again. [403]",
  errorType: 'Meteor.Error',
}
