// The operator's settings ([vars], `--var`, secrets). Each one is parsed and validated on its
// own, the first time a request needs it, and cached per isolate: a broken setting fails only
// the endpoints that read it, and the log says which one and why.
import * as v from 'valibot'
import { isSafePattern } from './pattern-safety.ts'
import { ApiError } from './http/responses.ts'
import type { CustomField } from './visitor-rules.ts'

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
  const result = v.safeParse(schemas[name], (env as unknown as Record<string, unknown>)[name])
  if (!result.success) {
    const issue = result.issues[0]
    const where = issue.path?.map((p) => String(p.key)).join('.')
    // The details are for the operator (`wrangler tail`), not for every visitor.
    console.error(`Invalid server configuration: ${name}${where ? ` at ${where}` : ''}: ${issue.message}`)
    throw ApiError.coded('error-invalid-config', 'Invalid server configuration', 500)
  }
  parsed.set(name, result.output)
  return result.output as Setting<K>
}

/** The custom fields agents may set on a contact: every visitor-scope field, hidden ones included. */
export const contactFields = (env: Env): CustomField[] =>
  (setting(env, 'LIVECHAT_CUSTOM_FIELDS') as CustomField[]).filter((f) => f.scope === 'visitor')

/** The custom fields a visitor may set: visitor scope and not hidden. */
export const visitorFields = (env: Env): CustomField[] =>
  (setting(env, 'LIVECHAT_CUSTOM_FIELDS') as CustomField[]).filter((f) => f.scope === 'visitor' && f.visibility !== 'hidden')
