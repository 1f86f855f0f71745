// The body of POST /api/v1/omnichannel/contact (an agent's create-or-update), checked before
// anything is read or written, with Rocket.Chat's registerContact semantics.
import * as v from 'valibot'
import { contactFields } from '../config.ts'
import { ApiError } from '../http/responses.ts'
import { checkTokenShape, emailText, fieldValues, maybe, parseOrThrow, text, usernameText } from '../http/validation.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { LIMITS, isValidCustomValue, isValidEmail } from '../../../shared/visitor-rules.ts'

const Body = v.strictObject({
  // Accepted as Rocket.Chat does, and as there, not used: the token and email find the contact.
  _id: maybe(v.string()),
  token: v.string(),
  name: text(LIMITS.name),
  email: maybe(emailText),
  phone: maybe(text(LIMITS.phone)),
  username: maybe(usernameText),
  customFields: maybe(fieldValues),
  contactManager: maybe(v.strictObject({ username: text(LIMITS.username) })),
})

export interface ContactInput {
  token: string
  name: string
  /** Empty: the contact has no email afterwards. */
  email: string
  /** Absent: kept; empty: removed. */
  phone?: string
  /** Used only when the contact is created. */
  username?: string
  /** Replaces livechatData whole. */
  livechatData: Record<string, string>
  /** Checked by the caller against the agents. */
  contactManager?: string
  /** The consent the visitor gave (an offline message's form); agents' saves keep the contact's. */
  consent?: Visitor['consent']
}

export function parseContactInput(body: unknown, env: Env): ContactInput {
  const input = parseOrThrow(Body, body)
  if (!input.token.trim()) throw ApiError.coded('error-invalid-contact-data', 'Invalid visitor token')
  checkTokenShape(input.token)
  const email = input.email ?? ''
  if (email && !isValidEmail(email)) throw ApiError.coded('error-invalid-email', `Invalid email ${email}`)
  return {
    token: input.token,
    name: input.name,
    email,
    phone: input.phone ?? undefined,
    username: input.username || undefined,
    livechatData: customFieldValues(env, input.customFields ?? {}),
    contactManager: input.contactManager?.username || undefined,
  }
}

/** Rocket.Chat's validateCustomFields: the contact's fields only, trimmed; required ones present;
 * each valid for its `options` and `regexp`; other keys ignored. */
function customFieldValues(env: Env, sent: Record<string, unknown>): Record<string, string> {
  // A null prototype: a field id such as `__proto__` is a plain key here (assigning it to a plain
  // object would set its prototype instead).
  const values: Record<string, string> = Object.create(null)
  for (const field of contactFields(env)) {
    const raw = Object.hasOwn(sent, field._id) ? sent[field._id] : undefined
    const value = typeof raw === 'string' ? raw.trim() : ''
    const invalid = () => new ApiError(400, `Invalid value for ${field.label || field._id} field`)
    if (!value) {
      if (field.required) throw invalid()
      continue
    }
    if (!isValidCustomValue(field, value)) throw invalid()
    values[field._id] = value
  }
  // Back to a plain object (spread defines `__proto__` as an own key): RPC cannot clone a null prototype.
  return { ...values }
}

/** The contact after an agent's save: name and livechatData set; email and phone as sent. The
 * token stays the contact's own (a new contact was made with the token sent). */
export function applyContactInput(base: Visitor, input: ContactInput): Visitor {
  const { visitorEmails: _e, phone: _p, contactManager: _m, ...rest } = base
  return {
    ...rest,
    name: input.name,
    _updatedAt: new Date().toISOString(),
    livechatData: input.livechatData,
    ...(input.email && { visitorEmails: [{ address: input.email }] }),
    ...(input.phone ? { phone: [{ phoneNumber: input.phone }] } : input.phone === undefined && base.phone ? { phone: base.phone } : {}),
    ...(input.contactManager && { contactManager: { username: input.contactManager } }),
    ...(input.consent && { consent: input.consent }),
  }
}
