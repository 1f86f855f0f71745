// Rocket.Chat's upsert for POST /api/v1/livechat/visitor: find by token, else by phone
// (which keeps its old token), else by email (which takes the new one), else create.
import type { ContactStore } from './contact-store.ts'
import type { Visitor } from './visitor.ts'
import type { VisitorInput } from './visitor-input.ts'
import type { ClaimPlan, TokenClaim, VisitorRegistry } from './visitor-registry.ts'

export async function registerVisitor(
  input: VisitorInput,
  store: ContactStore,
  registry: DurableObjectStub<VisitorRegistry>,
): Promise<Visitor> {
  // Fast path, no Durable Object: the token is known here (2 reads, 1 write + changed indexes).
  const known = await store.findByToken(input.token)
  if (known) return save(store, known, known, input)

  const { phone, email, matchByContact } = input
  const byPhone = matchByContact && phone ? await store.findByPhone(phone) : null
  const byEmail = matchByContact && !byPhone && email ? await store.findByEmail(email) : null
  const plan: ClaimPlan = byPhone
    ? { kind: 'peek' }
    : byEmail
      ? { kind: 'adopt', visitor: byEmail }
      : { kind: 'create', username: input.username }

  // The registry decides who owns this token. It may already know it even though KV here
  // does not (a registration elsewhere or a concurrent one); then that visitor is updated.
  const claim = (await registry.claim(input.token, plan)) as TokenClaim | null
  if (!claim) return save(store, byPhone!, byPhone, input)
  if (claim.created) return save(store, newVisitor(claim), null, input)
  const stored = byEmail?._id === claim._id ? byEmail : await store.getVisitor(claim._id)
  return save(store, { ...(stored ?? newVisitor(claim)), token: claim.token }, stored, input)
}

const newVisitor = ({ _id, username, ts, token }: TokenClaim): Visitor => ({
  _id, username, token, ts, status: 'online', _updatedAt: ts,
})

/** Applies the input to `base` (set-only) and stores it; `previous` is what KV holds now. */
async function save(store: ContactStore, base: Visitor, previous: Visitor | null, input: VisitorInput): Promise<Visitor> {
  const next: Visitor = { ...base, status: 'online', _updatedAt: new Date().toISOString() }
  if (input.name) next.name = input.name
  if (input.phone) next.phone = [{ phoneNumber: input.phone }]
  if (input.email) next.visitorEmails = [{ address: input.email }]
  if (input.department) next.department = input.department
  if (input.customFields.length > 0) next.livechatData = mergeCustomFields(base.livechatData, input.customFields)
  await store.saveVisitor(next, previous)
  return next
}

/** `overwrite: false` only fills a field that is empty. */
function mergeCustomFields(current: Record<string, string> = {}, sent: VisitorInput['customFields']) {
  const data = { ...current }
  for (const { key, value, overwrite } of sent) if (overwrite || !data[key]) data[key] = value
  return data
}
