// Registering the visitor: the request and what its answer changes. In the submit chunk, as it
// runs only once the visitor submits the form or the host page registers them (the form fetches
// the chunk as it appears, so a submit does not wait for it). The widget takes a snapshot of its
// state at the call (RegisterCall): a reset(), another token or identity meanwhile makes the answer stale.
import { postJson, type ApiClient, type OnRetry, type VisitorPayload } from './api-client'
import { newToken } from './visitor-memory'
import { alreadySent, defined, sourcePage, toPayload } from './visitor-payload'
import type { Guest, RegisterCall, RegisterResult, Widget } from './widget'

/** POST livechat/visitor, telling the page the form was filled on (for the contact's first registration). */
export const postVisitor = (api: ApiClient, visitor: VisitorPayload, onRetry?: OnRetry, turnstile?: string) =>
  api.call<{ visitor: { name?: string; token?: string; verified?: true } }>(
    '/api/v1/livechat/visitor',
    postJson({ visitor: { ...visitor, sourcePage: sourcePage() } }, turnstile),
    onRetry,
  )

/** Registers (or updates) the visitor; data the last success already sent sends nothing. */
export function register(w: Widget, at: RegisterCall, guest: Guest, onRetry?: OnRetry, turnstile?: string): Promise<RegisterResult> {
  const { prefill, registration, identity, who, inflight } = at
  const { memory } = w
  // The visitor's first registration makes their token (or takes the one a registration asked for at
  // the same time made); a fresh one, never kept, if a reset() or another token came meanwhile.
  const token = at.token ?? (w.state.generation === at.generation ? memory.token(newToken)! : newToken())
  const merged = {
    ...defined(prefill),
    ...defined(guest),
    customFields: { ...prefill.customFields, ...guest.customFields },
  }
  // Consent given once goes along with this visitor's later updates.
  const payload = toPayload(token, { ...merged, consent: guest.consent || registration?.sent?.consent })
  // The identity goes along until the server has verified this token as this person.
  if (identity && !(who && registration?.who === who)) payload.identity = identity
  if (!payload.identity && alreadySent(payload, registration?.sent)) return Promise.resolve({ ok: true })
  const key = JSON.stringify(payload)
  if (!inflight.has(key)) {
    const request = postVisitor(w.api, payload, onRetry, turnstile).then((res): RegisterResult => {
      inflight.delete(key)
      const { identity: sentIdentity, ...sent } = payload
      if (!res.ok) {
        // An expired or badly signed identity, or a site without the secret: the site owner must act.
        if (sentIdentity && /identity|config/.test(res.errorType!)) console.warn('LiveChat: identity refused:', res.error)
        return res
      }
      // A reset(), a new token or another person's identity while in flight makes this answer stale.
      if (memory.token() === payload.token && (!sentIdentity || sentIdentity.identifier === w.held.identity?.identifier)) {
        const { visitor } = res.data
        const name = visitor?.name ?? payload.name
        const adopted = visitor?.token && visitor.token !== payload.token
        const kept = adopted ? undefined : memory.registration()?.who
        // Rocket.Chat's phone match updates an existing visitor that keeps its own token, and a
        // verified identity answers its visitor's (or a fresh) token: adopt it, or this visitor
        // would be unknown on the next page load.
        if (adopted) memory.setToken(visitor.token!)
        memory.saveRegistration({ sent, name, who: sentIdentity ? who : kept })
        memory.clearDraft()
        w.set({ known: { name } })
      }
      return { ok: true }
    })
    inflight.set(key, request)
  }
  return inflight.get(key)!
}
