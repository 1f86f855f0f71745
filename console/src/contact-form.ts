// The contact edit form's fields, rules and request body. Validation uses the server's own rules
// (shared/visitor-rules.ts), so the form refuses what the API would; this module loads with
// the contact view, not on the first screen.
import {
  LIMITS,
  fieldOptions,
  hasControlCharacters,
  hasLoneSurrogates,
  isValidCustomValue,
  isValidEmail,
  normalizeEmail,
} from '../../shared/visitor-rules'
import type { ConfigField, ContactUpdate, Visitor } from './api'
import { emailsOf, phonesOf } from './contact'

export type Values = Record<string, string>
export type Errors = Record<string, string>

export interface FormField {
  /** name, email, phone, or `cf.<_id>` for a custom field. */
  key: string
  label: string
  required: boolean
  type: 'text' | 'email' | 'tel'
  autocomplete?: string
  options?: string[]
  custom?: ConfigField
}

export const customKey = (id: string) => `cf.${id}`

export function formFields(custom: ConfigField[]): FormField[] {
  return [
    { key: 'name', label: 'Name', required: true, type: 'text', autocomplete: 'off' },
    { key: 'email', label: 'Email', required: false, type: 'email', autocomplete: 'off' },
    { key: 'phone', label: 'Phone', required: false, type: 'tel', autocomplete: 'off' },
    ...custom.map((field) => {
      const options = fieldOptions(field)
      return {
        key: customKey(field._id),
        label: field.label || field._id,
        required: field.required,
        type: 'text' as const,
        options: field.type === 'select' && options.length ? options : undefined,
        custom: field,
      }
    }),
  ]
}

export function initialValues(visitor: Visitor, custom: ConfigField[]): Values {
  const values: Values = { name: visitor.name ?? '', email: emailsOf(visitor)[0] ?? '', phone: phonesOf(visitor)[0] ?? '' }
  for (const field of custom) values[customKey(field._id)] = visitor.livechatData?.[field._id] ?? ''
  return values
}

const LIMIT: Record<string, number> = { name: LIMITS.name, email: LIMITS.email, phone: LIMITS.phone }

export const MESSAGES = {
  required: 'Enter a value: this field is required.',
  email: 'Enter a valid email address, like name@example.com.',
  invalid: "This value isn't allowed for this field.",
  tooLong: (max: number) => `Too long: at most ${max} characters.`,
  characters: 'Remove control or invalid characters.',
}

function validCustom(field: ConfigField, value: string): boolean {
  try {
    return isValidCustomValue(field, value)
  } catch {
    return true // A pattern the browser cannot compile is the server's to judge.
  }
}

export function validate(fields: FormField[], values: Values): Errors {
  const errors: Errors = {}
  for (const { key, required, custom } of fields) {
    const value = (values[key] ?? '').trim()
    const max = LIMIT[key] ?? LIMITS.customValue
    if (!value) {
      if (required) errors[key] = MESSAGES.required
    } else if (value.length > max) errors[key] = MESSAGES.tooLong(max)
    else if (hasControlCharacters(value) || hasLoneSurrogates(value)) errors[key] = MESSAGES.characters
    else if (key === 'email' && !isValidEmail(normalizeEmail(value))) errors[key] = MESSAGES.email
    else if (custom && !validCustom(custom, value)) errors[key] = MESSAGES.invalid
  }
  return errors
}

/**
 * The update: the contact's id and only the fields the agent changed from what the form first
 * showed, so anything else (the contact manager, an extra email, a concurrent edit of another
 * field, livechatData the config no longer defines) stays as it is. An emptied email or phone is
 * sent as `[]` and an emptied custom field as `""`: both remove.
 */
export function toContactUpdate(contactId: string, fields: FormField[], initial: Values, values: Values): ContactUpdate {
  const value = (key: string) => (values[key] ?? '').trim()
  const changed = (key: string) => value(key) !== (initial[key] ?? '').trim()
  const update: ContactUpdate = { contactId }
  if (changed('name')) update.name = value('name')
  if (changed('email')) update.emails = value('email') ? [normalizeEmail(value('email'))] : []
  if (changed('phone')) update.phones = value('phone') ? [value('phone')] : []
  const custom = fields.filter((f) => f.custom && changed(f.key))
  if (custom.length) update.customFields = Object.fromEntries(custom.map((f) => [f.custom!._id, value(f.key)]))
  return update
}

/** The field a 400 names ("Invalid value for Address field", an invalid email), with its message. */
export function fieldOfServerError(fields: FormField[], error: string, errorType?: string): Errors | undefined {
  if (/email/i.test(errorType ?? '')) return { email: MESSAGES.email }
  const invalid = /^Invalid value for (.+) field/.exec(error)
  const field = invalid && fields.find((f) => f.custom && (f.label === invalid[1] || f.custom._id === invalid[1]))
  return field ? { [field.key]: MESSAGES.invalid } : undefined
}
