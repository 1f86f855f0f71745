// The chat chunk's own DDP client: the subset the Worker speaks (connect, ping/pong, sub with
// ready/nosub, method/result, changed). It reconnects by itself with jittered backoff and
// subscribes again; `onConnected` runs after each (re)connection so the caller can reload what
// it may have missed while disconnected.
type Frame = { msg?: string; id?: string; [field: string]: any }

/** Ceiling of the random wait before a reconnection (full jitter: up to 1 s, 2 s, 4 s … this). */
const MAX_BACKOFF_MS = 15_000
/** A ping this often; a socket silent for two of them is taken as dead (proxies drop idle ones). */
const PING_MS = 25_000

export interface DdpHandlers {
  onChanged: (collection: string, eventName: string, args: unknown[]) => void
  onConnected: () => void
  onDisconnected: () => void
}

export function connectDdp(url: string, handlers: DdpHandlers) {
  const subs = new Map<string, unknown[]>()
  const calls = new Map<string, (frame: Frame) => void>()
  let socket: WebSocket | undefined
  let connected = false
  let closed = false
  let attempt = 0
  let ids = 0
  let heard = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  const send = (frame: Frame) => connected && socket!.send(JSON.stringify(frame))

  const open = () => {
    clearTimeout(retryTimer)
    // The one being replaced (still connecting when the browser came back online) is dropped quietly.
    const old = socket
    const ws = (socket = new WebSocket(url))
    old?.close()
    ws.onopen = () => ws.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'] }))
    ws.onmessage = ({ data }) => {
      heard = Date.now()
      let frame: Frame
      try {
        frame = JSON.parse(data)
      } catch {
        return
      }
      if (frame.msg === 'connected') {
        connected = true
        attempt = 0
        for (const [id, params] of subs) send({ msg: 'sub', id, name: params[0], params: params.slice(1) })
        handlers.onConnected()
      } else if (frame.msg === 'ping') send({ msg: 'pong', id: frame.id })
      else if (frame.msg === 'changed') handlers.onChanged(frame.collection, frame.fields?.eventName, frame.fields?.args ?? [])
      else if (frame.msg === 'result') calls.get(frame.id!)?.(frame)
      else if (frame.msg === 'nosub') subs.delete(frame.id!)
    }
    ws.onclose = () => {
      if (socket !== ws) return
      const was = connected
      connected = false
      for (const [, reply] of calls) reply({ error: { error: 'disconnected' } })
      if (was) handlers.onDisconnected()
      if (!closed) retryTimer = setTimeout(open, Math.random() * Math.min(1000 * 2 ** attempt++, MAX_BACKOFF_MS))
    }
  }

  const pinger = setInterval(() => {
    if (connected && Date.now() - heard > 2 * PING_MS) socket!.close()
    else send({ msg: 'ping' })
  }, PING_MS)
  // Back online: no need to wait out the backoff.
  const online = () => !connected && open()
  addEventListener('online', online)
  open()

  return {
    /** Subscribes now and after every reconnection, until unsub or a nosub; returns the id. */
    sub(name: string, ...params: unknown[]) {
      const id = `s${++ids}`
      subs.set(id, [name, ...params])
      send({ msg: 'sub', id, name, params })
      return id
    },
    unsub(id: string) {
      if (subs.delete(id)) send({ msg: 'unsub', id })
    },
    /** A method call; resolves with its result frame (`error` set when it failed or the socket dropped). */
    call(method: string, ...params: unknown[]): Promise<Frame> {
      const id = `m${++ids}`
      if (!connected) return Promise.resolve({ error: { error: 'disconnected' } })
      return new Promise((resolve) => {
        calls.set(id, (frame) => (calls.delete(id), resolve(frame)))
        send({ msg: 'method', id, method, params })
      })
    },
    close() {
      closed = true
      // Closed on purpose: no disconnection to report, no reconnection.
      connected = false
      clearInterval(pinger)
      clearTimeout(retryTimer)
      removeEventListener('online', online)
      socket?.close()
    },
  }
}

export type Ddp = ReturnType<typeof connectDdp>
