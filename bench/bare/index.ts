// The floor `npm run bench` compares the real Worker against: per endpoint, exactly the KV and
// Durable Object work of the design (README, "How data is stored") and nothing else.
//
//   POST /api/v1/livechat/visitor        1 RPC; inside it 1 SQL upsert of the token's row, 1 KV put
//   GET  /api/v1/livechat/visitor/:token 1 RPC; inside it 1 SQL select
//   GET  /api/v1/omnichannel/contact     3 KV gets (the agent and a session, in parallel; then the contact), no RPC
//
// No validation, settings, CORS, rate limiter or routing library: whatever the real Worker spends
// beyond this is the cost of what it checks.
import { DurableObject } from 'cloudflare:workers'

interface Env {
  CONTACTS: KVNamespace
  REGISTRY: DurableObjectNamespace<BareRegistry>
}

type Record_ = Record<string, unknown> & { _id: string; token: string }

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

export class BareRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS visitors (token TEXT PRIMARY KEY, id TEXT NOT NULL, record TEXT NOT NULL)')
  }

  /** One SQL upsert of the token's row, then one KV put of its copy. */
  async register(visitor: Record<string, unknown> & { token: string }): Promise<Record_> {
    const fresh = { ...visitor, _id: crypto.randomUUID(), ts: new Date().toISOString() }
    // On a known token the row keeps its id; RETURNING gives the stored row either way.
    const { id } = this.ctx.storage.sql.exec<{ id: string }>(
      `INSERT INTO visitors (token, id, record) VALUES (?1, ?2, ?3)
       ON CONFLICT(token) DO UPDATE SET record = json_set(?3, '$._id', visitors.id) RETURNING id`,
      visitor.token, fresh._id, JSON.stringify(fresh)).one()
    const record = { ...fresh, _id: id }
    await this.env.CONTACTS.put(`visitor:${id}`, JSON.stringify(record))
    return record
  }

  /** One SQL select. */
  find(token: string): Record_ | null {
    const row = this.ctx.storage.sql.exec<{ record: string }>('SELECT record FROM visitors WHERE token = ?', token).toArray()[0]
    return row ? JSON.parse(row.record) : null
  }
}

const VISITOR = '/api/v1/livechat/visitor'

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === VISITOR && request.method === 'POST') {
      const { visitor } = await request.json<{ visitor: { token: string } }>()
      return json({ visitor: await env.REGISTRY.getByName('global').register(visitor), success: true })
    }
    if (url.pathname.startsWith(`${VISITOR}/`) && request.method === 'GET') {
      const visitor = await env.REGISTRY.getByName('global').find(url.pathname.slice(VISITOR.length + 1))
      return visitor ? json({ visitor, success: true }) : json({ success: false }, 400)
    }
    if (url.pathname === '/api/v1/omnichannel/contact') {
      // The agent and the session its token would name, in parallel (as ours reads them), then the contact.
      const [agent] = await Promise.all([
        env.CONTACTS.get(`agent:${request.headers.get('x-user-id')}`, 'json'),
        env.CONTACTS.get(`session:${request.headers.get('x-auth-token')}`, 'json'),
      ])
      if (!agent) return json({ success: false }, 401)
      const contact = await env.CONTACTS.get(`visitor:${url.searchParams.get('contactId')}`, 'json')
      return json({ contact, success: true })
    }
    return json({ version: 'bare' })
  },
} satisfies ExportedHandler<Env>
