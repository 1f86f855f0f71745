// What the widget remembers about the visitor, in the host origin's localStorage:
// the token, the last successful registration (marker, what it sent, whom it was verified as)
// and the form draft.
// Storage can be unavailable (privacy modes, sandboxed frames): then memory lasts the page.
import { randomId } from '../../worker/src/ids'
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

/** A new visitor token: 24 random characters of Rocket.Chat's id alphabet (about 139 bits). */
export const newToken = (): string => randomId(24)

// A getter, because merely reading `window.localStorage` throws where storage is blocked.
export function createVisitorMemory(storage: () => Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
  const fallback = new Map<string, string>()
  const get = (key: string) => {
    try {
      return storage().getItem(key) ?? undefined
    } catch {
      return fallback.get(key)
    }
  }
  const set = (key: string, value: string) => {
    try {
      storage().setItem(key, value)
    } catch {
      fallback.set(key, value)
    }
  }
  const remove = (...keys: string[]) => {
    for (const key of keys) {
      fallback.delete(key)
      try {
        storage().removeItem(key)
      } catch {}
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
    /** The visitor's token, created on first need. */
    token(create = true): string | undefined {
      let token = get(TOKEN)
      if (!token && create) set(TOKEN, (token = newToken()))
      return token
    },
    /** Adopts a token chosen by the host page; a different visitor invalidates the registration. */
    setToken(token: string): boolean {
      if (get(TOKEN) === token) return false
      remove(REGISTRATION)
      set(TOKEN, token)
      return true
    },
    registration: () => json<Registration>(REGISTRATION),
    saveRegistration: (registration: Registration) => set(REGISTRATION, JSON.stringify(registration)),
    forgetRegistration: () => remove(REGISTRATION),
    draft: () => json<Record<string, string>>(DRAFT),
    saveDraft: (values: Record<string, string>) => set(DRAFT, JSON.stringify(values)),
    clearDraft: () => remove(DRAFT),
    clear: () => remove(TOKEN, REGISTRATION, DRAFT),
  }
}

export type VisitorMemory = ReturnType<typeof createVisitorMemory>
