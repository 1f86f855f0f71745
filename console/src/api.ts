// The console's calls to the Worker's Rocket.Chat-shaped REST API. No retries: an agent sees
// the error and a "Try again" button. A 401 on an authenticated call ends the session (the app
// returns to sign-in); every other failure comes back as a message fit to show.
import type { Visitor } from '../../shared/visitor'
import type { CustomField } from '../../shared/visitor-rules'
import type { AgentRoom, AgentStatus, Inquiry, Message } from '../../shared/chat'

export type { Visitor }
export type ConfigField = Pick<CustomField, '_id' | 'label' | 'type' | 'required' | 'regexp' | 'options'>

export interface Department {
  _id: string
  name: string
}

export interface Me {
  _id: string
  username: string
  name?: string
  roles: string[]
}

export interface Session {
  userId: string
  authToken: string
  me: Me
}

export interface VisitorPage {
  visitors: Visitor[]
  count: number
  offset: number
  total: number
}

/** What POST /api/v1/omnichannel/contacts.update takes: the contact's id and only the fields to
 * change (a key left out stays as it is; `[]` or `""` removes). */
export interface ContactUpdate {
  contactId: string
  name?: string
  emails?: string[]
  phones?: string[]
  customFields?: Record<string, string>
}

export type Result<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; error: string; errorType?: string; retryAfterS?: number }

/** The largest page visitors.search returns. */
export const MAX_PAGE = 100

interface CallOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  /** Send the session's X-User-Id / X-Auth-Token (default true). */
  auth?: boolean
  /** A 401 ends the session (default: when `auth`). */
  endsSession?: boolean
  signal?: AbortSignal
}

// "Reason [error-code]": the code is for programs, the reason for people.
const reason = (text: string) => text.replace(/\s*\[[\w-]+\]$/, '')

function message(status: number, json: { error?: unknown; message?: unknown }): string {
  if (status === 403) return "You don't have permission to do that."
  if (status === 429) return 'Too many requests. Wait a moment and try again.'
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again.`
  const text = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : ''
  return reason(text) || `The request failed (HTTP ${status}).`
}

export const UNREACHABLE = "Can't reach the server. Check your connection and try again."

export function createApi(options: { origin?: string; session: () => Session | null; onUnauthorized: () => void }) {
  const origin = options.origin ?? ''

  async function call<T>(path: string, { method = 'GET', body, auth = true, endsSession = auth, signal }: CallOptions = {}): Promise<Result<T>> {
    const headers: Record<string, string> = {}
    const session = options.session()
    if (auth && session) Object.assign(headers, { 'X-User-Id': session.userId, 'X-Auth-Token': session.authToken })
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(origin + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
    } catch {
      return { ok: false, status: 0, error: UNREACHABLE }
    }
    const json = await response.json().catch(() => ({}))
    const failed = json?.success === false || json?.status === 'error'
    if (response.ok && !failed) return { ok: true, data: json as T }
    if (response.status === 401 && endsSession) options.onUnauthorized()
    const retryAfter = Number(response.headers.get('retry-after'))
    return {
      ok: false,
      status: response.status,
      error: message(response.status, json ?? {}),
      errorType: typeof json?.errorType === 'string' ? json.errorType : undefined,
      retryAfterS: retryAfter > 0 ? retryAfter : undefined,
    }
  }

  const query = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))

  return {
    /** Where the API lives ('' for the page's own origin): the DDP socket goes there too. */
    origin,
    login: (user: string, password: string) =>
      call<{ data: Session }>('/api/v1/login', { method: 'POST', body: { user, password }, auth: false }),
    /** Revokes the session's token; a 401 here (already expired) does not need reporting, and
     * signing out waits 5 s at most. */
    logout: () => call<unknown>('/api/v1/logout', { method: 'POST', endsSession: false, signal: AbortSignal.timeout(5_000) }),
    me: () => call<Me>('/api/v1/me'),
    search: (term: string, count: number, offset: number, signal?: AbortSignal) =>
      call<VisitorPage>(`/api/v1/livechat/visitors.search?${query({ term, count, offset })}`, { signal }),
    info: (visitorId: string, signal?: AbortSignal) =>
      call<{ visitor: Visitor }>(`/api/v1/livechat/visitors.info?${query({ visitorId })}`, { signal }),
    /** An update by id, never an upsert: an erased contact stays erased (error-contact-not-found). */
    update: (body: ContactUpdate) => call<{ contact: Visitor }>('/api/v1/omnichannel/contacts.update', { method: 'POST', body }),
    erase: (contactId: string) => call<unknown>('/api/v1/omnichannel/contacts.delete', { method: 'POST', body: { contactId } }),
    // Live chat (the inbox).
    setStatus: (status: AgentStatus) => call<{ status: AgentStatus }>('/api/v1/livechat/agent.status', { method: 'POST', body: { status } }),
    queue: () => call<{ inquiries: Inquiry[] }>('/api/v1/livechat/inquiries.queuedForUser'),
    take: (inquiryId: string) => call<{ inquiry: Inquiry }>('/api/v1/livechat/inquiries.take', { method: 'POST', body: { inquiryId } }),
    openRooms: (userId: string) => call<{ rooms: AgentRoom[] }>(`/api/v1/livechat/rooms?${query({ open: 'true', 'agents[]': userId })}`),
    /** Closed rooms, newest first; view-livechat-rooms lists everyone's (offline messages among them). */
    closedRooms: () => call<{ rooms: AgentRoom[] }>(`/api/v1/livechat/rooms?${query({ open: 'false', count: 100 })}`),
    /** Every message of the room (up to the server's 1,000), oldest first. */
    history: (roomId: string) =>
      call<{ result: { updated: Message[] } }>(`/api/v1/chat.syncMessages?${query({ roomId, lastUpdate: new Date(0).toISOString() })}`),
    /** Idempotent by `_id`: the same `_id` sent again returns the stored message. */
    send: (rid: string, msg: string, _id: string) => call<{ message: Message }>('/api/v1/chat.sendMessage', { method: 'POST', body: { message: { rid, msg, _id } } }),
    close: (rid: string, comment: string) => call<unknown>('/api/v1/livechat/room.closeByUser', { method: 'POST', body: { rid, comment } }),
    config: (signal?: AbortSignal) =>
      call<{ config: { customFields?: ConfigField[]; departments?: Department[] } }>('/api/v1/livechat/config', { auth: false, signal }),
  }
}

export type Api = ReturnType<typeof createApi>
