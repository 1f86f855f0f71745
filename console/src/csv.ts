// Contacts as CSV (RFC 4180: CRLF rows, quotes doubled), safe to open in a spreadsheet whatever
// its list separator. Every field is quoted, so a `;` or tab inside a value never splits it where
// the separator is `;` (German, French… Excel) or a tab. A ' goes before a value that could still
// start a formula cell, so it is read as text:
// - one starting with = + - @ (or NUL);
// - one starting with whitespace (tab and line breaks included): import options that trim spaces
//   bring what follows to the front, and a tab is itself a separator;
// - one starting with a quote or `;`: LibreOffice ends a quoted field at a quote followed by its
//   separator, so such a start would end the field at its opening quote and leave the rest of
//   the value unquoted, free to split into cells.
// Except a phone number (or several, "; " between them), kept as it is so that it imports intact
// into address books and CRMs: a leading + then digits, spaces, hyphens and parentheses only, at
// least 7 digits, no other + and no two hyphens in a row. With no letter, quote, `!` or `|` it
// names no function, cell or other program, so it runs nothing (a spreadsheet may at worst show
// "+1-555-0100" as a number); sums that only look numeric ("+1+1", "-2-3", "+1--2", "+12")
// are not phone numbers and keep their '.
import type { ConfigField, Department, Visitor } from './api'
import { customColumns, emailsOf, phonesOf } from './contact'

const UNSAFE_START = /^[\s\0=+\-@";]/
const PHONE = /^\+[\d(](?!.*-[ ()]*-)[\d ()-]*$/
const MIN_PHONE_DIGITS = 7

const isPhone = (value: string) => PHONE.test(value) && value.replace(/\D/g, '').length >= MIN_PHONE_DIGITS

export function csvCell(value: string): string {
  const text = UNSAFE_START.test(value) && !value.split('; ').every(isPhone) ? `'${value}` : value
  return `"${text.replaceAll('"', '""')}"`
}

export const csvRow = (cells: string[]) => cells.map(csvCell).join(',')

/**
 * One row per contact with every field but the token (a visitor's credential: exports travel).
 * Several emails or phones share one cell, separated by "; ". Departments by name (their id when
 * the config does not name it).
 */
export function contactsCsv(visitors: Visitor[], fields: ConfigField[], departments: Department[] = []): string {
  const departmentName = new Map(departments.map((d) => [d._id, d.name]))
  const custom = customColumns(fields, visitors)
  const header = ['ID', 'Username', 'Name', 'Email', 'Phone', 'Department', 'Status', 'Verified', 'Created', 'Updated', ...custom.map((c) => c.label)]
  const rows = visitors.map((v) => [
    v._id,
    v.username,
    v.name ?? '',
    emailsOf(v).join('; '),
    phonesOf(v).join('; '),
    (v.department && departmentName.get(v.department)) || v.department || '',
    v.status ?? '',
    v.verified ? 'yes' : 'no',
    v.ts ?? '',
    v._updatedAt ?? '',
    ...custom.map((c) => v.livechatData?.[c.key] ?? ''),
  ])
  // The byte order mark makes spreadsheet programs read the file as UTF-8.
  return '\uFEFF' + [header, ...rows].map(csvRow).join('\r\n') + '\r\n'
}

/** Hands `text` to the browser as a file download. */
export function download(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked later: some browsers start reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
