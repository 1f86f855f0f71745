// The two JavaScript APIs a host page can use, both thin facades over the one widget object:
// Rocket.Chat's (so its stock embed snippet works) and our own `window.LiveChat`.
import type { AgentInfo } from '../../shared/chat'
import type { VisitorIdentity } from '../../shared/visitor-rules'
import type { Guest, Identify, RegisterResult, Theme, Widget } from './widget'
import { acceptsToken, safely } from './widget'

/** What the offline form posts to livechat/offline.message, as onOfflineFormSubmit receives it. */
export interface OfflineMessage {
  name: string
  email: string
  message: string
}

/** registerGuest data as Rocket.Chat documents it; customFields as its array or a plain object. */
export interface RocketChatGuest {
  token?: string
  name?: string
  email?: string
  phone?: string
  department?: string
  customFields?: { key: string; value: string; overwrite?: boolean }[] | Record<string, string>
  /** Signed by the site's backend; see LiveChat.identify. */
  identity?: VisitorIdentity
}

function fromRocketChat({ token, customFields, ...rest }: RocketChatGuest): Guest {
  const entries = Array.isArray(customFields)
    ? customFields.map((f) => [f.key, { value: String(f.value), overwrite: f.overwrite ?? true }])
    : Object.entries(customFields ?? {}).map(([key, value]) => [key, { value: String(value), overwrite: true }])
  return { ...rest, customFields: Object.fromEntries(entries) }
}

/** Registers now with Rocket.Chat-shaped data; a token in it first becomes the visitor's token. In the extras chunk. */
export async function registerGuest(w: Widget, { identity, ...guest }: RocketChatGuest): Promise<RegisterResult> {
  // A token the Worker would refuse refuses the whole call, before anything changes.
  if (guest.token && !acceptsToken(guest.token)) return { ok: false, error: 'Invalid token', errorType: 'error-invalid-token' }
  // The identity first: starting afresh for another person must not discard the token given here.
  // A malformed one refuses the whole call: sending it unverified would hide the site's mistake.
  const identified = identity && (await w.identify(identity, false))
  if (identified && !identified.ok) return identified
  // No verification: the registration itself answers whether the token is known.
  if (guest.token) w.setToken(guest.token, false)
  return w.register(fromRocketChat(guest))
}

export function rocketChatApi(w: Widget) {
  return {
    setGuestName: (name: string) => w.setGuest({ name }),
    setGuestEmail: (email: string) => w.setGuest({ email }),
    setGuestToken: (token: string) => w.setToken(token),
    setCustomField: (key: string, value: string, overwrite = true) => w.setCustomField(key, value, overwrite),
    registerGuest: (guest: RocketChatGuest) => w.withExtras((x) => x.registerGuest(w, guest)),
    setDepartment: (department: string) => w.setDepartment(department),
    clearDepartment: () => w.setDepartment(undefined),
    setTheme: (theme: Theme) => w.setTheme(theme),
    setLanguage: (lang: string) => w.setLanguage(lang),
    showWidget: w.show,
    hideWidget: w.hide,
    maximizeWidget: w.open,
    minimizeWidget: w.close,
    onPrechatFormSubmit: (fn: (data: Guest) => void) => w.on('submit', fn),
    onWidgetShown: (fn: () => void) => w.on('show', fn),
    onWidgetHidden: (fn: () => void) => w.on('hide', fn),
    onChatMaximized: (fn: () => void) => w.on('open', fn),
    onChatMinimized: (fn: () => void) => w.on('close', fn),
    // Chat: the chat chunk emits these; subscribing works before it loads.
    onChatStarted: (fn: () => void) => w.on('chat:start', fn),
    onChatEnded: (fn: () => void) => w.on('chat:end', fn),
    onAssignAgent: (fn: (agent: AgentInfo) => void) => w.on('agent', fn),
    onAgentStatusChange: (fn: (status: AgentInfo['status']) => void) => w.on('agent-status', fn),
    onServiceOffline: (fn: () => void) => w.on('service-offline', fn),
    onOfflineFormSubmit: (fn: (data: OfflineMessage) => void) => w.on('offline-submit', fn),
  }
}

export type LiveChatEvent = 'show' | 'hide' | 'open' | 'close' | 'submit' | 'message' | 'chat:start' | 'chat:end'

export function liveChatApi(w: Widget) {
  return {
    open: w.open,
    close: w.close,
    show: w.show,
    hide: w.hide,
    setGuest: w.setGuest,
    setCustomField: w.setCustomField,
    setDepartment: w.setDepartment,
    /** Registers the visitor now; resolves to `{ok}` or `{ok: false, error}`. */
    register: (guest: RocketChatGuest) => w.withExtras((x) => x.registerGuest(w, guest)),
    /** Verifies the visitor with an identity signed by the site's backend; resolves like register. */
    identify: (identity: Identify) => w.identify(identity),
    setTheme: w.setTheme,
    setLanguage: w.setLanguage,
    /** Subscribes to show, hide, open, close, submit (the form data), message (each new chat message),
     * chat:start or chat:end; returns the unsubscribe function. */
    on: (event: LiveChatEvent, fn: (data?: any) => void) => w.on(event, fn),
    reset: w.reset,
  }
}

type RocketChatQueue = ((this: ReturnType<typeof rocketChatApi>) => void)[]

export interface RocketChatGlobal {
  (fn: RocketChatQueue[number]): void
  _: RocketChatQueue
  url?: string
  livechat?: ReturnType<typeof rocketChatApi>
}

declare global {
  interface Window {
    RocketChat?: RocketChatGlobal
    LiveChat?: ReturnType<typeof liveChatApi>
  }
}

/** Publishes both APIs and runs the callbacks Rocket.Chat's snippet queued before we loaded. */
export function installHostApis(w: Widget, win: Window = window) {
  const api = rocketChatApi(w)
  const queued = win.RocketChat?._ ?? []
  const RocketChat: RocketChatGlobal = Object.assign((fn: RocketChatQueue[number]) => safely(() => fn.call(api)), {
    _: [],
    url: win.RocketChat?.url,
    livechat: api,
  })
  win.RocketChat = RocketChat
  win.LiveChat = liveChatApi(w)
  for (const fn of queued) RocketChat(fn)
}
