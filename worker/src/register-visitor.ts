// Rocket.Chat's upsert for POST /api/v1/livechat/visitor: find by token, else by phone
// (which keeps its old token), else by email (which takes the new one), else create.
import type { ContactStore } from './contact-store.ts'
import { applyVisitorInput, type VisitorInput } from './visitor-input.ts'
import type { ClaimPlan, TokenClaim, VisitorRegistry } from './visitor-registry.ts'
import type { Visitor } from './visitor.ts'

export async function registerVisitor(
  input: VisitorInput,
  store: ContactStore,
  registry: DurableObjectStub<VisitorRegistry>,
  matchByContact: boolean,
): Promise<Visitor> {
  // Fast path, no Durable Object: the token is known here (2 reads, 1 write + changed indexes).
  const known = await store.findByToken(input.token)
  if (known) return save(store, known, known, input)

  const { phone, email } = input
  const byPhone = matchByContact && phone ? await store.findByPhone(phone) : null
  const byEmail = matchByContact && !byPhone && email ? await store.findByEmail(email) : null
  const plan: ClaimPlan = byPhone ? { kind: 'peek' } : byEmail ? { kind: 'adopt', visitor: byEmail } : { kind: 'create', input }

  // The registry decides who owns this token. It may know an owner that KV here does not show
  // yet (registered at another location, or a concurrent first registration); then that
  // visitor is updated, starting from whichever copy is newer, never from a bare record.
  const claim = (await registry.claim(input.token, plan)) as TokenClaim | null
  if (!claim) return save(store, byPhone!, byPhone, input)
  if (claim.created) {
    await store.saveVisitor(claim.visitor, null)
    return claim.visitor
  }
  const stored = byEmail?._id === claim.visitor._id ? byEmail : await store.getVisitor(claim.visitor._id)
  const base = stored && stored._updatedAt >= claim.visitor._updatedAt ? stored : claim.visitor
  return save(store, { ...base, token: claim.visitor.token }, stored, input)
}

/** Applies the input to `base` and stores it; `previous` is what KV holds now. */
async function save(store: ContactStore, base: Visitor, previous: Visitor | null, input: VisitorInput): Promise<Visitor> {
  const next = applyVisitorInput(base, input)
  await store.saveVisitor(next, previous)
  return next
}
