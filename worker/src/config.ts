// The operator's settings ([vars], `--var`, secrets). Each one is parsed and validated on its
// own, the first time a request needs it, and cached per isolate: a broken setting fails only
// the endpoints that read it, and the log says which one and why.
import * as v from 'valibot'
import { isSafePattern } from './pattern-safety.ts'
import { ApiError } from './http/responses.ts'
import { hasControlCharacters, hasLoneSurrogates, isValidEmail, type CustomField } from '../../shared/visitor-rules.ts'
import { CHAT_TEXT_KEYS, FORM_TEXT_KEYS, OWNER_TEXT_MAX_LENGTH, WIDGET_LANGUAGES } from '../../shared/widget-texts.ts'
import { EVENT_TYPES, type EventType } from './notifications/event-types.ts'

const Visibility = v.picklist(['required', 'optional', 'hidden'])
const json = <S extends v.GenericSchema>(schema: S) =>
  v.pipe(v.string(), v.parseJson(), schema)

/** Custom field patterns run on visitors' input: ones with nested quantifiers are refused (ReDoS). */
const SafePattern = v.pipe(
  v.string(),
  v.check((r) => { try { new RegExp(r); return true } catch { return false } }, 'is not a valid regular expression'),
  v.check((r) => !r || isSafePattern(r), 'may backtrack catastrophically (nested quantifiers, or repeated alternatives such as (a|b)*: use [ab]*)'),
)

/** An exact browser origin, such as `https://shop.example`: no path, no trailing slash. */
const Origin = v.pipe(
  v.string(),
  v.check((o) => { try { return new URL(o).origin === o } catch { return false } }, 'is not an origin like https://shop.example'),
)
/** `'*'`, or the exact origins allowed. */
export type Origins = '*' | string[]
const OriginList = v.pipe(
  v.optional(v.string(), ''),
  v.transform((s) => (s.trim() === '*' ? '*' : s.split(',').map((o) => o.trim()).filter(Boolean))),
  v.union([v.literal('*'), v.array(Origin)]),
)

const Switch = v.picklist(['true', 'false'])

const WIDGET_TEXT_KEYS = [...FORM_TEXT_KEYS, ...CHAT_TEXT_KEYS]
/** One of the owner's widget texts: shown as plain text, on one line. */
const OwnerText = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(OWNER_TEXT_MAX_LENGTH, `must be at most ${OWNER_TEXT_MAX_LENGTH} characters`),
  v.check((s) => !hasControlCharacters(s) && !hasLoneSurrogates(s), 'must not contain control characters'),
)

/** An email address, or '' for none. */
const EmailAddress = v.pipe(
  v.optional(v.string(), ''),
  v.transform((s) => s.trim()),
  v.check((s) => s === '' || isValidEmail(s), 'is not an email address'),
)

/** A Turnstile key as the dashboard shows it: a pasted quote or space would only fail later, at Cloudflare. */
const TurnstileKey = v.pipe(
  v.optional(v.string(), ''),
  v.maxLength(256, 'must be at most 256 characters'),
  v.regex(/^[\x21-\x7e]*$/, 'must be the key exactly as the Turnstile dashboard shows it (no spaces or quotes)'),
)

/** Cloudflare's siteverify endpoint; the tests point TURNSTILE_VERIFY_URL at a local stand-in. */
export const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify'

const schemas = {
  ALLOWED_ORIGINS: OriginList,
  AGENT_ALLOWED_ORIGINS: OriginList,
  // Days a token from POST /api/v1/login stays valid.
  AGENT_SESSION_DAYS: v.pipe(
    v.optional(v.string(), '90'),
    v.regex(/^[1-9][0-9]{0,3}$/, 'must be a whole number of days, at least 1'),
    v.transform(Number),
    v.maxValue(3650, 'must be at most 3650 days'),
  ),
  CONTACT_INCLUDE_TOKEN: v.pipe(v.optional(Switch, 'true'), v.transform((s) => s === 'true')),
  MATCH_VISITORS_BY_CONTACT: v.optional(v.picklist(['verified', 'true', 'false']), 'verified'),
  RATE_LIMITS: v.optional(v.picklist(['on', 'off']), 'on'),
  LIVECHAT_CUSTOM_FIELDS: json(v.array(
    v.object({
      _id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
      label: v.string(),
      scope: v.picklist(['visitor', 'room']),
      visibility: v.optional(v.picklist(['visible', 'hidden']), 'visible'),
      type: v.optional(v.picklist(['input', 'select']), 'input'),
      required: v.optional(v.boolean(), false),
      regexp: v.optional(SafePattern, ''),
      options: v.optional(v.string(), ''),
      // Whether agents can find contacts by this field (contact.search's `custom`).
      searchable: v.optional(v.boolean(), false),
    }),
  )),
  LIVECHAT_DEPARTMENTS: json(v.array(v.object({ _id: v.pipe(v.string(), v.minLength(1)), name: v.string() }))),
  LIVECHAT_REGISTRATION_FORM: json(v.object({ name: Visibility, email: Visibility, phone: Visibility })),
  LIVECHAT_THEME: json(v.object({
    title: v.string(),
    color: v.string(),
    fontColor: v.string(),
    position: v.picklist(['right', 'left']),
  })),
  // The owner's versions of the widget's visitor-facing texts, per language the widget speaks and
  // per text (shared/widget-texts.ts): {"en": {"known": "Thanks! We reply within the hour."}}.
  LIVECHAT_WIDGET_TEXTS: v.pipe(
    v.optional(v.string(), ''),
    v.transform((s) => s.trim() || '{}'),
    v.parseJson(),
    v.record(
      v.picklist(WIDGET_LANGUAGES, `names a language the widget does not have: it has ${WIDGET_LANGUAGES.join(', ')}`),
      v.record(v.picklist(WIDGET_TEXT_KEYS, `names an unknown text: known ones are ${WIDGET_TEXT_KEYS.join(', ')}`), OwnerText),
    ),
  ),
  TURNSTILE_SITE_KEY: TurnstileKey,
  // A Workers secret; set, it turns Turnstile on (see http/turnstile.ts).
  TURNSTILE_SECRET_KEY: TurnstileKey,
  TURNSTILE_VERIFY_URL: v.pipe(
    v.optional(v.string(), SITEVERIFY_URL),
    v.transform((s) => s.trim() || SITEVERIFY_URL),
    v.check((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http(s) URL'),
  ),
  // Shown next to the form's required checkbox and stored with each contact that agrees: TOML's
  // multi-line strings are welcome, their line breaks become spaces, as the widget shows them.
  LIVECHAT_CONSENT_TEXT: v.pipe(
    v.optional(v.string(), ''),
    v.transform((s) => s.replace(/\s+/g, ' ').trim()),
    v.maxLength(2000, 'must be at most 2000 characters'),
    v.check((s) => !hasControlCharacters(s), 'must not contain control characters'),
  ),
  // Notifications (worker/src/notifications/): Rocket.Chat's Livechat_webhookUrl, '' = off.
  LIVECHAT_WEBHOOK_URL: v.pipe(
    v.optional(v.string(), ''),
    v.transform((s) => s.trim()),
    v.check((s) => s === '' || (URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)), 'must be an http(s) URL, or empty for no webhook'),
  ),
  // The payload types sent, comma-separated; empty: all of them.
  LIVECHAT_WEBHOOK_EVENTS: v.pipe(
    v.optional(v.string(), ''),
    v.transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean)),
    v.array(v.picklist(EVENT_TYPES, `lists an unknown type: known ones are ${EVENT_TYPES.join(', ')}`)),
    v.transform((types): readonly EventType[] => (types.length ? types : EVENT_TYPES)),
  ),
  // A Workers secret, Rocket.Chat's Livechat_secret_token: sent as X-RocketChat-Livechat-Token.
  LIVECHAT_WEBHOOK_SECRET: v.pipe(
    v.optional(v.string(), ''),
    // A header value: fetch would drop surrounding spaces, and a receiver refuse control characters.
    v.check((s) => !hasControlCharacters(s) && s.trim() === s, 'must not contain line breaks, other control characters or surrounding spaces'),
  ),
  // The owner's address, verified in Email Routing; '' = no email.
  LIVECHAT_EMAIL_TO: EmailAddress,
  // An address on the zone's Email Routing domain; required when LIVECHAT_EMAIL_TO is set.
  LIVECHAT_EMAIL_FROM: EmailAddress,
  // A Workers secret (`wrangler secret put`, or .dev.vars locally), needed only to verify identities.
  VISITOR_IDENTITY_SECRET: v.pipe(
    v.string('is not set'),
    v.minLength(32, 'must be at least 32 characters (use: openssl rand -hex 32)'),
  ),
}

type Schemas = typeof schemas
export type SettingName = keyof Schemas
export type Setting<K extends SettingName> = v.InferOutput<Schemas[K]>
export type MatchMode = Setting<'MATCH_VISITORS_BY_CONTACT'>

const cache = new WeakMap<object, Map<SettingName, unknown>>()

/** The setting `name`, validated; throws 500 `[error-invalid-config]` (and logs why) when it is broken. */
export function setting<K extends SettingName>(env: Env, name: K): Setting<K> {
  let parsed = cache.get(env)
  if (!parsed) cache.set(env, (parsed = new Map()))
  if (parsed.has(name)) return parsed.get(name) as Setting<K>
  const checked = checkSetting(name, (env as unknown as Record<string, unknown>)[name])
  if (!checked.ok) throw configError(checked.where, checked.why)
  parsed.set(name, checked.value)
  return checked.value
}

/** Every setting's name. `npm run deploy` checks each one with checkSetting before deploying
 * (scripts/deploy-checks.ts), so the checks and the Worker never disagree. */
export const SETTING_NAMES = Object.keys(schemas) as SettingName[]

/** `value` checked as the setting `name`: its parsed value, or where and why it is broken. */
export function checkSetting<K extends SettingName>(name: K, value: unknown):
  { ok: true; value: Setting<K> } | { ok: false; where: string; why: string } {
  const result = v.safeParse(schemas[name], value)
  if (result.success) return { ok: true, value: result.output as Setting<K> }
  const issue = result.issues[0]
  const path = issue.path?.map((p) => String(p.key)).join('.')
  return { ok: false, where: `${name}${path ? ` at ${path}` : ''}`, why: issue.message }
}

/** 500 `[error-invalid-config]`, logging which setting is broken and why: the details are for the
 * operator (`wrangler tail`), not for every visitor. */
export function configError(name: string, why: string): ApiError {
  console.error(`Invalid server configuration: ${name}: ${why}`)
  return ApiError.coded('error-invalid-config', 'Invalid server configuration', 500)
}

/** The custom fields agents may set on a contact: every visitor-scope field, hidden ones included. */
export const contactFields = (env: Env): CustomField[] =>
  (setting(env, 'LIVECHAT_CUSTOM_FIELDS') as CustomField[]).filter((f) => f.scope === 'visitor')

/** The custom fields a visitor may set: visitor scope and not hidden. */
export const visitorFields = (env: Env): CustomField[] =>
  (setting(env, 'LIVECHAT_CUSTOM_FIELDS') as CustomField[]).filter((f) => f.scope === 'visitor' && f.visibility !== 'hidden')
