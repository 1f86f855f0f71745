// One visitor's chat: the room, its messages, the agent, typing both ways, and the queue of
// messages the visitor wrote. Lives as long as the page (the panel may close: the socket stays,
// so a closed panel still counts unread messages); the view only renders its state.
import type { AgentInfo, Message, Room } from '../../../shared/chat'
import { postJson, type ApiClient } from '../api-client'
import type { OfflineMessage } from '../host-api'
import { newToken } from '../visitor-memory'
import { sourcePage } from '../visitor-payload'
import type { Widget } from '../widget'
import { connectDdp, type Ddp } from './ddp'
import { fromWire, merge, type Shown } from './messages'

export interface ChatState {
  /** The current room (kept, closed, after the chat ended, until a new one starts). */
  room?: Room
  messages: Shown[]
  agent?: AgentInfo
  /** Who is typing on the other side. */
  typing?: string
  ended: boolean
  /** False while the socket is down after having been up. */
  connected: boolean
  draft: string
  /** No agent online and no room: the offline form, then its confirmation. */
  offline?: 'form' | 'sent'
}

/** What survives a reload, under the visitor memory's chat key. */
interface Stored {
  draft?: string
  pending?: { _id: string; msg: string }[]
}

/** Idle time after which the visitor's typing indicator is withdrawn. */
const TYPING_IDLE_MS = 5_000
/** Messages loaded from history: the last ones of the room. */
const HISTORY = 100

/** A client-chosen message id: 17 characters of Rocket.Chat's id alphabet, like its own ids. */
const newId = () => {
  const chars = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz'
  return Array.from(crypto.getRandomValues(new Uint8Array(17)), (b) => chars[b % chars.length]).join('')
}

export function createChatSession(widget: Widget, api: ApiClient, origin: string) {
  const { memory } = widget
  const token = memory.token(newToken)!
  const stored = memory.chat<Stored>() ?? {}
  const { config } = widget.state
  const listeners = new Set<(state: ChatState) => void>()
  let state: ChatState = {
    room: config?.room,
    agent: config?.agent,
    messages: (stored.pending ?? []).map((m) => ({ ...m, mine: true, state: 'pending' })),
    ended: false,
    connected: true,
    draft: stored.draft ?? '',
    offline: !config?.room && config?.online === false ? 'form' : undefined,
  }
  let disposed = false
  const update = (patch: Partial<ChatState>) => {
    // A disposed session (the visitor was reset or replaced) must write nothing back: its draft
    // and unsent messages belong to a visitor who is gone.
    if (disposed) return
    state = { ...state, ...patch }
    const pending = state.messages.filter((m) => m.state).map(({ _id, msg }) => ({ _id, msg }))
    memory.saveChat({ draft: state.draft, pending } satisfies Stored)
    listeners.forEach((fn) => fn(state))
  }

  let ddp: Ddp | undefined
  let subs: string[] = []
  const rid = () => state.room?._id
  const activity = () => `${rid()}/user-activity`
  const get = <T>(path: string) => api.call<T>(`/api/v1/livechat/${path}`)
  const post = <T>(path: string, body: unknown, turnstile?: string) => api.call<T>(`/api/v1/livechat/${path}`, postJson(body, turnstile))

  const setAgent = (agent: AgentInfo) => {
    const before = state.agent
    update({ agent })
    if (before?._id !== agent._id) widget.emit('agent', agent)
    if (before?.status !== agent.status) widget.emit('agent-status', agent.status)
  }

  let asking = false
  const learnAgent = async () => {
    if (asking || state.agent) return
    asking = true
    const info = await get<{ agent: AgentInfo }>(`agent.info/${rid()}/${token}`)
    asking = false
    if (info.ok) setAgent(info.data.agent)
  }

  const end = () => {
    if (state.ended) return
    subs.forEach((id) => ddp?.unsub(id))
    subs = []
    update({ ended: true, typing: undefined })
    widget.emit('chat:end')
  }

  /** Adds messages; `live` ones (not a history reload) tell the host page and count as unread.
   * Navigation history (the pages this visitor opened) is the agent's, not a message to show. */
  const receive = (wire: (Omit<Message, 'ts'> & { ts: any })[], live: boolean) => {
    const incoming = wire.filter((m) => m.rid === rid() && m.t !== 'livechat_navigation_history').map((m) => fromWire(m, state.room!.v._id))
    const fresh = incoming.filter((m) => !state.messages.some((known) => known._id === m._id && known.ts))
    const theirs = fresh.filter((m) => !m.mine && !m.t).length
    update({
      messages: merge(state.messages, incoming),
      ...(theirs && { typing: undefined }),
    })
    // An agent answering before our subscription was ready: its agentData event was missed.
    if (theirs && !state.agent) void learnAgent()
    if (live && theirs && !widget.state.open) widget.set({ unread: (widget.state.unread ?? 0) + theirs })
    // Copies: a host callback that changes what it is given must not change what the widget shows.
    if (live) fresh.forEach((m) => widget.emit('message', { ...m }))
    if (fresh.some((m) => m.t === 'livechat-close')) end()
  }

  /** `missed`: a reload after a reconnection, whose new messages arrived while the socket was
   * down: they count as unread and reach the host page like live ones. */
  const loadHistory = async (missed = false) => {
    const room = rid()
    if (!room) return
    const res = await get<{ messages: Message[] }>(`messages.history/${room}?token=${token}&limit=${HISTORY}`)
    if (res.ok) receive(res.data.messages, missed)
    if (state.room?.servedBy) void learnAgent()
  }

  const onChanged = (collection: string, eventName: string, args: any[]) => {
    const [first, activities] = args
    if (collection === 'stream-room-messages' && eventName === rid()) receive([first], true)
    else if (collection === 'stream-notify-room' && eventName === activity() && first !== state.room?.v.username)
      update({ typing: activities?.includes('user-typing') ? state.agent?.name || first : undefined })
    else if (collection === 'stream-livechat-room' && eventName === rid() && first?.type === 'agentData') setAgent(first.data)
  }

  /** Tells the room this page (POST livechat/page.visited: the agent's navigation history), if the
   * Worker would take it. Best effort: one attempt, its answer ignored, nothing waits for it. */
  const visited = () => {
    const page = sourcePage()
    if (page) void api.call('/api/v1/livechat/page.visited', postJson({ token, rid: rid(), pageInfo: { change: 'url', title: page.title, location: { href: page.url } } }), () => false)
  }

  /** Subscribes to the room's streams (one socket for the page), loads its history, and tells it
   * the page: each room followed gets this page view once (a resumed room at load, a new room). */
  const follow = () => {
    const room = rid()!
    const auth = (extra = {}) => ({ useCollection: false, args: [{ token, ...extra }] })
    let first = !ddp
    ddp ??= connectDdp(`${origin.replace(/^http/, 'ws')}/websocket`, {
      onChanged,
      // Whatever was published while the socket was down comes back with the history.
      onConnected: () => (update({ connected: true }), first ? (first = false) : void loadHistory(true)),
      onDisconnected: () => update({ connected: false }),
    })
    subs = [
      ddp.sub('stream-room-messages', room, auth({ visitorToken: token })),
      ddp.sub('stream-notify-room', `${room}/user-activity`, auth()),
      ddp.sub('stream-livechat-room', room, auth()),
    ]
    void loadHistory()
    visited()
  }

  let opening: Promise<string | undefined> | undefined
  /** The open room, created (GET livechat/room opens an inquiry) on the first message. */
  const ensureRoom = () =>
    (opening ??= (async () => {
      if (state.room && !state.ended) return rid()
      const res = await get<{ room: Room; newRoom: boolean }>(`room?token=${token}`)
      opening = undefined
      if (!res.ok) return
      update({ room: res.data.room, ended: false, offline: undefined })
      follow()
      if (res.data.newRoom) widget.emit('chat:start')
      return rid()
    })())

  let sending = false
  /** Sends unsent messages one at a time, in order, each with its own `_id`: a resend (after a
   * network failure, or after a reload) is idempotent on the server. */
  const pump = async () => {
    if (sending) return
    sending = true
    for (let next; !disposed && (next = state.messages.find((m) => m.state === 'pending')); ) {
      const room = await ensureRoom()
      const res = room
        ? await post<{ message: Message }>('message', { token, rid: room, _id: next._id, msg: next.msg })
        : undefined
      if (res?.ok) receive([res.data.message], true)
      // Not sent within the retry policy's bound: it and those after it wait for Retry.
      else update({ messages: state.messages.map((m) => (m.state ? { ...m, state: 'failed' } : m)) })
      if (!res?.ok) break
    }
    sending = false
  }

  let typingOn = false
  let typingTimer: ReturnType<typeof setTimeout> | undefined
  const setTyping = (on: boolean) => {
    if (on === typingOn || !ddp || !state.room || state.ended) return
    typingOn = on
    void ddp.call('stream-notify-room', activity(), state.room.v.username, on ? ['user-typing'] : [], { token })
  }

  if (state.room) follow()
  if (state.offline) widget.emit('service-offline')
  void pump()

  return {
    get state() {
      return state
    },
    subscribe(fn: (state: ChatState) => void) {
      listeners.add(fn)
      return () => void listeners.delete(fn)
    },
    /** The draft changed: kept for a reload, and shown to the agent as typing. */
    type(draft: string) {
      update({ draft })
      clearTimeout(typingTimer)
      setTyping(!!draft.trim())
      if (draft.trim()) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS)
    },
    send() {
      const msg = state.draft.trim()
      if (!msg) return
      clearTimeout(typingTimer)
      setTyping(false)
      update({ draft: '', messages: [...state.messages, { _id: newId(), msg, mine: true, state: 'pending' }] })
      void pump()
    },
    retry() {
      update({ messages: state.messages.map((m) => (m.state ? { ...m, state: 'pending' } : m)) })
      void pump()
    },
    async close() {
      const res = rid() && (await post('room.close', { rid: rid(), token }))
      if (res && res.ok) end()
      return !!res && res.ok
    },
    /** After an end: a fresh conversation; its room opens with the first message. */
    restart() {
      update({ room: undefined, messages: [], agent: undefined, ended: false, offline: undefined })
    },
    /** `consent`: the visitor ticked the site's consent box (the Worker requires it when the site has one). */
    async sendOffline(message: OfflineMessage, turnstile?: string, consent?: boolean) {
      const res = await post('offline.message', { ...message, ...(consent && { consent }) }, turnstile)
      if (res.ok) {
        update({ offline: 'sent' })
        widget.emit('offline-submit', message)
      }
      return res
    },
    dispose() {
      disposed = true
      clearTimeout(typingTimer)
      ddp?.close()
      listeners.clear()
    },
  }
}

export type ChatSession = ReturnType<typeof createChatSession>
