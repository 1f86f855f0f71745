// Router assembly: routes, CORS per route group, and one place where errors become responses.
// Apart from the entry point (index.ts), so tests can walk its routes.
import { Router, type IRequest } from 'itty-router'
import { setting } from './config.ts'
import { enforceOrigin, preflight, withCors, type CorsPolicy } from './http/cors.ts'
import { failure, notFound, ok } from './http/responses.ts'
import { getLivechatConfig } from './visitors/widget-config.ts'
import { deleteContact, getContact, postContact, searchContact, searchVisitors, updateContact, visitorInfo } from './contacts/routes.ts'
import { deleteVisitor, getVisitor, postVisitor } from './visitors/routes.ts'
import { login, logout, me } from './agents/routes.ts'
import { acknowledge, closeRoom, getAgentInfo, getRoom, messagesHistory, postMessage, postOfflineMessage } from './chat/visitor-routes.ts'
import { closeByUser, getInquiry, listRooms, queuedForUser, sendMessage, setAgentStatus, syncMessages, takeInquiry } from './chat/agent-routes.ts'
import { pageVisited } from './chat/page-visited.ts'
import { upgradeWebSocket } from './ddp/upgrade.ts'
// Only `version` is bundled: esbuild keeps just the JSON keys imported.
import { version } from '../../package.json'

// Sign-in: the agents' policy, like omnichannel/*.
const AGENT_SIGN_IN = new Set(['/api/v1/login', '/api/v1/logout', '/api/v1/me'])

// Agents' endpoints that Rocket.Chat keeps under livechat/, and its chat.* endpoints.
const AGENT_LIVECHAT = /^\/api\/v1\/(livechat\/(visitors\.|inquiries\.|agent\.status$|rooms$|room\.closeByUser$)|chat\.)/

// Each group's policy but its origins, which come from its (per-env cached) setting.
const AGENTS = { setting: 'AGENT_ALLOWED_ORIGINS', methods: 'GET, POST', headers: 'Content-Type, X-User-Id, X-Auth-Token' } as const
const WIDGET = { setting: 'ALLOWED_ORIGINS', methods: 'GET, POST, DELETE', headers: 'Content-Type, X-Turnstile-Token' } as const

/** The widget's endpoints are for browsers on site owners' pages; the agents' are not, unless configured. */
function corsPolicy(url: URL, env: Env): CorsPolicy | undefined {
  // The router takes any number of trailing slashes after a route: so must the policy.
  const pathname = url.pathname.replace(/\/+$/, '')
  if (AGENT_SIGN_IN.has(pathname) || pathname.startsWith('/api/v1/omnichannel/') || AGENT_LIVECHAT.test(pathname)) return { ...AGENTS, origins: setting(env, AGENTS.setting) }
  if (pathname.startsWith('/api/v1/livechat/')) return { ...WIDGET, origins: setting(env, WIDGET.setting) }
}

// The policy `before` found for each request and the URL it parsed, for `finally` to reuse: parsing
// a broken origin list again there logged every such request twice. No entry: none applies, or the
// list is broken.
const found = new WeakMap<Request, { policy: CorsPolicy; url: URL }>()

export const router = Router<IRequest, [Env, ExecutionContext]>({
  before: [
    (request, env) => {
      const url = new URL(request.url)
      // A broken origin list throws here, and the group's endpoints answer 500 invalid-config.
      const policy = corsPolicy(url, env)
      if (!policy) return
      found.set(request, { policy, url })
      if (request.method === 'OPTIONS') return preflight(policy, request, url)
      enforceOrigin(policy, request, url)
    },
  ],
  catch: failure,
  finally: [
    (response: Response, request) => {
      if (request.method === 'OPTIONS') return response // answered in full by `before`
      // No policy when the origin list is broken: this is its 500, with no CORS to add.
      const seen = found.get(request)
      return seen ? withCors(seen.policy, request, response, seen.url) : response
    },
    (response: Response) => {
      // A WebSocket handshake (101) passes untouched: its headers belong to the upgrade.
      if (response.status === 101) return response
      // API answers are per visitor or agent: never for a shared cache, never to be sniffed as HTML.
      response.headers.set('cache-control', 'no-store')
      response.headers.set('x-content-type-options', 'nosniff')
      return response
    },
  ],
})

router
  .get('/api/info', () => ok({ version }))
  .get('/api/v1/livechat/config', getLivechatConfig)
  .post('/api/v1/livechat/visitor', postVisitor)
  .get('/api/v1/livechat/visitor/:token', getVisitor)
  .delete('/api/v1/livechat/visitor/:token', deleteVisitor)
  .get('/api/v1/omnichannel/contact', getContact)
  .post('/api/v1/omnichannel/contact', postContact)
  .get('/api/v1/omnichannel/contact.search', searchContact)
  .post('/api/v1/omnichannel/contacts.update', updateContact)
  .post('/api/v1/omnichannel/contacts.delete', deleteContact)
  .get('/api/v1/livechat/visitors.search', searchVisitors)
  .get('/api/v1/livechat/visitors.info', visitorInfo)
  .post('/api/v1/login', login)
  .post('/api/v1/logout', logout)
  .get('/api/v1/logout', logout)
  .get('/api/v1/me', me)
  .get('/api/v1/livechat/room', getRoom)
  .post('/api/v1/livechat/message', postMessage)
  .get('/api/v1/livechat/messages.history/:rid', messagesHistory)
  .post('/api/v1/livechat/room.close', closeRoom)
  .get('/api/v1/livechat/agent.info/:rid/:token', getAgentInfo)
  .post('/api/v1/livechat/offline.message', postOfflineMessage)
  .post('/api/v1/livechat/visitor.status', acknowledge)
  .post('/api/v1/livechat/page.visited', pageVisited)
  .post('/api/v1/livechat/agent.status', setAgentStatus)
  .get('/api/v1/livechat/inquiries.queuedForUser', queuedForUser)
  .get('/api/v1/livechat/inquiries.getOne', getInquiry)
  .post('/api/v1/livechat/inquiries.take', takeInquiry)
  .get('/api/v1/livechat/rooms', listRooms)
  .post('/api/v1/livechat/room.closeByUser', closeByUser)
  .post('/api/v1/chat.sendMessage', sendMessage)
  .get('/api/v1/chat.syncMessages', syncMessages)
  .get('/websocket', upgradeWebSocket)
  .all('*', notFound)
