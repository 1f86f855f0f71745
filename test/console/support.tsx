// Shared set-up for the agent console's component tests: a small in-memory server behind a
// stubbed `fetch` and WebSocket, shaped as the Worker's API answers (the real Worker is exercised
// by the browser tests), and the console rendered as main.tsx renders it.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, expect, vi } from 'vitest'
import type { ConfigField, Visitor } from '../../console/src/api'
import { App } from '../../console/src/components/App'
// The live connection's chunk, loaded once up front: transforming it on first use can outlast a
// test, and the console's socket must open while that test's fake WebSocket is installed.
import '../../console/src/live'
// The contact view's chunk too, so that opening a contact takes no longer than the tests wait.
import '../../console/src/components/ContactView'
import { FakeDdp } from './fake-ddp'

export const API = 'https://chat.example'

// Outside a test's fake server (fakeServer stubs it), a socket never opens: nothing reaches the network.
globalThis.WebSocket = class {
  readyState = 0
  send() {}
  close() {}
} as unknown as typeof WebSocket

afterEach(() => {
  cleanup()
  sessionStorage.clear()
  localStorage.clear()
  history.replaceState(null, '', '/agent/')
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

export const FIELDS: ConfigField[] = [
  { _id: 'address', label: 'Address', type: 'input', required: false, regexp: '', options: '' },
  { _id: 'plan', label: 'Plan', type: 'select', required: false, regexp: '', options: 'Free,Pro' },
  { _id: 'code', label: 'Customer code', type: 'input', required: false, regexp: '^[A-Z]{3}$', options: '' },
]

export interface Agent {
  username: string
  password: string
  roles: string[]
  name?: string
}

export const AGENTS: Agent[] = [
  { username: 'maria', password: 'manager-pass', roles: ['livechat-manager'], name: 'Maria Manager' },
  { username: 'alex', password: 'agent-pass', roles: ['livechat-agent'] },
  { username: 'root', password: 'admin-pass', roles: ['admin'] },
]

/** `n` visitors, the newest (highest number) first in time order: visitor n was created last. */
export function makeVisitors(n: number, extra: (i: number) => Partial<Visitor> = () => ({})): Visitor[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
    return {
      _id: `id${i}`,
      username: `guest-${i}`,
      token: `token${i}`,
      status: 'online' as const,
      ts,
      _updatedAt: ts,
      name: `Visitor ${i}`,
      visitorEmails: [{ address: `visitor${i}@example.com` }],
      ...extra(i),
    }
  })
}

export interface Sent {
  method: string
  path: string
  params: URLSearchParams
  headers: Record<string, string>
  body?: any
}

type Answer = Response | 'network-error' | 'hang'
export type Handler = (req: Sent) => Answer | Promise<Answer>

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

const UNAUTHORIZED = () => json({ success: false, error: 'You must be logged in to do this.' }, 401)

/**
 * Stubs global fetch with a server holding `visitors` and `agents`. `overrides` maps
 * "METHOD /path" to a handler that answers instead (return undefined to fall through).
 */
export function fakeServer(options: { visitors?: Visitor[]; agents?: Agent[]; fields?: ConfigField[] } = {}) {
  // Copies: a test's fixtures stay as written whatever the server does to its own.
  const visitors = structuredClone(options.visitors ?? makeVisitors(3))
  const agents = options.agents ?? AGENTS
  const fields = options.fields ?? FIELDS
  const tokens = new Map<string, Agent>()
  const sent: Sent[] = []
  const overrides: Record<string, (req: Sent) => Answer | undefined | Promise<Answer | undefined>> = {}

  const authed = (req: Sent) => {
    const agent = tokens.get(req.headers['x-auth-token'] ?? '')
    return agent && req.headers['x-user-id'] === `u-${agent.username}` ? agent : undefined
  }
  const matches = (v: Visitor, term: string) =>
    [v.name, v.username, ...(v.visitorEmails ?? []).map((e) => e.address), ...(v.phone ?? []).map((p) => p.phoneNumber)].some((s) =>
      s?.toLowerCase().includes(term.toLowerCase()),
    )

  const routes: Record<string, Handler> = {
    'POST /api/v1/login': (req) => {
      const agent = agents.find((a) => a.username === (req.body.user ?? req.body.username) && a.password === req.body.password)
      if (!agent) return json({ status: 'error', error: 'Unauthorized', message: 'Unauthorized' }, 401)
      const authToken = `tok-${agent.username}-${tokens.size}`
      tokens.set(authToken, agent)
      return json({
        status: 'success',
        data: { userId: `u-${agent.username}`, authToken, me: { _id: `u-${agent.username}`, username: agent.username, name: agent.name, roles: agent.roles } },
      })
    },
    'POST /api/v1/logout': (req) => {
      if (!authed(req)) return UNAUTHORIZED()
      tokens.delete(req.headers['x-auth-token'])
      return json({ status: 'success', data: { message: "You've been logged out!" } })
    },
    'GET /api/v1/me': (req) => {
      const agent = authed(req)
      if (!agent) return UNAUTHORIZED()
      return json({ _id: `u-${agent.username}`, username: agent.username, name: agent.name, roles: agent.roles, success: true })
    },
    'GET /api/v1/livechat/config': () =>
      json({ config: { customFields: fields, departments: [{ _id: 'support', name: 'Support' }, { _id: 'sales', name: 'Sales' }] }, success: true }),
    'GET /api/v1/livechat/visitors.search': (req) => {
      if (!authed(req)) return UNAUTHORIZED()
      const term = req.params.get('term') ?? ''
      const count = Math.min(Number(req.params.get('count') ?? 25), 100)
      const offset = Number(req.params.get('offset') ?? 0)
      const found = visitors.filter((v) => matches(v, term)).sort((a, b) => b.ts.localeCompare(a.ts))
      const page = found.slice(offset, offset + count)
      return json({ visitors: page, count: page.length, offset, total: found.length, success: true })
    },
    'GET /api/v1/livechat/visitors.info': (req) => {
      if (!authed(req)) return UNAUTHORIZED()
      const visitor = visitors.find((v) => v._id === req.params.get('visitorId'))
      if (!visitor) return json({ success: false, error: 'visitor-not-found', errorType: 'visitor-not-found' }, 400)
      return json({ visitor, success: true })
    },
    // As the Worker's contacts.update: by id only, a key left out stays, "" or [] removes.
    'POST /api/v1/omnichannel/contacts.update': (req) => {
      if (!authed(req)) return UNAUTHORIZED()
      const { contactId, name, emails, phones, customFields = {} } = req.body
      const visitor = visitors.find((v) => v._id === contactId)
      if (!visitor) {
        return json({ success: false, error: 'Contact not found [error-contact-not-found]', errorType: 'error-contact-not-found' }, 400)
      }
      const livechatData = { ...visitor.livechatData }
      for (const field of fields) {
        const value = customFields[field._id]
        if (value === undefined) continue
        if (value && field.regexp && !new RegExp(field.regexp).test(value)) return json({ success: false, error: `Invalid value for ${field.label} field` }, 400)
        if (value) livechatData[field._id] = value
        else delete livechatData[field._id]
      }
      Object.assign(visitor, { livechatData, _updatedAt: new Date().toISOString() })
      if (name !== undefined) visitor.name = name
      if (emails?.length) visitor.visitorEmails = emails.map((address: string) => ({ address }))
      else if (emails) delete visitor.visitorEmails
      if (phones?.length) visitor.phone = phones.map((phoneNumber: string) => ({ phoneNumber }))
      else if (phones) delete visitor.phone
      return json({ contact: visitor, success: true })
    },
    'POST /api/v1/omnichannel/contacts.delete': (req) => {
      const agent = authed(req)
      if (!agent) return UNAUTHORIZED()
      if (!agent.roles.some((r) => r === 'admin' || r === 'livechat-manager')) {
        return json({ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' }, 403)
      }
      const index = visitors.findIndex((v) => v._id === req.body.contactId)
      if (index < 0) return json({ success: false, error: 'Contact not found' }, 400)
      visitors.splice(index, 1)
      return json({ success: true })
    },
  }

  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v
    const req: Sent = {
      method: init.method ?? 'GET',
      path: url.pathname,
      params: url.searchParams,
      headers,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    }
    sent.push(req)
    const key = `${req.method} ${req.path}`
    let answer: Answer | undefined = await overrides[key]?.(req)
    if (!answer) {
      if (!routes[key]) throw new Error(`unexpected request ${key}`)
      answer = await routes[key](req)
    }
    if (answer === 'network-error') throw new TypeError('Failed to fetch')
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError'))))
    }
    return answer
  })
  vi.stubGlobal('fetch', fetch)
  // The console's live connection: a signed-in console opens it at once.
  const ddp = new FakeDdp((token) => tokens.has(token))

  return {
    visitors,
    sent,
    ddp,
    tokens,
    /** Answer `route` with `handler` (undefined falls through to the handler set before, else the server). */
    on(route: string, handler: (req: Sent) => Answer | undefined | Promise<Answer | undefined>) {
      const before = overrides[route]
      overrides[route] = async (req) => (await handler(req)) ?? before?.(req)
    },
    requests: (route: string) => sent.filter((s) => `${s.method} ${s.path}` === route),
    /** A token valid for `username`, as after a sign-in. */
    session(username = 'maria') {
      const agent = agents.find((a) => a.username === username)!
      const authToken = `tok-${username}-stored-${tokens.size}`
      tokens.set(authToken, agent)
      return { userId: `u-${username}`, authToken, me: { _id: `u-${username}`, username, name: agent.name, roles: agent.roles } }
    },
  }
}

export type FakeServer = ReturnType<typeof fakeServer>

export const SESSION_KEY = 'ecc-console:session'

export function mountConsole() {
  return render(<App origin={API} />)
}

/** Renders the console already signed in as `username` (a session kept in sessionStorage). */
export async function mountSignedIn(server: FakeServer, username = 'maria') {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(server.session(username)))
  const view = mountConsole()
  await screen.findByRole('heading', { name: 'Contacts' })
  return view
}

/** Signs in through the form. */
export async function signIn(username = 'maria', password = AGENTS.find((a) => a.username === username)?.password ?? '') {
  fireEvent.input(screen.getByLabelText('Username'), { target: { value: username } })
  fireEvent.input(screen.getByLabelText('Password'), { target: { value: password } })
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

/** Names of the contacts listed, in order. */
export const listed = () => screen.queryAllByRole('link').filter((a) => a.dataset.id).map((a) => a.textContent)

export async function openContact(name: string) {
  // happy-dom follows the link's hash href as a browser does, and fires hashchange.
  fireEvent.click(await screen.findByRole('link', { name }))
  await screen.findByRole('heading', { level: 1, name })
}

export async function settled() {
  await waitFor(() => expect(screen.queryByText(/Loading/)).toBeNull())
}
