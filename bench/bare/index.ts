// The floor `npm run bench` compares the real Worker against: per endpoint, exactly the KV, Durable
// Object and queue work of the design (docs/storage.md) and nothing else.
//
//   POST /api/v1/livechat/visitor           1 RPC; inside it 1 SQL upsert of the token's row (and, for a
//                                           new visitor, 1 event row in the same step), then in
//                                           parallel 1 KV put and (new visitor) 1 queue send, whose
//                                           event row is deleted once the queue took it
//   GET  /api/v1/livechat/visitor/:token    1 RPC; inside it 1 SQL select
//   GET  /api/v1/omnichannel/contact        3 KV gets (the agent and a session, in parallel; then the contact), no RPC
//   GET  /api/v1/livechat/config            the widget's settings (parsed once per isolate), 1 RPC: is an agent online
//   POST /api/v1/livechat/message           1 RPC to the room's object: token check, 1 SQL insert
//   GET  /api/v1/livechat/messages.history  1 RPC to the room's object: token check, 1 SQL select
//   GET  /api/v1/livechat/room              (seeding only) 1 RPC to find the visitor, 1 to make the room
//
// Why the event: a new contact must reach the consoles and the owner even if the object dies right
// after answering, so the cheapest correct notification is durable: recorded in the same SQL step
// as the visitor, sent, forgotten once sent. Its consumer only acknowledges: delivery is not part
// of the request, and this flatters the bare Worker if anything.
//
// No validation, origin check, rate limiter or routing library: whatever the real Worker spends
// beyond this is the cost of what it checks. It does send the headers a correct answer carries: the
// widget's answers must be readable cross-origin (CORS, as ALLOWED_ORIGINS = "*" sends it), and
// per-visitor data must never be cached or sniffed (no-store, nosniff).
import { DurableObject } from 'cloudflare:workers'

interface Env {
  CONTACTS: KVNamespace
  REGISTRY: DurableObjectNamespace<BareRegistry>
  CHAT_ROOM: DurableObjectNamespace<BareRoom>
  OMNICHANNEL: DurableObjectNamespace<BareOmnichannel>
  LIVECHAT_EVENTS: Queue
  // The widget's settings, the same [vars] as ours (bench/servers.ts passes them).
  LIVECHAT_THEME: string
  LIVECHAT_REGISTRATION_FORM: string
  LIVECHAT_DEPARTMENTS: string
  LIVECHAT_CUSTOM_FIELDS: string
}

type Record_ = Record<string, unknown> & { _id: string; token: string }

const ANSWER_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }
const WIDGET_HEADERS = { ...ANSWER_HEADERS, 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Retry-After' }
const AGENT_HEADERS = { ...ANSWER_HEADERS, vary: 'Origin' }
const json = (body: unknown, status = 200, headers: Record<string, string> = WIDGET_HEADERS) =>
  new Response(JSON.stringify(body), { status, headers })

export class BareRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS visitors (token TEXT PRIMARY KEY, id TEXT NOT NULL, record TEXT NOT NULL)')
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, body TEXT NOT NULL)')
  }

  /** One SQL upsert of the token's row (and a new visitor's event row), then the KV put and the
   * event's send in parallel. */
  async register(visitor: Record<string, unknown> & { token: string }): Promise<Record_> {
    const fresh = { ...visitor, _id: crypto.randomUUID(), ts: new Date().toISOString() }
    const sql = this.ctx.storage.sql
    // On a known token the row keeps its id; RETURNING gives the stored row either way.
    const { id } = sql.exec<{ id: string }>(
      `INSERT INTO visitors (token, id, record) VALUES (?1, ?2, ?3)
       ON CONFLICT(token) DO UPDATE SET record = json_set(?3, '$._id', visitors.id) RETURNING id`,
      visitor.token, fresh._id, JSON.stringify(fresh)).one()
    const record = { ...fresh, _id: id }
    const event = id === fresh._id ? { eventId: crypto.randomUUID(), type: 'LivechatNewContact', visitorId: id } : null
    if (event) sql.exec('INSERT INTO events VALUES (?, ?)', event.eventId, JSON.stringify(event))
    await Promise.all([
      this.env.CONTACTS.put(`visitor:${id}`, JSON.stringify(record)),
      event && this.env.LIVECHAT_EVENTS.send(event).then(() => sql.exec('DELETE FROM events WHERE id = ?', event.eventId)),
    ])
    return record
  }

  /** One SQL select. */
  find(token: string): Record_ | null {
    const row = this.ctx.storage.sql.exec<{ record: string }>('SELECT record FROM visitors WHERE token = ?', token).toArray()[0]
    return row ? JSON.parse(row.record) : null
  }
}

type Message = { _id: string; rid: string; msg: string; ts: string; u: { _id: string } }

/** One room: the visitor it belongs to (kept in memory, as ours keeps its record) and its messages. */
export class BareRoom extends DurableObject<Env> {
  private visitor: { _id: string; token: string } | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS room (id INTEGER PRIMARY KEY, visitor TEXT NOT NULL)')
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, ts INTEGER NOT NULL, message TEXT NOT NULL)')
    // Pages by time: without it each page sorts the whole room.
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS messages_ts ON messages (ts)')
    const row = ctx.storage.sql.exec<{ visitor: string }>('SELECT visitor FROM room').toArray()[0]
    if (row) this.visitor = JSON.parse(row.visitor)
  }

  init(visitor: { _id: string; token: string }): void {
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO room VALUES (1, ?)', JSON.stringify(visitor))
    this.visitor = visitor
  }

  /** The token check, then one SQL insert. */
  post(token: string, msg: string): Message | null {
    if (this.visitor?.token !== token) return null
    const message = { _id: crypto.randomUUID(), rid: this.ctx.id.name ?? '', msg, ts: new Date().toISOString(), u: { _id: this.visitor._id } }
    this.ctx.storage.sql.exec('INSERT INTO messages VALUES (?, ?, ?)', message._id, Date.now(), JSON.stringify(message))
    return message
  }

  /** The token check, then one SQL select of the newest `limit`. */
  history(token: string, limit: number): Message[] | null {
    if (this.visitor?.token !== token) return null
    return this.ctx.storage.sql.exec<{ message: string }>('SELECT message FROM messages ORDER BY ts DESC LIMIT ?', limit)
      .toArray().map((r) => JSON.parse(r.message))
  }
}

/** Agents' statuses: whether anyone is available. */
export class BareOmnichannel extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, status TEXT NOT NULL)')
  }

  online(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM agents WHERE status = 'available' LIMIT 1").toArray().length > 0
  }
}

/** The widget's settings, parsed once per isolate (they change only with a deploy). */
let widgetSettings: object | undefined
function settingsOf(env: Env) {
  if (widgetSettings) return widgetSettings
  const { title, ...theme } = JSON.parse(env.LIVECHAT_THEME)
  const fields = JSON.parse(env.LIVECHAT_CUSTOM_FIELDS) as Record<string, unknown>[]
  widgetSettings = {
    title, theme,
    registrationForm: JSON.parse(env.LIVECHAT_REGISTRATION_FORM),
    customFields: fields.filter((f) => f.scope === 'visitor').map(({ _id, label, type, required, regexp, options }) => ({ _id, label, type, required, regexp, options })),
    departments: JSON.parse(env.LIVECHAT_DEPARTMENTS),
    settings: { visitorsCanCloseChat: true },
  }
  return widgetSettings
}

const VISITOR = '/api/v1/livechat/visitor'
const HISTORY = '/api/v1/livechat/messages.history/'
const registry = (env: Env) => env.REGISTRY.getByName('global')

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    const query = url.searchParams
    if (url.pathname === VISITOR && request.method === 'POST') {
      const { visitor } = await request.json<{ visitor: { token: string } }>()
      return json({ visitor: await registry(env).register(visitor), success: true })
    }
    if (url.pathname.startsWith(`${VISITOR}/`) && request.method === 'GET') {
      const visitor = await registry(env).find(url.pathname.slice(VISITOR.length + 1))
      return visitor ? json({ visitor, success: true }) : json({ success: false }, 400)
    }
    if (url.pathname === '/api/v1/omnichannel/contact') {
      // The agent and the session its token would name, in parallel (as ours reads them), then the contact.
      const [agent] = await Promise.all([
        env.CONTACTS.get(`agent:${request.headers.get('x-user-id')}`, 'json'),
        env.CONTACTS.get(`session:${request.headers.get('x-auth-token')}`, 'json'),
      ])
      if (!agent) return json({ success: false }, 401, AGENT_HEADERS)
      const contact = await env.CONTACTS.get(`visitor:${query.get('contactId')}`, 'json')
      return json({ contact, success: true }, 200, AGENT_HEADERS)
    }
    if (url.pathname === '/api/v1/livechat/config')
      return json({ config: { ...settingsOf(env), online: await env.OMNICHANNEL.getByName('global').online() }, success: true })
    if (url.pathname === '/api/v1/livechat/message' && request.method === 'POST') {
      const { token, rid, msg } = await request.json<{ token: string; rid: string; msg: string }>()
      const message = await env.CHAT_ROOM.getByName(rid).post(token, msg)
      return message ? json({ message, success: true }) : json({ success: false }, 400)
    }
    if (url.pathname.startsWith(HISTORY)) {
      const messages = await env.CHAT_ROOM.getByName(url.pathname.slice(HISTORY.length)).history(query.get('token') ?? '', Number(query.get('limit') || 20))
      return messages ? json({ messages, success: true }) : json({ success: false }, 400)
    }
    if (url.pathname === '/api/v1/livechat/room') {
      const visitor = (await registry(env).find(query.get('token') ?? '')) as Record_ | null
      if (!visitor) return json({ success: false }, 400)
      const rid = crypto.randomUUID()
      await env.CHAT_ROOM.getByName(rid).init({ _id: visitor._id, token: visitor.token })
      return json({ room: { _id: rid }, newRoom: true, success: true })
    }
    return json({ version: 'bare' })
  },

  // Delivery is not what the bench measures: acknowledged as it comes.
  async queue() {},
} satisfies ExportedHandler<Env>
