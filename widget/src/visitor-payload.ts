// The registration request body: built stably from the visitor's data, and compared with
// the last one the server accepted so that data it already has is not sent again.
import { hasControlCharacters, hasLoneSurrogates } from '../../shared/visitor-rules'
import type { VisitorPayload } from './api-client'
import type { Guest } from './widget'

export const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v != null && v !== '')) as Partial<T>

/** The request payload, with a fixed key order and sorted custom fields so it serialises stably. */
export function toPayload(token: string, guest: Guest): VisitorPayload {
  const customFields = Object.entries(guest.customFields ?? {})
    .filter(([, field]) => field.value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, { value, overwrite }]) => ({ key, value, overwrite }))
  return defined({
    token,
    name: guest.name,
    email: guest.email,
    phone: guest.phone,
    department: guest.department,
    customFields: customFields.length ? customFields : undefined,
    consent: guest.consent,
  }) as VisitorPayload
}

/**
 * Whether every field of `payload` went out with the same value in `sent`. Tokens are not
 * compared: a stored registration always belongs to the current token (a new token forgets it).
 */
export function alreadySent(payload: VisitorPayload, sent: VisitorPayload | undefined): boolean {
  if (!sent) return false
  const same = (['name', 'email', 'phone', 'department'] as const).every((key) => payload[key] == null || payload[key] === sent[key])
  return same && (payload.customFields ?? []).every((f) => sent.customFields?.some((s) => s.key === f.key && s.value === f.value))
}

/**
 * The host page (where the form is filled, where a chat goes on: registration's sourcePage and
 * page.visited), as the Worker accepts it (an http(s) URL of at most 2,048 characters, a title of
 * at most 256, cut without splitting a character), or nothing: a page it would refuse must not
 * cost the visitor their registration.
 */
export function sourcePage() {
  const url = location.href
  const title = document.title.slice(0, 256).replace(/[\ud800-\udbff]$/, '')
  if (/^https?:/.test(url) && url.length <= 2048 && !hasControlCharacters(title) && !hasLoneSurrogates(title)) return { url, title }
}
