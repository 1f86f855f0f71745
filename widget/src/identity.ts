// LiveChat.identify() and registerGuest({identity}), in the extras chunk: most sites never call them.
import { sha256Hex } from '../../shared/ids'
import { IDENTIFIER_MAX_LENGTH, hasControlCharacters, type VisitorIdentity } from '../../shared/visitor-rules'
import { defined } from './visitor-payload'
import type { Identify, RegisterResult, Widget } from './widget'

/** The shape the Worker accepts. The signature itself is the Worker's to check, never ours. */
const isIdentity = ({ identifier, expires, signature }: Partial<VisitorIdentity>) =>
  typeof identifier == 'string' &&
  !!identifier &&
  identifier.length <= IDENTIFIER_MAX_LENGTH &&
  !hasControlCharacters(identifier) &&
  Number.isInteger(expires) &&
  typeof signature == 'string' &&
  /^[0-9a-f]{64}$/.test(signature)

/**
 * Gives `w` the host's signed identity for this and later registrations. A visitor already
 * registered here is re-registered at once (`now`), so the server links them; otherwise the
 * identity rides along with the next registration. A different person starts afresh.
 */
export async function identify(w: Widget, input: Identify, now: boolean): Promise<RegisterResult> {
  const { identifier, expires, signature, name, email, phone } = input ?? {}
  const next = { identifier, expires, signature }
  if (!isIdentity(next)) {
    console.warn('LiveChat: identity ignored; expected {identifier, expires, signature: 64 hex}')
    return { ok: false, error: 'Invalid identity', errorType: 'error-invalid-identity' }
  }
  const hash = await sha256Hex(identifier).catch(() => '')
  const registration = w.memory.registration()
  const held = w.held.identity
  // Someone else than the identity held, or than the stored registration was verified as:
  // never show them the previous person's data.
  if ((held && held.identifier !== identifier) || (registration?.who != null && (registration.who !== hash || !hash))) w.reset()
  Object.assign(w.held, { identity: next, who: hash })
  w.prefill(defined({ name, email, phone }))
  return now && registration ? w.register({}) : { ok: true }
}
