// The body of POST /api/v1/livechat/visitor: checked and normalised before anything is read
// or written, so a bad request changes nothing.
import * as v from 'valibot'
import { setting, visitorFields } from '../config.ts'
import { ApiError } from '../http/responses.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { verifyIdentity } from './visitor-identity.ts'
import { checkTokenShape, emailText, httpUrlText, maybe, parseOrThrow, text, usernameText } from '../http/validation.ts'
import { IDENTIFIER_MAX_LENGTH, LIMITS, isValidCustomValue, isValidEmail } from '../../../shared/visitor-rules.ts'

const Body = v.strictObject({
  // Rocket.Chat tolerates and ignores unknown keys inside `visitor`; so do we.
  visitor: v.object({
    token: v.string(),
    name: maybe(text(LIMITS.name)),
    email: maybe(emailText),
    phone: maybe(text(LIMITS.phone)),
    department: maybe(text(LIMITS.department)),
    username: maybe(usernameText),
    customFields: maybe(
      v.pipe(
        // Keys and values are checked only for the fields that apply: others are ignored, as in Rocket.Chat.
        v.array(v.object({ key: v.string(), value: v.string(), overwrite: v.boolean() })),
        v.maxLength(50, 'must have at most 50 entries'),
      ),
    ),
    identity: maybe(v.strictObject({
      identifier: v.pipe(text(IDENTIFIER_MAX_LENGTH), v.minLength(1, 'must not be empty')),
      expires: v.pipe(v.number(), v.safeInteger('must be whole seconds since 1970')),
      signature: v.pipe(v.string(), v.regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (HMAC-SHA-256)')),
    })),
    // Ours, not Rocket.Chat's: checked even when unused, so a widget that sends them wrong finds out.
    consent: maybe(v.boolean()),
    sourcePage: maybe(v.object({ url: httpUrlText(2048), title: text(256) })),
  }),
})

/** What a registration asks to set; absent fields are left as they are. */
export interface VisitorInput {
  token: string
  name?: string
  email?: string
  phone?: string
  department?: string
  username?: string
  /** Only the allowed fields, in the order sent. */
  customFields: { key: string; value: string; overwrite: boolean }[]
  /** The identifier the site's backend vouched for, once its signature checked out. */
  identifier?: string
  /** The consent text agreed to now, when LIVECHAT_CONSENT_TEXT is set. */
  consent?: Visitor['consent']
  sourcePage?: Visitor['sourcePage']
}

/** Parses and checks the body; the settings it needs are read only when the body uses them (the
 * consent text always: it decides whether consent is needed). */
export async function parseVisitorInput(body: unknown, env: Env): Promise<VisitorInput> {
  const { visitor } = parseOrThrow(Body, body)
  const { token } = visitor
  if (!token.trim()) throw ApiError.coded('error-invalid-token', 'Token cannot be empty')
  checkTokenShape(token)

  // Like Rocket.Chat, empty strings mean "not sent".
  const email = visitor.email || undefined
  if (email !== undefined && !isValidEmail(email)) throw ApiError.coded('error-invalid-email', `Invalid email ${email}`)

  const department = visitor.department ? findDepartment(env, visitor.department) : undefined
  const customFields = checkCustomFields(env, visitor.customFields ?? [])
  const consent = checkConsent(env, visitor.consent)
  // Last: every other check is cheaper, and a refused body must not cost an HMAC.
  const identifier = visitor.identity ? await verifyIdentity(visitor.identity, env) : undefined

  return {
    token,
    name: visitor.name || undefined,
    email,
    phone: visitor.phone || undefined,
    department,
    username: visitor.username || undefined,
    customFields,
    identifier,
    consent,
    sourcePage: visitor.sourcePage ?? undefined,
  }
}

/** Rocket.Chat's forceAcceptDataProcessingConsent, enforced here too: the widget's checkbox alone
 * proves nothing. Off (no text), `consent` is ignored. */
export function checkConsent(env: Env, agreed: boolean | null | undefined): VisitorInput['consent'] {
  const text = setting(env, 'LIVECHAT_CONSENT_TEXT')
  if (!text) return undefined
  if (agreed !== true) throw ApiError.coded('error-consent-required', 'The data processing consent must be accepted')
  return { text, at: new Date().toISOString() }
}

function findDepartment(env: Env, idOrName: string): string {
  const found = setting(env, 'LIVECHAT_DEPARTMENTS').find((d) => d._id === idOrName || d.name === idOrName)
  if (!found) throw ApiError.coded('error-invalid-department', 'The provided department is invalid')
  return found._id
}

function checkCustomFields(env: Env, sent: VisitorInput['customFields']): VisitorInput['customFields'] {
  if (sent.length === 0) return []
  const fields = visitorFields(env)
  const allowed = sent.filter((s) => fields.some((f) => f._id === s.key))
  for (const entry of allowed) {
    const field = fields.find((f) => f._id === entry.key)!
    if (entry.value && !isValidCustomValue(field, entry.value))
      throw ApiError.coded('error-invalid-custom-field-value', `Invalid value for ${field.label} field`)
  }
  const missing = fields.filter((f) => f.required && !allowed.some((s) => s.key === f._id && s.value))
  if (missing.length > 0) throw new ApiError(400, `Missing required custom fields: ${missing.map((f) => f._id).join(', ')}`)
  return allowed
}

/** The visitor after a registration: set-only, so fields not sent are kept. */
export function applyVisitorInput(base: Visitor, input: VisitorInput): Visitor {
  const next: Visitor = { ...base, status: 'online', _updatedAt: new Date().toISOString() }
  if (input.name) next.name = input.name
  if (input.phone) next.phone = [{ phoneNumber: input.phone }]
  if (input.email) next.visitorEmails = [{ address: input.email }]
  if (input.department) next.department = input.department
  if (input.identifier) next.verified = true
  // The first agreement to a text is what counts: later updates that send it again keep its time.
  if (input.consent && input.consent.text !== base.consent?.text) next.consent = input.consent
  // Where the contact came from: the first page only.
  if (input.sourcePage && !base.sourcePage) next.sourcePage = input.sourcePage
  if (input.customFields.length > 0) {
    // A null prototype: field ids such as `constructor` or `__proto__` are plain keys here.
    const data: Record<string, string> = Object.assign(Object.create(null), base.livechatData)
    // `overwrite: false` only fills a field that is empty.
    for (const { key, value, overwrite } of input.customFields) if (overwrite || !data[key]) data[key] = value
    // Back to a plain object (spread defines `__proto__` as an own key): RPC cannot clone a null prototype.
    next.livechatData = { ...data }
  }
  return next
}
