// Which fields the pre-chat form shows (how they validate is form-checks.ts, in the submit chunk).
import { fieldOptions } from '../../shared/visitor-rules'
import type { ConfigField, LivechatConfig } from './api-client'

export type Values = Record<string, string>
export type ErrorKey = 'required' | 'invalidEmail' | 'invalidValue' | 'tooLong'

export interface FieldSpec {
  /** Key in the form values: name, email, phone, department, consent, or `cf.<_id>` for custom fields. */
  key: string
  required: boolean
  /** The site's label (custom fields, consent); else the widget's own for the key. */
  label?: string
  options?: { value: string; label: string }[]
  custom?: ConfigField
}

export const customKey = (id: string) => `cf.${id}`

export function formFields(config: LivechatConfig): FieldSpec[] {
  const form = { name: 'required', email: 'required', ...config.registrationForm }
  const fields: FieldSpec[] = (['name', 'email', 'phone'] as const)
    .filter((key) => form[key] && form[key] !== 'hidden')
    .map((key) => ({ key, required: form[key] === 'required' }))
  const departments = config.departments ?? []
  if (departments.length > 1) {
    fields.push({
      key: 'department',
      required: false,
      options: departments.map((d) => ({ value: d._id, label: d.name })),
    })
  }
  for (const custom of config.customFields ?? []) {
    const options = fieldOptions(custom).map((o) => ({ value: o, label: o }))
    fields.push({ key: customKey(custom._id), required: custom.required, label: custom.label, options: options.length ? options : undefined, custom })
  }
  // Rocket.Chat's data processing consent: the site's text, a box the visitor must tick.
  if (config.settings?.forceAcceptDataProcessingConsent) {
    fields.push({ key: 'consent', required: true, label: config.messages?.dataProcessingConsentText })
  }
  return fields
}
