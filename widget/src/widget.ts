// The one widget object: its state, its events and every operation the host APIs
// (RocketChat, LiveChat) and the components call. Methods are closures, so they can be
// passed around detached from the object.
import type { ApiClient, LivechatConfig, OnRetry } from './api-client'
import type { VisitorMemory } from './visitor-memory'
import { pickLanguage, type Lang } from './i18n'
import { alreadySent, defined, toPayload } from './visitor-payload'

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
}

export type RegisterResult = { ok: true } | { ok: false; error: string; errorType?: string }

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
  /** Set once the visitor is registered (here, or verified by token). */
  known?: { name?: string }
  /** Data the host page gave us ahead of registration. */
  prefill: Guest
  /** Bumped by reset() so the form starts again blank. */
  generation: number
}

export type WidgetEvent = 'show' | 'hide' | 'open' | 'close' | 'submit' | 'prefill' | 'change'

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

export function createWidget(options: { api: ApiClient; memory: VisitorMemory; lang: Lang; theme?: Theme }) {
  const { api, memory } = options
  const listeners: Partial<Record<WidgetEvent, Set<(arg?: any) => void>>> = {}
  const inflight = new Map<string, Promise<RegisterResult>>()
  let checkedToken: string | undefined
  const registration = memory.registration()

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

  /** Confirms the stored token with the server: unknown tokens lose their registration. */
  const verify = async () => {
    const token = memory.token(false)
    if (!token || token === checkedToken) return
    checkedToken = token
    const before = JSON.stringify(memory.registration())
    const res = await api.visitor(token)
    // Stale if the token changed or a registration succeeded meanwhile.
    if (token !== memory.token(false) || JSON.stringify(memory.registration()) !== before) return
    if (res.ok) update({ known: { name: res.data.visitor?.name ?? state.known?.name } })
    else {
      memory.forgetRegistration()
      update({ known: undefined })
    }
  }

  /** Registers (or updates) the visitor; data the last success already sent sends nothing. */
  const register = (guest: Guest, onRetry?: OnRetry): Promise<RegisterResult> => {
    const { prefill } = state
    const merged = {
      ...defined(prefill),
      ...defined(guest),
      customFields: { ...prefill.customFields, ...guest.customFields },
    }
    const payload = toPayload(memory.token()!, merged)
    if (alreadySent(payload, memory.registration()?.sent)) return Promise.resolve({ ok: true })
    const key = JSON.stringify(payload)
    if (!inflight.has(key)) {
      const request = api.register(payload, onRetry).then((res): RegisterResult => {
        inflight.delete(key)
        if (!res.ok) return res
        // A reset() or a new token while in flight makes this answer stale.
        if (memory.token(false) === payload.token) {
          const { visitor } = res.data
          const name = visitor?.name ?? payload.name
          // Rocket.Chat's phone match updates an existing visitor that keeps its own token:
          // adopt it, or this visitor would be unknown on the next page load.
          if (visitor?.token) memory.setToken(visitor.token)
          memory.saveRegistration({ sent: payload, name })
          memory.clearDraft()
          update({ known: { name } })
        }
        return { ok: true }
      })
      inflight.set(key, request)
    }
    return inflight.get(key)!
  }

  let updateQueued = false
  /** Prefills the form; once the visitor is known, also updates them on the server, like Rocket.Chat. */
  const setPrefill = (patch: Guest) => {
    update({ prefill: { ...state.prefill, ...patch, customFields: { ...state.prefill.customFields, ...patch.customFields } } })
    emit('prefill', patch)
    // Snippets set one field per call (setGuestName, then setGuestEmail…): send them together.
    if (state.known && !updateQueued) {
      updateQueued = true
      queueMicrotask(() => {
        updateQueued = false
        if (state.known) void register({})
      })
    }
  }

  let loading = false
  /** Fetches the config and checks a remembered visitor, in parallel. */
  const load = async () => {
    if (loading) return
    loading = true
    if (state.known) void verify()
    let failures = 0
    const res = await api.config(() => {
      update({ offline: true, failed: false })
      // A closed widget gives up, or a misconfigured site would poll forever in every open tab.
      return state.open || ++failures < CONFIG_ATTEMPTS_WHILE_CLOSED
    })
    loading = false
    update(res.ok ? { config: res.data.config ?? {}, offline: false, failed: false } : { offline: false, failed: true })
  }

  return {
    get state() {
      return state
    },
    memory,
    on,
    show: () => toggle('visible', true, 'show'),
    hide: () => toggle('visible', false, 'hide'),
    open: () => {
      toggle('open', true, 'open')
      if (state.failed) void load()
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
    /** Adopts the host's token for this visitor; `verify` asks the server whether it knows them. */
    setToken: (token: string, verifyNow = true) => {
      if (memory.setToken(token)) update({ known: undefined })
      if (verifyNow) void verify()
    },
    register,
    /** The pre-chat form's submit: a registration that also tells the host page. */
    submitForm: async (guest: Guest, onRetry: OnRetry) => {
      const result = await register(guest, onRetry)
      if (result.ok) emit('submit', guest)
      return result
    },
    load,
    /** Forgets the visitor entirely (SPA logout): token, registration, draft and prefill. */
    reset: () => {
      memory.clear()
      checkedToken = undefined
      update({ known: undefined, prefill: {}, generation: state.generation + 1 })
    },
  }
}

export type Widget = ReturnType<typeof createWidget>
