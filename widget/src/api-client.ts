// The three calls the widget makes to the Worker. Network failures, 5xx and 429 are
// retried with jittered exponential backoff until they succeed or the caller gives up;
// other 4xx answers are final, and so is a 500 error-invalid-config (the site must fix it).
import type { CustomField, VisitorIdentity } from '../../worker/src/visitor-rules'

export type ConfigField = Omit<CustomField, 'scope' | 'visibility'>
export type FieldMode = 'required' | 'optional' | 'hidden'

export interface LivechatConfig {
  title?: string
  theme?: { color?: string; fontColor?: string; position?: 'left' | 'right' }
  registrationForm?: Partial<Record<'name' | 'email' | 'phone', FieldMode>>
  customFields?: ConfigField[]
  departments?: { _id: string; name: string }[]
}

export interface VisitorPayload {
  token: string
  name?: string
  email?: string
  phone?: string
  department?: string
  customFields?: { key: string; value: string; overwrite: boolean }[]
  /** Held in memory only: never part of what visitor-memory stores. */
  identity?: VisitorIdentity
}

export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; error: string; errorType?: string }

/** Called before each wait between attempts, with the wait in milliseconds; `false` gives up instead. */
export type OnRetry = (delayMs: number) => boolean | void

const MAX_BACKOFF_MS = 15_000

export function createApiClient(origin: string) {
  const call = async <T>(path: string, body?: unknown, onRetry?: OnRetry): Promise<ApiResult<T>> => {
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined
      try {
        res = await fetch(origin + path, body
          ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
          : undefined)
      } catch {
        // Offline, DNS, CORS or a server that is down: all look the same from here.
      }
      const json = (await res?.json().catch(() => 0)) || {}
      // A misconfigured site (e.g. no identity secret) will not heal within a retry: say so at once.
      if (res && ((res.status < 500 && res.status !== 429) || json.errorType === 'error-invalid-config')) {
        return res.ok
          ? { ok: true, data: json }
          : { ok: false, status: res.status, error: json.error || `HTTP ${res.status}`, errorType: json.errorType }
      }
      // The server's Retry-After wins; otherwise full jitter, so that after an outage the
      // widgets in every open tab do not all come back in the same second.
      const retryAfter = Number(res?.headers.get('retry-after')) * 1000
      const backoff = Math.random() * Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS)
      const delay = Math.min(retryAfter || backoff, MAX_BACKOFF_MS)
      if (onRetry?.(delay) === false) return { ok: false, status: res?.status ?? 0, error: 'Gave up retrying' }
      await new Promise((wake) => setTimeout(wake, delay))
    }
  }
  return {
    config: (onRetry?: OnRetry) =>
      call<{ config: LivechatConfig }>('/api/v1/livechat/config', undefined, onRetry),
    visitor: (token: string) =>
      call<{ visitor: { name?: string } }>(`/api/v1/livechat/visitor/${encodeURIComponent(token)}`),
    register: (visitor: VisitorPayload, onRetry?: OnRetry) =>
      call<{ visitor: { name?: string; token?: string; verified?: true } }>('/api/v1/livechat/visitor', { visitor }, onRetry),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
