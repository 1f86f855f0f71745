// Validation rules for a visitor's fields. Pure and dependency-free: the widget imports
// this same module so the form and the API can never disagree.

// Apart, so that what the widget imports (isValidToken) does not bring all of LIMITS along.
const TOKEN_MAX_LENGTH = 128

/** Longest accepted value of each visitor field, in characters. */
export const LIMITS = {
  token: TOKEN_MAX_LENGTH,
  name: 256,
  email: 254,
  phone: 64,
  username: 64,
  department: 128,
  customValue: 1024,
  /** Longest value a custom field's `regexp` is run on: a bound on any backtracking left. */
  patternInput: 256,
} as const

// Tokens become part of KV keys: a conservative alphabet rules out `/`, `:`, NUL and friends.
const TOKEN = /^[A-Za-z0-9_-]+$/
// Rocket.Chat's own email rule (apps/meteor/lib/emailValidator).
const EMAIL =
  /^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/

// C0 (NUL, tab, newline…), DEL and C1 (U+0080–U+009F, such as NEL and CSI).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** Control characters are refused in every visitor field. */
export const hasControlCharacters = (value: string): boolean => CONTROL.test(value)

// A UTF-16 surrogate without its pair: not a character. UTF-8 (HMAC input, SQLite text) turns it
// into U+FFFD, so two different strings would look alike there.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Refused in every visitor field. */
export const hasLoneSurrogates = (value: string): boolean => LONE_SURROGATE.test(value)

// Characters that show nothing, so two usernames that differ only by them would look the same:
// format characters (zero-width, bidirectional controls, soft hyphen…), every other default-
// ignorable code point (combining grapheme joiner, variation selectors, Hangul fillers…), line and
// paragraph separators, and the blank Braille pattern.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\u2800]/u
const EDGE_SPACE = /^[\s\p{Z}]|[\s\p{Z}]$/u

/** Why a username is refused, or null when it may be stored. */
export function usernameProblem(username: string): string | null {
  if (INVISIBLE.test(username)) return 'must not contain invisible or formatting characters'
  if (EDGE_SPACE.test(username)) return 'must not start or end with a space'
  return null
}

/** The form in which usernames are compared: NFKC (so full-width and other compatibility forms
 * equal their plain letters), then case folded (lower, upper, lower: ẞ, ß, SS and ss all end as
 * ss, ς as σ), then NFKC again. */
export const usernameKey = (username: string): string =>
  username.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC')

export const isValidToken = (token: string): boolean =>
  token.length <= TOKEN_MAX_LENGTH && TOKEN.test(token)

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

export const isValidEmail = (email: string): boolean =>
  email.length <= LIMITS.email && EMAIL.test(email)

/** A custom field definition, shaped as Rocket.Chat stores it. */
export interface CustomField {
  _id: string
  label: string
  scope: 'visitor' | 'room'
  visibility: 'visible' | 'hidden'
  type: 'input' | 'select'
  required: boolean
  regexp: string
  /** Comma-separated choices of a `select` field, as Rocket.Chat stores them. */
  options: string
  /** Agents can search contacts by it. */
  searchable?: boolean
}

export const fieldOptions = (field: Pick<CustomField, 'options'>): string[] =>
  field.options ? field.options.split(',').map((o) => o.trim()).filter(Boolean) : []

/** Whether a non-empty value fits the field: length, no control characters, `options`, `regexp`
 * (patterns are checked for nested quantifiers when the server loads them). */
export function isValidCustomValue(field: Pick<CustomField, 'type' | 'options' | 'regexp'>, value: string): boolean {
  if (value.length > LIMITS.customValue || hasControlCharacters(value) || hasLoneSurrogates(value)) return false
  const options = fieldOptions(field)
  if (field.type === 'select' && options.length > 0 && !options.includes(value)) return false
  if (!field.regexp) return true
  return value.length <= LIMITS.patternInput && new RegExp(field.regexp).test(value)
}

/**
 * A site's backend vouching for a visitor: `signature` is the lowercase hex HMAC-SHA-256 of
 * `${identifier}.${expires}` under the Worker secret VISITOR_IDENTITY_SECRET. `expires` is Unix
 * time in seconds, at most IDENTITY_MAX_LIFETIME_S ahead.
 */
export interface VisitorIdentity {
  identifier: string
  expires: number
  signature: string
}

export const IDENTITY_MAX_LIFETIME_S = 24 * 60 * 60
export const IDENTIFIER_MAX_LENGTH = 256
