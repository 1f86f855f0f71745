// The calls the widget makes to the Worker (registration's is in register.ts). Network failures, 5xx and 429 are retried
// with jittered exponential backoff (or after the Retry-After of a 429 or 503), within a bound
// on total time and attempts; other 4xx answers are final, and so is a 5xx that names a
// permanent condition (500 error-invalid-config: the site must fix it).
import type { AgentInfo, Room } from '../../shared/chat'
import type { OwnerTexts } from '../../shared/widget-texts'
import type { CustomField, VisitorIdentity } from '../../shared/visitor-rules'

export type ConfigField = Omit<CustomField, 'scope' | 'visibility'>
export type FieldMode = 'required' | 'optional' | 'hidden'

export interface LivechatConfig {
  title?: string
  theme?: { color?: string; fontColor?: string; position?: 'left' | 'right' }
  registrationForm?: Partial<Record<'name' | 'email' | 'phone', FieldMode>>
  customFields?: ConfigField[]
  departments?: { _id: string; name: string }[]
  /** Whether an agent is available; absent from servers that predate chat. */
  online?: boolean
  /** Asked with the visitor's token: their open room, and its agent once taken. */
  room?: Room
  agent?: AgentInfo
  /** Rocket.Chat's names, present only when the site turned each on. */
  settings?: { forceAcceptDataProcessingConsent?: boolean; turnstileSiteKey?: string }
  messages?: { dataProcessingConsentText?: string }
  /** The site owner's texts (LIVECHAT_WIDGET_TEXTS), per language. */
  texts?: OwnerTexts
}

export interface VisitorPayload {
  token: string
  name?: string
  email?: string
  phone?: string
  department?: string
  customFields?: { key: string; value: string; overwrite: boolean }[]
  /** The visitor ticked the consent box (LIVECHAT_CONSENT_TEXT), here or in an earlier registration. */
  consent?: true
  /** Held in memory only: never part of what visitor-memory stores. */
  identity?: VisitorIdentity
}

export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; error: string; errorType?: string; gaveUp?: true }

/** Called before each wait between attempts, with the wait in milliseconds; `false` gives up instead. */
export type OnRetry = (delayMs: number) => boolean | void
/**
 * Awaited before each retry (not the first attempt): time spent waiting on it is not counted
 * against the bound; resolving to `false` gives up instead.
 */
export type WhenReady = () => unknown

/** Total time one call may spend retrying (waits and requests); a retry that would start later is not made. */
export const RETRY_BOUND_MS = 90_000
/** Requests one call makes at most, the first included. */
export const MAX_ATTEMPTS = 10
/** Ceiling of the random wait between attempts (full jitter: a random wait up to 1 s, 2 s, 4 s … this). */
const MAX_BACKOFF_MS = 15_000
/** 5xx error types that name a condition a retry cannot heal (only the site owner can). */
const PERMANENT_5XX = ['error-invalid-config']

/** Retry-After in milliseconds, as delay-seconds or an HTTP-date (a past date: now); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return
  // Every HTTP-date form names a month: anything else Date.parse would guess at is not one.
  const ms = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : /[a-z]{3}/i.test(header) ? Date.parse(header) - now : NaN
  return ms >= 0 ? ms : ms < 0 ? 0 : undefined
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))

/** A JSON POST, for `call`; `turnstile`: a Cloudflare Turnstile token, for the POSTs that need one
 * when the site turned it on. (Only the chunks post: the main bundle's calls are GETs.) */
export const postJson = (body: unknown, turnstile?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(turnstile && { 'x-turnstile-token': turnstile }) },
  body: JSON.stringify(body),
})

export function createApiClient(origin: string) {
  /** `init`: a GET when absent, else postJson's. */
  const call = async <T>(path: string, init?: RequestInit, onRetry?: OnRetry, whenReady?: WhenReady): Promise<ApiResult<T>> => {
    let deadline = Date.now() + RETRY_BOUND_MS
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined
      let json: any = {}
      // The bound covers the requests too: one that hangs is cut off when the time is up.
      const abort = new AbortController()
      const timer = setTimeout(() => abort.abort(), deadline - Date.now())
      try {
        res = await fetch(origin + path, { ...init, signal: abort.signal })
        json = (await res.json().catch(() => 0)) || {}
      } catch {
        // Offline, DNS, CORS, a server that is down, or cut off: all look the same from here.
      }
      clearTimeout(timer)
      if (abort.signal.aborted) res = undefined
      const status = res?.status ?? 0
      const { error = status ? `HTTP ${status}` : 'Network error', errorType } = json
      // Final: any answer but a 5xx or a 429, and a 5xx that names a permanent condition.
      if (res && ((status < 500 && status != 429) || PERMANENT_5XX.includes(errorType))) {
        return res.ok ? { ok: true, data: json } : { ok: false, status, error, errorType }
      }
      // 429 and 503 may say when to come back; otherwise full jitter, so that after an outage
      // the widgets in every open tab do not all come back in the same second.
      const delay =
        (status == 429 || status == 503 ? retryAfterMs(res!.headers.get('retry-after')) : undefined) ??
        Math.random() * Math.min(1000 * 2 ** (attempt - 1), MAX_BACKOFF_MS)
      const gaveUp = { ok: false, status, error, errorType, gaveUp: true } as const
      // A wait that would end at or past the bound is not waited (the request after it would have no time): give up now.
      if (attempt >= MAX_ATTEMPTS || Date.now() + delay >= deadline || onRetry?.(delay) === false) return gaveUp
      await sleep(delay)
      const paused = Date.now()
      if ((await whenReady?.()) === false) return gaveUp
      deadline += Date.now() - paused
    }
  }
  return {
    /** The same policy for registrations (register.ts) and the chat chunk's requests. */
    call,
    config: (onRetry?: OnRetry, token?: string) =>
      call<{ config: LivechatConfig }>(`/api/v1/livechat/config${token ? `?token=${encodeURIComponent(token)}` : ''}`, undefined, onRetry),
    visitor: (token: string, whenReady?: WhenReady) =>
      call<{ visitor: { name?: string } }>(`/api/v1/livechat/visitor/${encodeURIComponent(token)}`, undefined, undefined, whenReady),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
