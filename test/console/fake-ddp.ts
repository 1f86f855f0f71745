// A fake WebSocket speaking the Worker's DDP subset (connect, login with a resume token, sub/unsub,
// methods, `changed` events), installed as the global WebSocket by fakeServer (support.tsx).
import { vi } from 'vitest'

type Frame = { msg?: string; id?: string; [k: string]: any }

class FakeSocket {
  static OPEN = 1
  readyState = 0
  onopen?: () => void
  onmessage?: (event: { data: string }) => void
  onclose?: () => void
  readonly url: string
  private readonly hub: FakeDdp
  constructor(url: string, hub: FakeDdp) {
    this.url = url
    this.hub = hub
    hub.sockets.push(this)
    setTimeout(() => {
      this.readyState = 1
      this.onopen?.()
    })
  }
  send(text: string) {
    this.hub.receive(this, JSON.parse(text))
  }
  deliver(frame: Frame) {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(frame) })
  }
  close() {
    if (this.readyState === 3) return
    this.readyState = 3
    setTimeout(() => this.onclose?.())
  }
}

export class FakeDdp {
  sockets: FakeSocket[] = []
  /** Every frame the console sent. */
  frames: Frame[] = []
  private subs: { socket: FakeSocket; id: string; name: string; eventName: string }[] = []
  private readonly validToken: (token: string) => boolean

  constructor(validToken: (token: string) => boolean) {
    this.validToken = validToken
    const hub = this
    vi.stubGlobal('WebSocket', class extends FakeSocket {
      constructor(url: string) {
        super(url, hub)
      }
    })
  }

  receive(socket: FakeSocket, frame: Frame) {
    this.frames.push(frame)
    if (frame.msg === 'connect') socket.deliver({ msg: 'connected', session: 's' })
    if (frame.msg === 'ping') socket.deliver({ msg: 'pong' })
    if (frame.msg === 'sub') {
      this.subs.push({ socket, id: frame.id!, name: frame.name, eventName: frame.params[0] })
      socket.deliver({ msg: 'ready', subs: [frame.id] })
    }
    if (frame.msg === 'unsub') {
      this.subs = this.subs.filter((s) => s.id !== frame.id)
      socket.deliver({ msg: 'nosub', id: frame.id })
    }
    if (frame.msg === 'method') {
      if (frame.method === 'login' && !this.validToken(frame.params[0].resume)) {
        socket.deliver({ msg: 'result', id: frame.id, error: { error: 403, reason: "You've been logged out by the server. Please log in again." } })
      } else socket.deliver({ msg: 'result', id: frame.id, result: frame.method === 'login' ? { id: 'u', token: frame.params[0].resume, type: 'resume' } : undefined })
    }
  }

  /** A stream event to every socket subscribed to (collection, eventName), once per socket
   * however many subscriptions it has there, as the Worker's gateway sends it. */
  emit(collection: string, eventName: string, args: unknown[]) {
    const sockets = new Set(this.subs.filter((s) => s.name === collection && s.eventName === eventName).map((s) => s.socket))
    for (const socket of sockets) socket.deliver({ msg: 'changed', collection, id: 'id', fields: { eventName, args } })
  }

  subscribed = (collection: string, eventName: string) => this.subs.some((s) => s.name === collection && s.eventName === eventName && s.socket.readyState === 1)

  methods = (method: string) => this.frames.filter((f) => f.msg === 'method' && f.method === method).map((f) => f.params)

  /** Drops every open socket, as a restart of the server does. */
  drop() {
    for (const s of this.sockets) s.close()
    this.subs = []
  }
}
