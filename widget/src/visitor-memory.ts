// What the widget remembers about the visitor, in the host origin's localStorage:
// the token, the last successful registration (marker, what it sent, whom it was verified as)
// the form draft, and the chat's draft and unsent messages (the chat chunk's, opaque here).
// Storage can be unavailable (privacy modes, sandboxed frames) or full (QuotaExceededError):
// then a key whose write or removal failed lives in memory for the page, and is read from there.
import { randomId } from '../../shared/ids'
import { isValidToken } from '../../shared/visitor-rules'
import type { VisitorPayload } from './api-client'

export interface Registration {
  /** The last payload the server accepted; a record stored before this field existed lacks it. */
  sent?: Omit<VisitorPayload, 'identity'>
  name?: string
  /**
   * SHA-256 hex of the identifier the server verified this visitor as ('' where crypto.subtle is
   * missing, i.e. on plain-http pages: then it never matches, so every identify() starts afresh).
   * A hash rather than the identifier: the stored record need not name the site's user, and it
   * only has to answer "the same person or not?" (a guessable identifier can still be found by
   * hashing guesses, but whoever reads this storage has the token, hence the record, anyway).
   * The signed identity itself is never stored: it is a bearer credential until it expires.
   */
  who?: string
}

const TOKEN = 'ecc:token'
const REGISTRATION = 'ecc:visitor'
const DRAFT = 'ecc:draft'
const CHAT = 'ecc:chat'

/** A new visitor token: 24 random characters of Rocket.Chat's id alphabet (about 139 bits). */
export const newToken = (): string => randomId(24)

// A getter, because merely reading `window.localStorage` throws where storage is blocked.
export function createVisitorMemory(storage: () => Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
  // Keys whose last write (or removal) failed: memory holds their value (undefined: removed),
  // storage a stale one or none.
  const fallback = new Map<string, string | undefined>()
  const get = (key: string) => {
    if (fallback.has(key)) return fallback.get(key)
    try {
      return storage().getItem(key) ?? undefined
    } catch {}
  }
  const set = (key: string, value: string) => {
    try {
      storage().setItem(key, value)
      fallback.delete(key)
    } catch {
      fallback.set(key, value)
    }
  }
  const remove = (...keys: string[]) => {
    for (const key of keys) {
      try {
        storage().removeItem(key)
        fallback.delete(key)
      } catch {
        fallback.set(key, undefined)
      }
    }
  }
  const json = <T>(key: string): T | undefined => {
    try {
      return JSON.parse(get(key) ?? 'null') ?? undefined
    } catch {
      return undefined
    }
  }

  return {
    /** The visitor's token; `create` makes one when there is none (newToken, as the visitor first registers). */
    token(create?: () => string): string | undefined {
      let token = get(TOKEN)
      // One an older widget stored from the host page (an email, say) is refused by the Worker.
      if (token && !isValidToken(token)) {
        remove(TOKEN, REGISTRATION)
        token = undefined
      }
      if (!token && create) set(TOKEN, (token = create()))
      return token
    },
    /** Adopts a token chosen by the host page; a different visitor invalidates the registration. */
    setToken(token: string): boolean {
      if (get(TOKEN) === token) return false
      remove(REGISTRATION, CHAT)
      set(TOKEN, token)
      return true
    },
    registration: () => json<Registration>(REGISTRATION),
    saveRegistration: (registration: Registration) => set(REGISTRATION, JSON.stringify(registration)),
    forgetRegistration: () => remove(REGISTRATION),
    draft: () => json<Record<string, string>>(DRAFT),
    saveDraft: (values: Record<string, string>) => set(DRAFT, JSON.stringify(values)),
    clearDraft: () => remove(DRAFT),
    chat: <T>() => json<T>(CHAT),
    saveChat: (value: unknown) => set(CHAT, JSON.stringify(value)),
    clear: () => remove(TOKEN, REGISTRATION, DRAFT, CHAT),
  }
}

export type VisitorMemory = ReturnType<typeof createVisitorMemory>
