// Elimination variants (node bench/eliminate.ts): the bare Worker's front (no router, settings,
// CORS or validation) in front of our real VisitorRegistry: what this costs beyond the bare Worker
// is the cost of our registry. DirectPutRegistry is the same registry with the KV outbox
// (kv-replica.ts) replaced by a plain KV put: the difference between the two is the outbox's cost.
import { VisitorRegistry } from '../../worker/src/visitors/visitor-registry.ts'

export { VisitorRegistry }

export class DirectPutRegistry extends VisitorRegistry {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const wanted = new Map<string, string | null>()
    // No SQL for the outbox: remember the value, put it, nothing to confirm or retry.
    this.replica.want = (key: string, value: string | null) => { wanted.set(key, value) }
    this.replica.flush = async (keys: string[]) => {
      await Promise.all(keys.map((key) => {
        const value = wanted.get(key)
        wanted.delete(key)
        return value === null || value === undefined ? env.CONTACTS.delete(key) : env.CONTACTS.put(key, value)
      }))
    }
  }
}

const VISITOR = '/api/v1/livechat/visitor'
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === VISITOR && request.method === 'POST') {
      const { visitor } = await request.json<{ visitor: { token: string; name?: string; email?: string } }>()
      const input = { token: visitor.token, name: visitor.name, email: visitor.email, customFields: [] }
      return json({ visitor: await env.VISITOR_REGISTRY.getByName('global').register(input, 'verified', url.origin, true), success: true })
    }
    if (url.pathname.startsWith(`${VISITOR}/`) && request.method === 'GET') {
      const visitor = await env.VISITOR_REGISTRY.getByName('global').find(url.pathname.slice(VISITOR.length + 1))
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
    return json({ version: 'variant' })
  },
} satisfies ExportedHandler<Env>

/**
 * Our registry with the outbox's confirmation (deleting the sent entry, a second SQL write after
 * the KV put) run after the answer has gone instead of before it: the difference to
 * VisitorRegistry is what waiting for that second write costs. Not a proposal (a crash in between
 * would resend the value once more, which is harmless); a measurement.
 */
export class DeferredConfirmRegistry extends VisitorRegistry {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const sql = ctx.storage.sql
    this.replica.flush = async (keys: string[]) => {
      await Promise.all(keys.map(async (key) => {
        const [row] = sql.exec<{ value: string | null; version: number }>(
          'SELECT value, version FROM replication WHERE key = ?', key).toArray()
        if (!row) return
        if (row.value === null) await env.CONTACTS.delete(key)
        else await env.CONTACTS.put(key, row.value)
        setTimeout(() => sql.exec('DELETE FROM replication WHERE key = ? AND version = ?', key, row.version), 0)
      }))
    }
  }
}

/** Our registry without the outbox's alarm check after each send (SELECT MIN(due), then maybe
 * getAlarm/setAlarm): what that check costs a registration. A measurement, not a proposal. */
export class NoAlarmCheckRegistry extends VisitorRegistry {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    Object.assign(this.replica, { scheduleRetry: async () => {} })
  }
}
