// The one widget object: its state, its events and every operation the host APIs
// (RocketChat, LiveChat) and the components call. Methods are closures, so they can be
// passed around detached from the object.
import { isValidToken, type VisitorIdentity } from '../../shared/visitor-rules'
import type { ComponentType } from 'preact'
import type { ApiClient, LivechatConfig, OnRetry } from './api-client'
import type { Extras, LoadExtras } from './extras'
import type { LoadSubmit } from './submit'
import type { Registration, VisitorMemory } from './visitor-memory'
import { pickLanguage, type Lang } from './i18n'
import { defined } from './visitor-payload'

export interface Theme {
  color?: string
  fontColor?: string
  title?: string
  position?: 'left' | 'right'
}

export interface CustomValue {
  value: string
  overwrite: boolean
}

/** Visitor data as the host page or the form provides it. */
export interface Guest {
  name?: string
  email?: string
  phone?: string
  department?: string
  customFields?: Record<string, CustomValue>
  /** The visitor ticked the pre-chat form's consent box (or the host page says they agreed). */
  consent?: true
}

/** `gaveUp`: the server could not be reached within the retry bound; calling again starts afresh. */
export type RegisterResult = { ok: true } | { ok: false; error: string; errorType?: string; gaveUp?: true }

/**
 * What registrations carry along, in memory only (register.ts and identity.ts, in the submit and
 * extras chunks, keep it): requests under way, by payload (the same data asked for again joins its request), and
 * the host's signed identity, a bearer credential until it expires, with `who`, its identifier's
 * hash as Registration.who stores it.
 */
export interface Held {
  inflight: Map<string, Promise<RegisterResult>>
  identity?: VisitorIdentity
  who: string
}

/** What a registration is made with: the widget's state when it was asked for (see register.ts). */
export interface RegisterCall extends Held {
  prefill: Guest
  /** None yet: register.ts makes the visitor's token, kept unless a reset() or another token came meanwhile. */
  token?: string
  generation: number
  registration?: Registration
}

/** LiveChat.identify's argument: the signed identity, and data to prefill the form with. */
export type Identify = VisitorIdentity & Pick<Guest, 'name' | 'email' | 'phone'>

/** The configuration without the previous visitor's open room and agent (it was read with their token). */
const withoutChat = (config?: LivechatConfig): LivechatConfig | undefined => config && { ...config, room: undefined, agent: undefined }

/**
 * Whether a token from the host page is one the Worker accepts (its own rule); warns when not.
 * A token such as an email address would be stored and refused by every later registration.
 */
export function acceptsToken(token: unknown): token is string {
  const ok = typeof token == 'string' && isValidToken(token)
  if (!ok) console.warn("LiveChat: token ignored; expected 1-128 letters, digits, '-' or '_'")
  return ok
}

export interface WidgetState {
  visible: boolean
  open: boolean
  lang: Lang
  /** Theme set by the host page (data-* or setTheme); it wins over the server's. */
  theme: Theme
  config?: LivechatConfig
  /** Loading the config is failing and being retried. */
  offline: boolean
  /** The server refused to give us a config, or we gave up asking; opening the panel asks again. */
  failed: boolean
  /** The server refuses this page's origin (ALLOWED_ORIGINS): only the site owner can fix it, so it is not asked again. */
  refused?: boolean
  /** Set once the visitor is registered (here, or verified by token). */
  known?: { name?: string }
  /** Data the host page gave us ahead of registration. */
  prefill: Guest
  /** Bumped by reset() so the form starts again blank. */
  generation: number
  /** The chat chunk's view, once loaded (see chat-loader). */
  chat?: ComponentType
  /** Agent messages that arrived while the panel was closed. */
  unread?: number
}

/** Chat events are emitted by the chat chunk; the host APIs subscribe before it loads. */
export type ChatEvent = 'chat:start' | 'chat:end' | 'message' | 'agent' | 'agent-status' | 'service-offline' | 'offline-submit'
export type WidgetEvent = 'show' | 'hide' | 'open' | 'close' | 'submit' | 'prefill' | 'change' | ChatEvent

/** Runs host code so that its exceptions are reported but never break the widget. */
export function safely<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
  try {
    fn(...args)
  } catch (error) {
    queueMicrotask(() => {
      throw error
    })
  }
}

/** Config requests a closed widget makes before it gives up until the panel is opened. */
const CONFIG_ATTEMPTS_WHILE_CLOSED = 5

/** When a chunk cannot be loaded, a registration settles as with an unreachable server. */
const settle = <T>(load: () => Promise<T>, use: (chunk: T) => Promise<RegisterResult>): Promise<RegisterResult> =>
  load().then(use, () => ({ ok: false, error: 'Network error', gaveUp: true }))

/** `extras` and `submit` load those chunks (extras.ts, submit.ts). */
export function createWidget(options: { api: ApiClient; memory: VisitorMemory; lang: Lang; theme?: Theme; extras: LoadExtras; submit: LoadSubmit }) {
  const { api, memory } = options
  const listeners: Partial<Record<WidgetEvent, Set<(arg?: any) => void>>> = {}
  const held: Held = { inflight: new Map(), who: '' }
  let checkedToken: string | undefined
  /** The last check of the stored token went unanswered. */
  let recheck = false
  // The token first: one the Worker would refuse is dropped, with its registration.
  const registration = memory.token() ? memory.registration() : undefined

  let state: WidgetState = {
    visible: true,
    open: false,
    lang: options.lang,
    theme: defined(options.theme ?? {}),
    offline: false,
    failed: false,
    known: registration && { name: registration.name },
    prefill: {},
    generation: 0,
  }

  const on = (event: WidgetEvent, fn: (arg?: any) => void) => {
    ;(listeners[event] ??= new Set()).add(fn)
    return () => void listeners[event]!.delete(fn)
  }
  const emit = (event: WidgetEvent, arg?: unknown) => listeners[event]?.forEach((fn) => safely(fn, arg))
  const update = (patch: Partial<WidgetState>) => {
    state = { ...state, ...patch }
    emit('change', state)
  }
  const toggle = (key: 'visible' | 'open', value: boolean, event: WidgetEvent) => {
    if (state[key] === value) return
    update({ [key]: value })
    emit(event)
  }

  /** Resolves at once while the panel is open, else when it is next opened. */
  const whenOpen = () => state.open || new Promise<void>((wake) => {
    const off = on('open', () => {
      off()
      wake()
    })
  })

  /**
   * Confirms the stored token with the server: a token it refuses (4xx) loses its registration.
   * Retries wait while the panel is closed; a server that cannot be reached changes nothing.
   */
  const verify = async () => {
    const token = memory.token()
    if (!token || token === checkedToken) return
    checkedToken = token
    const before = JSON.stringify(memory.registration())
    // A reset() or another token while paused: that check is moot, and the old token stays unsent.
    const res = await api.visitor(token, async () => (await whenOpen(), token === memory.token()))
    // Stale if the token changed or a registration succeeded meanwhile.
    if (token !== memory.token() || JSON.stringify(memory.registration()) !== before) return
    if (res.ok) update({ known: { name: res.data.visitor?.name ?? state.known?.name } })
    else if (res.status < 500 && !res.gaveUp) {
      // A refused origin (403) says nothing about the token.
      if (res.status != 403) {
        memory.forgetRegistration()
        update({ known: undefined })
      }
    } else checkedToken = undefined // Unanswered: ask again when the panel is next opened.
    recheck = !checkedToken
  }

  /** Registers (or updates) the visitor with the data of this moment (register.ts, in the submit chunk). */
  const register = (guest: Guest, onRetry?: OnRetry, turnstile?: string): Promise<RegisterResult> => {
    const at: RegisterCall = { ...held, prefill: state.prefill, token: memory.token(), generation: state.generation, registration: memory.registration() }
    return settle(options.submit, (x) => x.register(widget, at, guest, onRetry, turnstile))
  }

  let updateQueued = false
  /** Prefills the form; once the visitor is known, also updates them on the server, like Rocket.Chat. */
  const setPrefill = (patch: Guest, send = true) => {
    update({ prefill: { ...state.prefill, ...patch, customFields: { ...state.prefill.customFields, ...patch.customFields } } })
    emit('prefill', patch)
    // Snippets set one field per call (setGuestName, then setGuestEmail…): send them together.
    if (send && state.known && !updateQueued) {
      updateQueued = true
      queueMicrotask(() => {
        updateQueued = false
        if (state.known) void register({})
      })
    }
  }

  /** Forgets the visitor entirely (SPA logout): token, registration, draft, prefill and identity. */
  const reset = () => {
    memory.clear()
    checkedToken = held.identity = undefined
    update({ known: undefined, prefill: {}, generation: state.generation + 1, unread: 0, config: withoutChat(state.config) })
  }

  let loading = false
  /** Fetches the config and checks a remembered visitor, in parallel. */
  const load = async () => {
    if (loading) return
    loading = true
    if (state.known) void verify()
    let failures = 0
    // With the token of a known visitor, the config tells their open room and its agent.
    const res = await api.config(() => {
      update({ offline: true, failed: false })
      // A closed widget gives up, or a misconfigured site would poll forever in every open tab.
      return state.open || ++failures < CONFIG_ATTEMPTS_WHILE_CLOSED
    }, state.known && memory.token())
    loading = false
    const refused = !res.ok && res.errorType == 'error-origin-not-allowed'
    if (refused) console.error(`LiveChat: this page's origin is refused: add ${location.origin} to the Worker's ALLOWED_ORIGINS`)
    update(res.ok ? { config: res.data.config ?? {}, offline: false, failed: false } : { offline: false, failed: !refused, refused })
  }

  const widget = {
    get state() {
      return state
    },
    memory,
    api,
    on,
    emit,
    /** For the chat chunk: its view and the unread count. */
    set: update,
    show: () => toggle('visible', true, 'show'),
    hide: () => toggle('visible', false, 'hide'),
    open: () => {
      if (state.unread) update({ unread: 0 })
      toggle('open', true, 'open')
      if (state.failed) void load()
      if (recheck) void verify()
    },
    close: () => toggle('open', false, 'close'),
    setTheme: (theme: Theme) => update({ theme: { ...state.theme, ...defined(theme) } }),
    setLanguage: (lang: string) => update({ lang: pickLanguage(lang) }),
    setGuest: (guest: Pick<Guest, 'name' | 'email' | 'phone'>) => setPrefill(defined(guest)),
    setCustomField: (key: string, value: string, overwrite = true) => {
      if (!overwrite && state.prefill.customFields?.[key]?.value) return
      setPrefill({ customFields: { [key]: { value: String(value), overwrite } } })
    },
    setDepartment: (department?: string) => setPrefill({ department }),
    /** Adopts the host's token for this visitor; `verify` asks the server whether it knows them. An invalid one is refused. */
    setToken: (token: string, verifyNow = true) => {
      if (!acceptsToken(token)) return
      // Another visitor: none of the previous one's chat (room, agent, draft, unsent messages) carries over.
      if (memory.setToken(token)) update({ known: undefined, unread: 0, config: withoutChat(state.config), generation: state.generation + 1 })
      if (verifyNow) void verify()
    },
    register,
    extras: options.extras,
    submit: options.submit,
    /** Runs `use` with the extras chunk; when it cannot be loaded, settles as an unreachable server would. */
    withExtras: (use: (extras: Extras) => Promise<RegisterResult>) => settle(options.extras, use),
    /** Takes the host's signed identity (see identity.ts); resolves like register. */
    identify: (input: Identify, now = true) => widget.withExtras((x) => x.identify(widget, input, now)),
    held,
    /** For identify: data to prefill the form with, not sent. */
    prefill: (guest: Guest) => setPrefill(guest, false),
    load,
    reset,
  }
  return widget
}

export type Widget = ReturnType<typeof createWidget>
