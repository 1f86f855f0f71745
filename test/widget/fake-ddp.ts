// A scripted DDP server behind a stubbed WebSocket, for the chat chunk's component tests (the
// real gateway is exercised in Chromium by test/e2e/widget-chat-browser.test.ts). It answers
// connect, sub and method like the Worker, records every frame, and can push stream events.
import { vi } from 'vitest'

type Frame = Record<string, any>

export class FakeSocket {
  static all: FakeSocket[] = []
  sent: Frame[] = []
  onopen?: () => void
  onmessage?: (e: { data: string }) => void
  onclose?: () => void
  closed = false
  url: string
  constructor(url: string) {
    this.url = url
    FakeSocket.all.push(this)
    queueMicrotask(() => this.onopen?.())
  }
  send(data: string) {
    const frame = JSON.parse(data)
    this.sent.push(frame)
    if (frame.msg === 'connect') this.push({ msg: 'connected', session: 'S1' })
    if (frame.msg === 'sub') this.push({ msg: 'ready', subs: [frame.id] })
    if (frame.msg === 'method') this.push({ msg: 'result', id: frame.id })
  }
  push(frame: Frame) {
    if (!this.closed) queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(frame) }))
  }
  /** A stream event, as the Worker frames it. */
  event(collection: string, eventName: string, ...args: unknown[]) {
    this.push({ msg: 'changed', collection, id: 'id', fields: { eventName, args } })
  }
  /** The server side drops the socket (a deploy, a network change). */
  drop() {
    this.closed = true
    this.onclose?.()
  }
  close() {
    if (!this.closed) this.drop()
  }
  subs = () => this.sent.filter((f) => f.msg === 'sub').map((f) => [f.name, f.params[0]])
  methods = () => this.sent.filter((f) => f.msg === 'method')
}

export function stubWebSocket() {
  FakeSocket.all = []
  vi.stubGlobal('WebSocket', FakeSocket)
  return { last: () => FakeSocket.all.at(-1)! }
}
