// The body of POST /api/v1/omnichannel/contacts.update (Rocket.Chat's): an edit of one contact
// found by its _id. A key left out stays as it is; nothing here creates a contact or touches its
// token, so an edit that arrives after an erasure cannot bring the contact back.
import * as v from 'valibot'
import { contactFields } from '../config.ts'
import { ApiError } from '../http/responses.ts'
import { emailText, fieldValues, maybe, parseOrThrow, text } from '../http/validation.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { LIMITS, isValidCustomValue, isValidEmail } from '../../../shared/visitor-rules.ts'

const notBlank = v.check((s: string) => s.trim() !== '', 'must not be empty')
// Rocket.Chat's contacts hold lists; a visitor here has one email and one phone.
const atMostOne = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.maxLength(1, 'must have at most 1 entry'))

const Body = v.strictObject({
  contactId: v.string(),
  name: maybe(v.pipe(text(LIMITS.name), notBlank)),
  emails: maybe(atMostOne(v.pipe(emailText, notBlank))),
  phones: maybe(atMostOne(v.pipe(text(LIMITS.phone), notBlank))),
  customFields: maybe(fieldValues),
  contactManager: maybe(v.string()),
  // Rocket.Chat resolves conflicts between contacts merged from several channels: none arise here.
  wipeConflicts: maybe(v.boolean()),
})

/** An edit: undefined leaves a field as it is, null removes it. */
export interface ContactUpdate {
  contactId: string
  name?: string
  email?: string | null
  phone?: string | null
  /** [field id, new value] pairs (pairs: an id may be `__proto__`); null removes the value. Only
   * the contact's configured fields. */
  customFields?: [string, string | null][]
  /** The username of the contact's manager, or null to remove the manager. */
  contactManager?: string | null
}

/** The edit, and the user id of the agent it names as manager (for the caller to check and
 * resolve to a username: the registry does not read agents). */
export interface ParsedContactUpdate {
  update: Omit<ContactUpdate, 'contactManager'> & { contactManager?: null }
  managerId?: string
}

const listed = (list: string[] | null | undefined) => (list == null ? undefined : list[0] ?? null)

export function parseContactUpdate(body: unknown, env: Env): ParsedContactUpdate {
  const input = parseOrThrow(Body, body)
  const email = listed(input.emails)
  if (email && !isValidEmail(email)) throw ApiError.coded('error-invalid-email', `Invalid email ${email}`)
  return {
    update: {
      contactId: input.contactId,
      name: input.name ?? undefined,
      email,
      phone: listed(input.phones),
      customFields: input.customFields ? customFieldChanges(env, input.customFields) : undefined,
      ...(input.contactManager === '' && { contactManager: null }),
    },
    managerId: input.contactManager || undefined,
  }
}

/** The configured fields among `sent`, trimmed and checked; '' removes a value, which a required
 * field refuses. Other keys are ignored, as Rocket.Chat does. */
function customFieldChanges(env: Env, sent: Record<string, unknown>): [string, string | null][] {
  const changes: [string, string | null][] = []
  for (const field of contactFields(env)) {
    if (!Object.hasOwn(sent, field._id)) continue
    const raw = sent[field._id]
    const value = typeof raw === 'string' ? raw.trim() : undefined
    if (value === undefined || (value === '' && field.required) || (value !== '' && !isValidCustomValue(field, value)))
      throw new ApiError(400, `Invalid value for ${field.label || field._id} field`)
    changes.push([field._id, value || null])
  }
  return changes
}

/** The contact after the edit. */
export function applyContactUpdate(base: Visitor, update: ContactUpdate): Visitor {
  const next: Visitor = { ...base, _updatedAt: new Date().toISOString() }
  if (update.name !== undefined) next.name = update.name
  if (update.email === null) delete next.visitorEmails
  else if (update.email !== undefined) next.visitorEmails = [{ address: update.email }]
  if (update.phone === null) delete next.phone
  else if (update.phone !== undefined) next.phone = [{ phoneNumber: update.phone }]
  if (update.contactManager === null) delete next.contactManager
  else if (update.contactManager !== undefined) next.contactManager = { username: update.contactManager }
  if (update.customFields) {
    // A null prototype: field ids such as `constructor` are plain keys here.
    const data: Record<string, string> = Object.assign(Object.create(null), base.livechatData)
    for (const [key, value] of update.customFields) {
      if (value === null) delete data[key]
      else data[key] = value
    }
    // Back to a plain object: RPC cannot clone a null prototype.
    next.livechatData = { ...data }
  }
  return next
}
