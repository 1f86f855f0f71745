// The console's own DDP client: the subset of Meteor's protocol the Worker speaks at /websocket
// (connect, ping/pong, sub/ready/nosub, method/result, `changed` stream events). It reconnects by
// itself with backoff, runs `handshake` (the agent's resume login) before anything else on each
// new socket, then subscribes again; `onReady` listeners reload what they may have missed.
// Deduplication is the caller's (by message `_id`): a reconnect may bring an event twice.

type Frame = { msg?: string; id?: string; [field: string]: any }
export type StreamHandler = (args: any[], eventName: string) => void

export interface DdpError {
  error: string | number
  reason?: string
}

interface Sub {
  id: string
  name: string
  params: unknown[]
  handler: StreamHandler
  onNosub?: (error?: DdpError) => void
}

/** Reconnect delays: 0.5 s doubling to 30 s, each with up to 50 % jitter so a restarted server
 * is not hit by every console at once. */
export const backoff = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2)
/** Silence after which the client pings, and how long it then waits before reconnecting. */
export const HEARTBEAT_MS = 25_000

export function createDdp(url: string, options: { handshake?: (ddp: Ddp) => Promise<unknown> }) {
  let ws: WebSocket | undefined
  // `connected`: DDP's handshake done (methods may go); `ready`: signed in too (subscriptions may go).
  let connected = false
  let ready = false
  let stopped = false
  let attempt = 0
  let lastId = 0
  let heartbeat: ReturnType<typeof setTimeout> | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  const subs = new Map<string, Sub>()
  const calls = new Map<string, { resolve: (value: any) => void; reject: (error: DdpError) => void }>()
  const readyListeners = new Set<() => void>()

  const send = (frame: Frame) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame))
  }
  const sendSub = (sub: Sub) => send({ msg: 'sub', id: sub.id, name: sub.name, params: sub.params })

  // Silence for HEARTBEAT_MS sends a ping; silence for as long again means the socket is dead.
  const alive = () => {
    clearTimeout(heartbeat)
    heartbeat = setTimeout(() => {
      send({ msg: 'ping' })
      heartbeat = setTimeout(() => ws?.close(), HEARTBEAT_MS)
    }, HEARTBEAT_MS)
  }

  function open() {
    if (stopped) return
    const socket = (ws = new WebSocket(url))
    socket.onopen = () => send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] })
    socket.onmessage = (event) => {
      alive()
      let frame: Frame
      try {
        frame = JSON.parse(String(event.data))
      } catch {
        return
      }
      receive(frame)
    }
    socket.onclose = () => {
      if (ws !== socket) return
      connected = ready = false
      clearTimeout(heartbeat)
      for (const call of calls.values()) call.reject({ error: 'disconnected' })
      calls.clear()
      if (!stopped) retry = setTimeout(open, backoff(attempt++))
    }
  }

  async function onConnected() {
    connected = true
    attempt = 0
    try {
      await options.handshake?.(ddp)
    } catch {
      return // The handshake's owner decides what a failed login means; the socket stays quiet.
    }
    ready = true
    for (const sub of subs.values()) sendSub(sub)
    for (const listener of readyListeners) listener()
  }

  function receive(frame: Frame) {
    switch (frame.msg) {
      case 'connected':
        void onConnected()
        break
      case 'ping':
        send({ msg: 'pong', ...(frame.id && { id: frame.id }) })
        break
      case 'result': {
        const call = calls.get(frame.id!)
        calls.delete(frame.id!)
        if (frame.error) call?.reject(frame.error)
        else call?.resolve(frame.result)
        break
      }
      case 'nosub': {
        const sub = subs.get(frame.id!)
        subs.delete(frame.id!)
        sub?.onNosub?.(frame.error)
        break
      }
      case 'changed':
        for (const sub of subs.values()) {
          if (sub.name === frame.collection && sub.params[0] === frame.fields?.eventName) sub.handler(frame.fields.args ?? [], frame.fields.eventName)
        }
        break
    }
  }

  const ddp = {
    get ready() {
      return ready
    },
    /** A method call; rejects with the Meteor error, or `{error: 'disconnected'}`. */
    call(method: string, ...params: unknown[]): Promise<any> {
      const id = String(++lastId)
      return new Promise((resolve, reject) => {
        if (!connected) return reject({ error: 'disconnected' })
        calls.set(id, { resolve, reject })
        send({ msg: 'method', id, method, params })
      })
    },
    /** A stream subscription, kept across reconnects until `stop()` or a `nosub`. */
    subscribe(name: string, eventName: string, handler: StreamHandler, onNosub?: (error?: DdpError) => void) {
      const sub: Sub = { id: String(++lastId), name, params: [eventName, { useCollection: false, args: [] }], handler, onNosub }
      subs.set(sub.id, sub)
      if (ready) sendSub(sub)
      return () => {
        if (subs.delete(sub.id)) send({ msg: 'unsub', id: sub.id })
      }
    },
    /** Called each time the socket is ready (signed in, subscriptions sent): after a reconnection,
     * what arrived meanwhile is to be loaded again. */
    onReady(listener: () => void) {
      readyListeners.add(listener)
      return () => void readyListeners.delete(listener)
    },
    close() {
      stopped = true
      clearTimeout(retry)
      clearTimeout(heartbeat)
      ws?.close(1000)
    },
  }
  type Ddp = typeof ddp
  open()
  return ddp
}

export type Ddp = ReturnType<typeof createDdp>

/** `/websocket` on the API's origin (the page's own when `origin` is ''), ws: or wss: to match. */
export const socketUrl = (origin: string) => new URL('/websocket', origin || location.href).href.replace(/^http/, 'ws')
