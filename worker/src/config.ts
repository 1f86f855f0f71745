// Reads the operator's configuration from [vars] (or `--var`), once per isolate per value.
import * as v from 'valibot'
import { ApiError } from './responses.ts'
import type { CustomField } from './visitor-rules.ts'

const Visibility = v.picklist(['required', 'optional', 'hidden'])

const schemas = {
  LIVECHAT_CUSTOM_FIELDS: v.array(
    v.object({
      _id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
      label: v.string(),
      scope: v.picklist(['visitor', 'room']),
      visibility: v.optional(v.picklist(['visible', 'hidden']), 'visible'),
      type: v.optional(v.picklist(['input', 'select']), 'input'),
      required: v.optional(v.boolean(), false),
      regexp: v.optional(
        v.pipe(v.string(), v.check((r) => { try { new RegExp(r); return true } catch { return false } }, 'is not a valid regular expression')),
        '',
      ),
      options: v.optional(v.string(), ''),
    }),
  ),
  LIVECHAT_DEPARTMENTS: v.array(v.object({ _id: v.pipe(v.string(), v.minLength(1)), name: v.string() })),
  LIVECHAT_REGISTRATION_FORM: v.object({ name: Visibility, email: Visibility, phone: Visibility }),
  LIVECHAT_THEME: v.object({
    title: v.string(),
    color: v.string(),
    fontColor: v.string(),
    position: v.picklist(['right', 'left']),
  }),
}

type Schemas = typeof schemas
export type Config = { [K in keyof Schemas]: v.InferOutput<Schemas[K]> } & {
  includeContactToken: boolean
  matchVisitorsByContact: boolean
}
/** `'*'`, or the exact origins allowed. */
export type Origins = '*' | string[]

const origins = (value: string | undefined): Origins =>
  value?.trim() === '*' ? '*' : (value ?? '').split(',').map((o) => o.trim()).filter(Boolean)

// Read apart from the JSON variables, so a broken one never strips CORS from its own error.
/** Who may call the widget's endpoints (`livechat/*`) from a browser. */
export const widgetOrigins = (env: Env): Origins => origins(env.ALLOWED_ORIGINS)
/** Who may call the agents' endpoints (`omnichannel/*`) from a browser. */
export const agentOrigins = (env: Env): Origins => origins(env.AGENT_ALLOWED_ORIGINS)

function parseVar<K extends keyof Schemas>(name: K, raw: unknown): v.InferOutput<Schemas[K]> {
  try {
    return v.parse(schemas[name], typeof raw === 'string' ? JSON.parse(raw) : raw) as v.InferOutput<Schemas[K]>
  } catch (error) {
    const detail = error instanceof v.ValiError ? `${error.issues[0].path?.map((p: { key: unknown }) => p.key).join('.') ?? ''} ${error.message}` : 'not valid JSON'
    // The details are for the operator (`wrangler tail`), not for every visitor.
    console.error(`Invalid server configuration: ${name}: ${detail.trim()}`)
    throw ApiError.coded('error-invalid-config', 'Invalid server configuration', 500)
  }
}

let cached: { env: Env; config: Config } | undefined

export function readConfig(env: Env): Config {
  if (cached?.env === env) return cached.config
  const config: Config = {
    LIVECHAT_CUSTOM_FIELDS: parseVar('LIVECHAT_CUSTOM_FIELDS', env.LIVECHAT_CUSTOM_FIELDS) as CustomField[],
    LIVECHAT_DEPARTMENTS: parseVar('LIVECHAT_DEPARTMENTS', env.LIVECHAT_DEPARTMENTS),
    LIVECHAT_REGISTRATION_FORM: parseVar('LIVECHAT_REGISTRATION_FORM', env.LIVECHAT_REGISTRATION_FORM),
    LIVECHAT_THEME: parseVar('LIVECHAT_THEME', env.LIVECHAT_THEME),
    includeContactToken: env.CONTACT_INCLUDE_TOKEN !== 'false',
    matchVisitorsByContact: env.MATCH_VISITORS_BY_CONTACT !== 'false',
  }
  cached = { env, config }
  return config
}

/** The custom fields a visitor may set: visitor scope and not hidden. */
export const visitorFields = (config: Config): CustomField[] =>
  config.LIVECHAT_CUSTOM_FIELDS.filter((f) => f.scope === 'visitor' && f.visibility !== 'hidden')
