// How the pre-chat form's fields validate (with the server's own rules), what the form's values
// register, and how a server error maps back onto a field. In the submit chunk.
import {
  LIMITS,
  hasControlCharacters,
  isValidCustomValue,
  isValidEmail,
  normalizeEmail,
} from '../../shared/visitor-rules'
import type { ConfigField, LivechatConfig } from './api-client'
import type { ErrorKey, FieldSpec, Values } from './form-rules'
import type { Guest } from './widget'

const LIMIT: Record<string, number> = { name: LIMITS.name, email: LIMITS.email, phone: LIMITS.phone }

export function validate(fields: FieldSpec[], values: Values): Record<string, ErrorKey> {
  const errors: Record<string, ErrorKey> = {}
  for (const { key, required, custom } of fields) {
    const value = (values[key] ?? '').trim()
    if (!value) {
      if (required) errors[key] = 'required'
    } else if (value.length > (LIMIT[key] ?? LIMITS.customValue)) errors[key] = 'tooLong'
    else if (hasControlCharacters(value)) errors[key] = 'invalidValue'
    else if (key === 'email' && !isValidEmail(normalizeEmail(value))) errors[key] = 'invalidEmail'
    else if (custom && !isValidCustom(custom, value)) errors[key] = 'invalidValue'
  }
  return errors
}

// visitor-rules only reads type/options/regexp; a broken regexp from the server is left to the server.
function isValidCustom(field: ConfigField, value: string): boolean {
  try {
    return isValidCustomValue(field, value)
  } catch {
    return true
  }
}

/**
 * The form's values as registration data; empty optional fields are left out. One department
 * is sent silently. A custom field left as the host page prefilled it keeps the host's overwrite flag.
 */
export function toGuest(config: LivechatConfig, fields: FieldSpec[], values: Values, prefill: Guest): Guest {
  const value = (key: string) => (values[key] ?? '').trim() || undefined
  const customFields: Guest['customFields'] = {}
  for (const { key, custom } of fields) {
    const v = value(key)
    const prefilled = custom && prefill.customFields?.[custom._id]
    if (custom && v) customFields[custom._id] = { value: v, overwrite: prefilled?.value !== v || prefilled.overwrite }
  }
  const departments = config.departments ?? []
  const email = value('email')
  return {
    name: value('name'),
    email: email && normalizeEmail(email),
    phone: value('phone'),
    department: departments.length === 1 ? departments[0]._id : value('department'),
    customFields,
    consent: value('consent') ? true : undefined,
  }
}

/** The field a server error names, with the message to show there; undefined when it names none. */
export function fieldOfServerError(
  fields: FieldSpec[],
  error: string,
  errorType?: string,
): Record<string, ErrorKey> | undefined {
  const has = (key: string) => fields.some((f) => f.key === key)
  if (errorType === 'error-invalid-email' && has('email')) return { email: 'invalidEmail' }
  if (errorType === 'error-invalid-department' && has('department')) return { department: 'invalidValue' }
  // Rocket.Chat-style messages may end in " [error-type]".
  error = error.replace(/\s*\[[\w-]+\]$/, '')
  const customs = fields.filter((f) => f.custom)
  const named = (name: string) => customs.find((f) => f.custom!._id === name || f.custom!.label === name)
  const missing = /^Missing required custom fields: (.+)$/.exec(error)
  if (missing) {
    const found = missing[1].split(',').map((n) => named(n.trim())).filter((f) => f !== undefined)
    if (found.length) return Object.fromEntries(found.map((f) => [f.key, 'required' as const]))
  }
  const invalid = /^Invalid value for (.+) field/.exec(error)
  const field = invalid && named(invalid[1])
  if (field) return { [field.key]: 'invalidValue' }
  return undefined
}
