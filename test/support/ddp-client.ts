// A small DDP client over a plain WebSocket, as an agent's app speaks Rocket.Chat's real-time
// protocol: tests use it where Rocket.Chat's LivechatClientImpl has no API (an agent's `login`,
// the queue stream) and where they must see the exact frames. It keeps every frame it received,
// so a failing wait can say what did arrive.

/** One decoded DDP frame (plain JSON: dates stay `{"$date": ms}`). */
export type Frame = { msg?: string; id?: string; [field: string]: unknown }

/** The `fields` of a stream event: `{"msg":"changed","collection":…,"fields":{eventName, args}}`. */
export interface StreamEvent {
  eventName: string
  args: unknown[]
}

const DEFAULT_TIMEOUT = 10_000

export class DdpClient {
  readonly frames: Frame[] = []
  session = ''
  private readonly events = new Map<string, unknown[][]>()
  private readonly waiters = new Set<() => void>()
  private lastId = 0
  private readonly closed: Promise<void>
  private readonly ws: WebSocket

  private constructor(ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise((resolve) => ws.addEventListener('close', () => resolve(), { once: true }))
    ws.addEventListener('message', ({ data }) => this.receive(JSON.parse(String(data)) as Frame))
    // A socket closed under a waiter cannot satisfy it any more: let the waiters fail fast.
    void this.closed.then(() => this.wake())
  }

  /** Opens `<http url>/websocket` and completes DDP's `connect` → `connected` handshake. */
  static async connect(httpUrl: string, timeoutMs = DEFAULT_TIMEOUT): Promise<DdpClient> {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/websocket`)
    const client = new DdpClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true })
      ws.addEventListener('error', () => reject(new Error(`cannot open ${ws.url}`)), { once: true })
    })
    const answer = await client.next((f) => f.msg === 'connected' || f.msg === 'failed', 'connected', timeoutMs,
      () => client.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] }))
    if (answer.msg !== 'connected') throw new Error(`connect answered ${JSON.stringify(answer)}`)
    client.session = String(answer.session)
    return client
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN
  }

  send(frame: Frame) {
    this.ws.send(JSON.stringify(frame))
  }

  /** A method call; resolves with its `result` frame, whether it holds `result` or `error`. */
  call(method: string, ...params: unknown[]): Promise<Frame> {
    const id = this.newId()
    return this.next((f) => f.msg === 'result' && f.id === id, `result of ${method} #${id}`, DEFAULT_TIMEOUT,
      () => this.send({ msg: 'method', method, params, id }))
  }

  /** Rocket.Chat's resume login with a REST session token; throws on an error result. */
  async login(authToken: string): Promise<{ id: string; token: string; tokenExpires: unknown; type: string }> {
    const answer = await this.call('login', { resume: authToken })
    if (answer.error || !answer.result) throw new Error(`login answered ${JSON.stringify(answer)}`)
    return answer.result as { id: string; token: string; tokenExpires: unknown; type: string }
  }

  /** A `sub`; resolves with its answer: `{"msg":"ready"}` or `{"msg":"nosub","error"}`. */
  sub(name: string, params: unknown[]): Promise<Frame & { id: string }> {
    const id = this.newId()
    return this.next(
      (f) => (f.msg === 'ready' && (f.subs as string[]).includes(id)) || (f.msg === 'nosub' && f.id === id),
      `ready or nosub for ${name} ${JSON.stringify(params[0])} #${id}`, DEFAULT_TIMEOUT,
      () => this.send({ msg: 'sub', id, name, params }),
    ).then((f) => ({ ...f, id }))
  }

  /** A `sub` that must succeed; returns its id. */
  async subscribe(name: string, ...params: unknown[]): Promise<string> {
    const answer = await this.sub(name, params)
    if (answer.msg !== 'ready') throw new Error(`sub ${name} ${JSON.stringify(params)} answered ${JSON.stringify(answer)}`)
    return answer.id
  }

  unsub(id: string): Promise<Frame> {
    return this.next((f) => f.msg === 'nosub' && f.id === id, `nosub for unsub #${id}`, DEFAULT_TIMEOUT,
      () => this.send({ msg: 'unsub', id }))
  }

  /** The `args` of every `changed` event received so far for (collection, eventName), in order. */
  changed(collection: string, eventName: string): unknown[][] {
    return this.events.get(key(collection, eventName)) ?? []
  }

  /** Waits until the events of (collection, eventName) satisfy `done`; resolves with them. */
  untilChanged(collection: string, eventName: string, done: (events: unknown[][]) => boolean, timeoutMs = DEFAULT_TIMEOUT) {
    return this.until(() => {
      const events = this.changed(collection, eventName)
      return done(events) ? events : undefined
    }, `events of ${collection} ${eventName}`, timeoutMs)
  }

  /** The first frame from now on that matches; `start` runs once the wait is in place. */
  next(match: (frame: Frame) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT, start?: () => void): Promise<Frame> {
    const from = this.frames.length
    const found = this.until(() => this.frames.slice(from).find(match), what, timeoutMs)
    start?.()
    return found
  }

  /** Resolves with `test()`'s first truthy value, checked now and after every frame. */
  until<T>(test: () => T | undefined | false, what: string, timeoutMs = DEFAULT_TIMEOUT): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = test()
        if (value) return done(() => resolve(value))
        if (!this.isOpen) done(() => reject(this.failure(what, 'the socket closed')))
      }
      const timer = setTimeout(() => done(() => reject(this.failure(what, `nothing within ${timeoutMs} ms`))), timeoutMs)
      const done = (settle: () => void) => {
        clearTimeout(timer)
        this.waiters.delete(check)
        settle()
      }
      this.waiters.add(check)
      check()
    })
  }

  /** Closes the socket (1000, normal closure) and resolves once it is closed. */
  close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000)
    return this.closed
  }

  private receive(frame: Frame) {
    this.frames.push(frame)
    if (frame.msg === 'ping') this.send({ msg: 'pong', ...(frame.id ? { id: frame.id } : {}) })
    if (frame.msg === 'changed') {
      const fields = frame.fields as StreamEvent
      const k = key(String(frame.collection), fields.eventName)
      if (!this.events.has(k)) this.events.set(k, [])
      this.events.get(k)!.push(fields.args)
    }
    this.wake()
  }

  private wake() {
    for (const check of [...this.waiters]) check()
  }

  private newId() {
    return String(++this.lastId)
  }

  private failure(what: string, why: string) {
    return new Error(`DDP: waited for ${what}: ${why}; last frames: ${JSON.stringify(this.frames.slice(-5))}`)
  }
}

const key = (collection: string, eventName: string) => `${collection}\n${eventName}`
