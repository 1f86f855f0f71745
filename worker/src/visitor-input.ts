// The body of POST /api/v1/livechat/visitor: checked and normalised before anything is read
// or written, so a bad request changes nothing.
import * as v from 'valibot'
import { visitorFields, type Config } from './config.ts'
import { ApiError } from './responses.ts'
import type { Visitor } from './visitor.ts'
import { parseOrThrow, text } from './validation.ts'
import { LIMITS, isValidCustomValue, isValidEmail, isValidToken, normalizeEmail } from './visitor-rules.ts'

const Body = v.strictObject({
  // Rocket.Chat tolerates and ignores unknown keys inside `visitor`; so do we.
  visitor: v.object({
    token: v.string(),
    name: v.optional(text(LIMITS.name)),
    email: v.optional(text(LIMITS.email)),
    phone: v.optional(text(LIMITS.phone)),
    department: v.optional(text(LIMITS.department)),
    username: v.optional(text(LIMITS.username)),
    customFields: v.optional(
      v.pipe(
        // Keys and values are checked only for the fields that apply: others are ignored, as in Rocket.Chat.
        v.array(v.object({ key: v.string(), value: v.string(), overwrite: v.boolean() })),
        v.maxLength(50, 'must have at most 50 entries'),
      ),
    ),
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
}

export function parseVisitorInput(body: unknown, config: Config): VisitorInput {
  const { visitor } = parseOrThrow(Body, body)
  const { token } = visitor
  if (!token.trim()) throw ApiError.coded('error-invalid-token', 'Token cannot be empty')
  if (!isValidToken(token))
    throw ApiError.coded('error-invalid-token', `Token must be 1-${LIMITS.token} letters, digits, '-' or '_'`)

  // Like Rocket.Chat, empty strings mean "not sent".
  const email = visitor.email ? normalizeEmail(visitor.email) : undefined
  if (email !== undefined && !isValidEmail(email)) throw ApiError.coded('error-invalid-email', `Invalid email ${email}`)

  const department = visitor.department ? findDepartment(config, visitor.department) : undefined

  return {
    token,
    name: visitor.name || undefined,
    email,
    phone: visitor.phone || undefined,
    department,
    username: visitor.username || undefined,
    customFields: checkCustomFields(config, visitor.customFields ?? []),
  }
}

function findDepartment(config: Config, idOrName: string): string {
  const found = config.LIVECHAT_DEPARTMENTS.find((d) => d._id === idOrName || d.name === idOrName)
  if (!found) throw ApiError.coded('error-invalid-department', 'The provided department is invalid')
  return found._id
}

function checkCustomFields(config: Config, sent: VisitorInput['customFields']): VisitorInput['customFields'] {
  if (sent.length === 0) return []
  const fields = visitorFields(config)
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
  if (input.customFields.length > 0) {
    // `overwrite: false` only fills a field that is empty.
    const data = { ...base.livechatData }
    for (const { key, value, overwrite } of input.customFields) if (overwrite || !data[key]) data[key] = value
    next.livechatData = data
  }
  return next
}
