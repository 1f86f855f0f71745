// A contact as the console shows and exports it (the edit form's rules are in contact-form.ts,
// loaded with the contact view).
import type { ConfigField, Visitor } from './api'

export const emailsOf = (v: Visitor) => (v.visitorEmails ?? []).map((e) => e.address)
export const phonesOf = (v: Visitor) => (v.phone ?? []).map((p) => p.phoneNumber)
export const displayName = (v: Visitor) => v.name || v.username

/** The URL when it is an http(s) one, fit for a link; undefined otherwise (javascript:, data:…). */
export function webUrl(url: string): string | undefined {
  try {
    return /^https?:$/.test(new URL(url).protocol) ? url : undefined
  } catch {
    return undefined
  }
}

export function formatDate(iso: string | undefined): string {
  const date = new Date(iso ?? '')
  return isNaN(date.getTime()) ? iso ?? '' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** Custom field columns: the server's definitions in order, then any other livechatData key found
 * (a field since removed from the config still shows). */
export function customColumns(fields: ConfigField[], visitors: Visitor[]): { key: string; label: string }[] {
  const columns = fields.map((f) => ({ key: f._id, label: f.label || f._id }))
  const known = new Set(columns.map((c) => c.key))
  for (const v of visitors) {
    for (const key of Object.keys(v.livechatData ?? {})) {
      if (!known.has(key)) {
        known.add(key)
        columns.push({ key, label: key })
      }
    }
  }
  return columns
}
