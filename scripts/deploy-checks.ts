// The production checklist `npm run deploy` runs (scripts/deploy.ts): what would be deployed goes
// in, one line per problem comes out, each naming the variable (or file) and how to fix it. No I/O
// here. Every setting is checked with the Worker's own schemas (worker/src/config.ts).
import { SETTING_NAMES, SITEVERIFY_URL, checkSetting, type SettingName } from '../worker/src/config.ts'

/** What a `wrangler deploy` would ship, as far as the checks care. */
export interface Deployment {
  /** The Worker's vars: wrangler.toml's `[vars]` (or `[env.<name>.vars]`) with `--var` overrides. */
  vars: Record<string, unknown>
  /** Where those vars are written, for the fixes: `[vars]` or `[env.<name>.vars]`. */
  varsTable: string
  /** The names of the Workers secrets the Worker reads (worker/src/secrets.d.ts). */
  secretNames: readonly string[]
  /** Names of the `[[send_email]]` bindings. */
  emailBindings: readonly string[]
  /** The page served at `/`, and the file it comes from; null when there is none. */
  homePage: { file: string; html: string } | null
}

/** The demo page (widget/public/index.html) carries this marker; `npm run deploy` refuses to ship it. */
export const DEMO_MARKER = 'edge-contact-center-demo'

/** A secret the configuration needs on the deployed Worker, and the line to print when it is missing. */
export interface NeededSecret {
  name: SettingName
  missing: string
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/** Every setting the Worker reads from vars, validated exactly as the Worker will. Secrets are not
 * vars: one written in wrangler.toml is refused on its own (anyone reading the file sees it). */
function invalidSettings({ vars, varsTable, secretNames }: Deployment): string[] {
  return SETTING_NAMES.filter((name) => !secretNames.includes(name)).flatMap((name) => {
    const checked = checkSetting(name, vars[name])
    return checked.ok ? [] : [`${checked.where} is not valid: ${checked.why}. Fix it in wrangler.toml ${varsTable} (docs/configuration.md).`]
  })
}

function secretsInVars({ vars, varsTable, secretNames }: Deployment): string[] {
  return secretNames.filter((name) => name in vars).map((name) =>
    `${name} is in wrangler.toml ${varsTable}, which is not secret: remove it there and run: npx wrangler secret put ${name}`)
}

function origins({ vars, varsTable }: Deployment): string[] {
  const problems: string[] = []
  const allowed = checkSetting('ALLOWED_ORIGINS', vars.ALLOWED_ORIGINS)
  const example = `ALLOWED_ORIGINS = "https://shop.example, https://www.shop.example"`
  if (allowed.ok && allowed.value === '*')
    problems.push(`ALLOWED_ORIGINS is "*": any website can embed your widget and fill your contact list. Set your site's origins in wrangler.toml ${varsTable}, e.g. ${example}`)
  if (allowed.ok && allowed.value.length === 0)
    problems.push(`ALLOWED_ORIGINS is empty: the widget on your site could not reach the Worker. Set your site's origins in wrangler.toml ${varsTable}, e.g. ${example}`)
  const agents = checkSetting('AGENT_ALLOWED_ORIGINS', vars.AGENT_ALLOWED_ORIGINS)
  if (agents.ok && agents.value === '*')
    problems.push(`AGENT_ALLOWED_ORIGINS is "*": any website could call the agents' API from a browser. Leave it empty (the console at /agent/ needs nothing) or list the origins of your own agent tools, in wrangler.toml ${varsTable}`)
  return problems
}

function rateLimits({ vars, varsTable }: Deployment): string[] {
  const limits = checkSetting('RATE_LIMITS', vars.RATE_LIMITS)
  return limits.ok && limits.value === 'off'
    ? [`RATE_LIMITS is "off": anyone could create visitors and guess agents' passwords as fast as they can send. Set RATE_LIMITS = "on" in wrangler.toml ${varsTable} (turn it off only for one local run: npm run dev -- --var RATE_LIMITS:off)`]
    : []
}

function demoPage({ homePage }: Deployment): string[] {
  return homePage?.html.includes(DEMO_MARKER)
    ? [`${homePage.file} is the demo page, and would be served at /. Replace it with your own page (without the ${DEMO_MARKER} marker), or delete it so that / answers 404`]
    : []
}

function webhook({ vars, varsTable }: Deployment): string[] {
  const url = text(vars.LIVECHAT_WEBHOOK_URL)
  return URL.canParse(url) && new URL(url).protocol !== 'https:'
    ? [`LIVECHAT_WEBHOOK_URL is not https: each payload carries a contact's details and the secret token. Use an https:// URL in wrangler.toml ${varsTable}`]
    : []
}

/** Cloudflare's test site keys (1x…AA passes, 2x…AB blocks, 3x…FF forces a challenge, …BB invisible). */
const TEST_SITE_KEY = /^[123]x0{20}[A-F]{2}$/

function turnstile({ vars, varsTable }: Deployment): string[] {
  const problems: string[] = []
  if (TEST_SITE_KEY.test(text(vars.TURNSTILE_SITE_KEY)))
    problems.push(`TURNSTILE_SITE_KEY is one of Cloudflare's test keys: it stops no bot, or with a real secret key every visitor. Set your widget's site key (dashboard: Turnstile) in wrangler.toml ${varsTable}`)
  const verifyUrl = checkSetting('TURNSTILE_VERIFY_URL', vars.TURNSTILE_VERIFY_URL)
  if (verifyUrl.ok && verifyUrl.value !== SITEVERIFY_URL)
    problems.push(`TURNSTILE_VERIFY_URL is not Cloudflare's siteverify, and would receive TURNSTILE_SECRET_KEY (only tests point it elsewhere): set TURNSTILE_VERIFY_URL = "${SITEVERIFY_URL}" in wrangler.toml ${varsTable}`)
  return problems
}

function email({ vars, varsTable, emailBindings }: Deployment): string[] {
  if (!text(vars.LIVECHAT_EMAIL_TO)) return []
  const problems: string[] = []
  if (!text(vars.LIVECHAT_EMAIL_FROM))
    problems.push(`LIVECHAT_EMAIL_FROM is empty while LIVECHAT_EMAIL_TO is set: set it in wrangler.toml ${varsTable} to an address of your Email Routing domain, e.g. LIVECHAT_EMAIL_FROM = "chat@shop.example"`)
  if (!emailBindings.includes('LIVECHAT_EMAIL'))
    problems.push('LIVECHAT_EMAIL_TO is set but wrangler.toml has no [[send_email]] binding named LIVECHAT_EMAIL to send it with: add one (see the repository\'s wrangler.toml)')
  return problems
}

/** Every problem that can be seen without asking Cloudflare, in the order of the checklist in docs/deployment.md. */
export function localProblems(deployment: Deployment): string[] {
  return [
    ...origins(deployment),
    ...demoPage(deployment),
    ...rateLimits(deployment),
    ...invalidSettings(deployment),
    ...secretsInVars(deployment),
    ...turnstile(deployment),
    ...webhook(deployment),
    ...email(deployment),
  ]
}

/** The secrets the deployed Worker must hold for these vars; whether it does needs Cloudflare's answer. */
export function neededSecrets({ vars, varsTable }: Deployment): NeededSecret[] {
  const needed: NeededSecret[] = []
  const mode = checkSetting('MATCH_VISITORS_BY_CONTACT', vars.MATCH_VISITORS_BY_CONTACT)
  // In these modes a registration may carry a signed identity, and without the secret every such
  // registration fails (500 error-invalid-config). A site that signs none loses nothing with "false".
  if (mode.ok && mode.value !== 'false')
    needed.push({
      name: 'VISITOR_IDENTITY_SECRET',
      missing: `VISITOR_IDENTITY_SECRET is not set, and MATCH_VISITORS_BY_CONTACT = "${mode.value}" needs it to check signed identities: run npx wrangler secret put VISITOR_IDENTITY_SECRET (a value from: openssl rand -hex 32), or, if your site does not sign visitors' identities, set MATCH_VISITORS_BY_CONTACT = "false" in wrangler.toml ${varsTable}`,
    })
  if (text(vars.TURNSTILE_SITE_KEY))
    needed.push({
      name: 'TURNSTILE_SECRET_KEY',
      missing: `TURNSTILE_SECRET_KEY is not set while TURNSTILE_SITE_KEY is: the widget would show a challenge nobody checks. Run npx wrangler secret put TURNSTILE_SECRET_KEY (the secret key of the same Turnstile widget), or empty TURNSTILE_SITE_KEY in wrangler.toml ${varsTable}`,
    })
  if (text(vars.LIVECHAT_WEBHOOK_URL))
    needed.push({
      name: 'LIVECHAT_WEBHOOK_SECRET',
      missing: 'LIVECHAT_WEBHOOK_SECRET is not set while LIVECHAT_WEBHOOK_URL is: your receiver could not tell the webhooks from forgeries. Run npx wrangler secret put LIVECHAT_WEBHOOK_SECRET (a value from: openssl rand -hex 32) and check the X-RocketChat-Livechat-Token header against it',
    })
  return needed
}

/** Secrets given with `--secrets-file`, checked as the Worker will read them (a short
 * VISITOR_IDENTITY_SECRET, for one). A needed one given empty would replace the Worker's with nothing. */
export function invalidSecrets(secrets: Record<string, unknown>, needed: NeededSecret[]): string[] {
  const invalid = SETTING_NAMES.filter((name) => name in secrets).flatMap((name: SettingName) => {
    const checked = checkSetting(name, secrets[name])
    return checked.ok ? [] : [`${checked.where} in the --secrets-file is not valid: ${checked.why}`]
  })
  // Empty but valid as the Worker reads it (an empty VISITOR_IDENTITY_SECRET is already refused above).
  const empty = needed.filter(({ name }) => name in secrets && !text(secrets[name]) && checkSetting(name, secrets[name]).ok).map(({ name }) =>
    `${name} in the --secrets-file is empty, which the configuration cannot work with: give its value there, or leave it out of the file`)
  return [...invalid, ...empty]
}

/** Repository defaults an owner means to replace, but that could also be what they want: warned of, not refused. */
const DEMO_IDS = { LIVECHAT_DEPARTMENTS: ['sales', 'support'], LIVECHAT_CUSTOM_FIELDS: ['address'] } as const

export function warnings({ vars, varsTable }: Deployment): string[] {
  return (Object.keys(DEMO_IDS) as (keyof typeof DEMO_IDS)[]).flatMap((name) => {
    const checked = checkSetting(name, vars[name])
    const ids = checked.ok ? checked.value.map((entry) => entry._id) : []
    return JSON.stringify(ids) === JSON.stringify(DEMO_IDS[name])
      ? [`${name} is still the demo's (${ids.join(', ')}): replace it with yours in wrangler.toml ${varsTable} ([] for none)`]
      : []
  })
}
