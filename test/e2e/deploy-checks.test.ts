// `npm run deploy`'s production checklist, run for real on temporary copies of wrangler.toml: each
// check refuses on its own with one line naming its variable, before wrangler or the build runs;
// several at once; `--env`, `--var` and `--secrets-file` as wrangler reads them; `--force`; and a
// clean configuration that goes through `npm run build` to wrangler's own `deploy --dry-run`
// (which needs no network), in a copy of the repository so the build does not touch this one.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unstable_readConfig } from 'wrangler'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT } from '../support/wrangler-dev.ts'

const TMP = mkdtempSync(join(tmpdir(), 'ecc-deploy-'))
afterAll(() => rmSync(TMP, { recursive: true, force: true }))

const REPO_TOML = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
const REPO_VARS = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') }).vars as Record<string, string>

/** A copy of what the checks, the build and the bundle read, so that no run (not even one of a
 * failing test that gets past the checks) builds into this checkout. */
function repoCopy(name: string): string {
  const copy = join(TMP, name)
  for (const entry of ['package.json', 'tsconfig.json', 'wrangler.toml', 'scripts', 'shared', 'worker', 'widget', 'console'])
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true, filter: (src) => !src.endsWith('/dist') })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
  return copy
}
const REPO = repoCopy('repo')

/** A site owner's own page for `/`. */
const SITE = join(TMP, 'site')
mkdirSync(SITE)
writeFileSync(join(SITE, 'index.html'), '<!doctype html><title>Shop</title><h1>Shop</h1>')

/** The repository's vars, made ready for production. */
const CLEAN: Record<string, string> = {
  ...REPO_VARS,
  ALLOWED_ORIGINS: 'https://shop.example, https://www.shop.example',
  MATCH_VISITORS_BY_CONTACT: 'false',
  LIVECHAT_DEPARTMENTS: '[{"_id": "orders", "name": "Orders"}]',
  LIVECHAT_CUSTOM_FIELDS: '[]',
}

// JSON's string escapes are TOML's basic-string escapes.
const varsTable = (header: string, vars: Record<string, string | undefined>) =>
  [header, ...Object.entries(vars).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)].join('\n')

let configs = 0
/** A copy of the repository's wrangler.toml with these vars (undefined removes one), its entry point
 * and assets directory made absolute; `extra` is appended (e.g. an [env.*] section). */
function config({ vars = {}, assets = SITE, extra = '', root = REPO }: {
  vars?: Record<string, string | undefined>; assets?: string; extra?: string; root?: string
} = {}): string {
  const [head, rest] = REPO_TOML.split(/^\[vars\]$/m)
  // Any table after [vars] (a line such as `[` inside a JSON value is not a table header).
  const next = rest.search(/^\[\[?[A-Za-z][\w.-]*\]\]?\s*$/m)
  const after = next >= 0 ? rest.slice(next) : ''
  const toml = head
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(root, 'worker/src/index.ts'))}`)
    .replace(/^directory = .*$/m, `directory = ${JSON.stringify(assets)}`)
    + `${varsTable('[vars]', { ...CLEAN, ...vars })}\n\n${after}\n${extra}\n`
  const path = join(TMP, `wrangler-${++configs}.toml`)
  writeFileSync(path, toml)
  return path
}

/** `npm run deploy -- <args>` as an owner runs it, with no stored Cloudflare login. */
function deploy(args: string[], cwd = REPO) {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, XDG_CONFIG_HOME: join(TMP, 'xdg'), CI: 'true' }
  delete env.CLOUDFLARE_API_TOKEN
  delete env.CLOUDFLARE_ACCOUNT_ID
  const result = spawnSync('npm', ['run', '-s', 'deploy', '--', ...args], { cwd, encoding: 'utf8', env, timeout: 50_000 })
  const output = `${result.stdout}\n${result.stderr}`
  // The lines between "not deploying, N problems:" and "Fix them…" (wrangler's own warnings aside).
  const lines = result.stderr.split('\n')
  const first = lines.findIndex((l) => l.startsWith('npm run deploy: not deploying'))
  const problems = first < 0 ? [] : lines.slice(first + 1, lines.indexOf('Fix them, or deploy anyway with: npm run deploy -- --force')).map((l) => l.trim())
  return { status: result.status, output, problems }
}

/** Refused with exactly these problems, before the build and before wrangler: no dry-run output. */
function refused(args: string[], ...expected: RegExp[]) {
  const outdir = join(TMP, `out-${++configs}`)
  const result = deploy([...args, '--dry-run', '--outdir', outdir])
  expect(result.status, result.output).toBe(1)
  expect(result.output).toContain(`not deploying, ${expected.length} problem`)
  expect(result.problems, result.output).toHaveLength(expected.length)
  expected.forEach((line, i) => expect(result.problems[i]).toMatch(line))
  expect(result.output).not.toMatch(/--dry-run: exiting now|vite|built in/)
  expect(existsSync(outdir)).toBe(false)
  return result
}

describe('npm run deploy refuses, one line per problem, before any network call', () => {
  it("refuses the repository's own configuration: ALLOWED_ORIGINS is * and the demo page would ship", () => {
    const result = refused([], /^ALLOWED_ORIGINS is "\*": .*ALLOWED_ORIGINS = "https:\/\/shop\.example/,
      /^widget\/public\/index\.html is the demo page, and would be served at \/\. Replace it .* or delete it/)
    expect(result.output).toMatch(/^warning: LIVECHAT_DEPARTMENTS is still the demo's \(sales, support\)/m)
    expect(result.output).toMatch(/^warning: LIVECHAT_CUSTOM_FIELDS is still the demo's \(address\)/m)
    expect(result.output).toContain('Fix them, or deploy anyway with: npm run deploy -- --force')
  })

  const jsonVars = ['LIVECHAT_CUSTOM_FIELDS', 'LIVECHAT_DEPARTMENTS', 'LIVECHAT_REGISTRATION_FORM', 'LIVECHAT_THEME', 'LIVECHAT_WIDGET_TEXTS']
  const cases: [string, Parameters<typeof config>[0], RegExp][] = [
    ['ALLOWED_ORIGINS = "*"', { vars: { ALLOWED_ORIGINS: ' * ' } }, /^ALLOWED_ORIGINS is "\*": any website can embed your widget/],
    ['ALLOWED_ORIGINS empty', { vars: { ALLOWED_ORIGINS: '' } }, /^ALLOWED_ORIGINS is empty: the widget on your site could not reach the Worker/],
    ['ALLOWED_ORIGINS with a path', { vars: { ALLOWED_ORIGINS: 'https://shop.example/' } }, /^ALLOWED_ORIGINS at 0 is not valid: is not an origin like https:\/\/shop\.example\. Fix it in wrangler\.toml \[vars\]/],
    ['AGENT_ALLOWED_ORIGINS = "*"', { vars: { AGENT_ALLOWED_ORIGINS: '*' } }, /^AGENT_ALLOWED_ORIGINS is "\*": any website could call the agents' API/],
    ['the demo page', { assets: join(REPO, 'widget/dist') }, /^widget\/public\/index\.html is the demo page/],
    ['RATE_LIMITS = "off"', { vars: { RATE_LIMITS: 'off' } }, /^RATE_LIMITS is "off": .*Set RATE_LIMITS = "on" in wrangler\.toml \[vars\]/],
    ...jsonVars.map((name): [string, Parameters<typeof config>[0], RegExp] =>
      [`${name} not JSON`, { vars: { [name]: '[{"_id": "a",' } }, new RegExp(`^${name} is not valid: Invalid JSON`)]),
    ['a JSON var of the wrong shape', { vars: { LIVECHAT_DEPARTMENTS: '[{"name": "Orders"}]' } }, /^LIVECHAT_DEPARTMENTS at 0\._id is not valid/],
    ['a custom field pattern that backtracks', { vars: { LIVECHAT_CUSTOM_FIELDS: '[{"_id": "zip", "label": "Zip", "scope": "visitor", "regexp": "^(a+)+$"}]' } },
      /^LIVECHAT_CUSTOM_FIELDS at 0\.regexp is not valid: may backtrack catastrophically/],
    ['a JSON var missing', { vars: { LIVECHAT_THEME: undefined } }, /^LIVECHAT_THEME is not valid: Invalid type/],
    ['another var out of range', { vars: { AGENT_SESSION_DAYS: '0' } }, /^AGENT_SESSION_DAYS is not valid: must be a whole number of days/],
    ['a secret written in [vars]', { vars: { VISITOR_IDENTITY_SECRET: 'x'.repeat(40) } },
      /^VISITOR_IDENTITY_SECRET is in wrangler\.toml \[vars\], which is not secret: remove it there and run: npx wrangler secret put VISITOR_IDENTITY_SECRET$/],
    ['a webhook over http', { vars: { LIVECHAT_WEBHOOK_URL: 'http://crm.shop.example/hook' } }, /^LIVECHAT_WEBHOOK_URL is not https/],
    ['email to the owner without a sender', { vars: { LIVECHAT_EMAIL_TO: 'owner@shop.example', LIVECHAT_EMAIL_FROM: '' } },
      /^LIVECHAT_EMAIL_FROM is empty while LIVECHAT_EMAIL_TO is set/],
    ['one of Cloudflare\'s Turnstile test site keys', { vars: { TURNSTILE_SITE_KEY: '1x00000000000000000000AA' } },
      /^TURNSTILE_SITE_KEY is one of Cloudflare's test keys/],
    ['siteverify pointed at a test stand-in', { vars: { TURNSTILE_VERIFY_URL: 'http://127.0.0.1:8788/siteverify' } },
      /^TURNSTILE_VERIFY_URL is not Cloudflare's siteverify/],
  ]
  it.each(cases)('%s', (_, options, line) => {
    refused(['--config', config(options)], line)
  })

  it('lists several problems at once, in the checklist order', () => {
    refused(['--config', config({ assets: join(REPO, 'widget/dist'), vars: { ALLOWED_ORIGINS: '*', RATE_LIMITS: 'off', LIVECHAT_THEME: '{' } })],
      /^ALLOWED_ORIGINS is "\*"/, /^widget\/public\/index\.html is the demo page/, /^RATE_LIMITS is "off"/, /^LIVECHAT_THEME is not valid/)
  })

  it('reads the environment named by --env, whose vars wrangler does not inherit, and --var overrides', () => {
    const production = varsTable('[env.production.vars]', { ...CLEAN, ALLOWED_ORIGINS: '*' })
    const path = config({ extra: `[env.production]\nname = "shop-chat"\n\n${production}` })
    refused(['--config', path, '--env', 'production'], /^ALLOWED_ORIGINS is "\*": .*in wrangler\.toml \[env\.production\.vars\]/)
    refused(['--config', path, '--var', 'RATE_LIMITS:off'], /^RATE_LIMITS is "off"/)
    // One --var takes every value up to the next option, as wrangler reads it.
    refused(['--config', path, '--var', 'ALLOWED_ORIGINS:https://shop.example', 'RATE_LIMITS:off'], /^RATE_LIMITS is "off"/)
    refused(['--config', path, '--var=ALLOWED_ORIGINS:https://shop.example', 'RATE_LIMITS:off'], /^RATE_LIMITS is "off"/)
    const broken = deploy(['--config', path, '--env', 'staging'])
    expect(broken.status).toBe(1)
    expect(broken.output).toMatch(/cannot read the wrangler configuration: .*No environment found in configuration with name "staging"/s)
  })

  it('checks secrets given with --secrets-file as the Worker reads them', () => {
    const secrets = join(TMP, 'short.env')
    writeFileSync(secrets, 'VISITOR_IDENTITY_SECRET=too-short\n')
    refused(['--config', config({ vars: { MATCH_VISITORS_BY_CONTACT: 'verified' } }), '--secrets-file', secrets],
      /^VISITOR_IDENTITY_SECRET in the --secrets-file is not valid: must be at least 32 characters/)
  })

  it('refuses a needed secret given empty with --secrets-file (it would replace the Worker\'s)', () => {
    const secrets = join(TMP, 'empty.env')
    writeFileSync(secrets, 'TURNSTILE_SECRET_KEY=\nLIVECHAT_WEBHOOK_SECRET=\n')
    refused(['--config', config({ vars: { TURNSTILE_SITE_KEY: '0x4AAAAAAAexampleSiteKey', LIVECHAT_WEBHOOK_URL: 'https://crm.shop.example/hook' } }), '--secrets-file', secrets],
      /^TURNSTILE_SECRET_KEY in the --secrets-file is empty/, /^LIVECHAT_WEBHOOK_SECRET in the --secrets-file is empty/)
  })

  // Only now may it ask Cloudflare; without a login, wrangler secret list fails and says why.
  it.each([
    ['VISITOR_IDENTITY_SECRET', { MATCH_VISITORS_BY_CONTACT: 'verified' }],
    ['TURNSTILE_SECRET_KEY', { TURNSTILE_SITE_KEY: '0x4AAAAAAAexampleSiteKey' }],
    ['LIVECHAT_WEBHOOK_SECRET', { LIVECHAT_WEBHOOK_URL: 'https://crm.shop.example/hook' }],
  ])('refuses when it cannot tell whether the Worker has %s', (name, vars) => {
    refused(['--config', config({ vars })],
      new RegExp(`^${name}: cannot tell whether the Worker has this secret, because wrangler secret list failed \\(.*CLOUDFLARE_API_TOKEN.*\\)\\. Log in \\(npx wrangler login\\) and set them with npx wrangler secret put <NAME> .*, or pass them with: npm run deploy -- --secrets-file <file>$`))
  })
})

describe('npm run deploy goes through to wrangler deploy', () => {
  let copy: string
  beforeAll(() => {
    copy = repoCopy('site')
    const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'))
    writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...pkg, version: '3.2.1-deploy-test' }))
    // The owner's page replaces the demo; the build copies it into the assets.
    writeFileSync(join(copy, 'widget/public/index.html'), readFileSync(join(SITE, 'index.html')))
  })

  const dryRun = (...args: string[]) => {
    const outdir = join(TMP, `bundle-${++configs}`)
    const path = config({ root: copy, assets: join(copy, 'widget/dist') })
    const result = deploy(['--config', path, ...args, '--dry-run', '--outdir', outdir], copy)
    expect(result.status, result.output).toBe(0)
    expect(result.output).toContain('--dry-run: exiting now.')
    return { ...result, bundle: readFileSync(join(outdir, 'index.js'), 'utf8') }
  }

  it('builds and runs wrangler deploy for a clean configuration, with the package version in /api/info', () => {
    const secrets = join(TMP, 'secrets.json')
    writeFileSync(secrets, JSON.stringify({ VISITOR_IDENTITY_SECRET: 'v'.repeat(64) }))
    // A secret the configuration needs, brought by --secrets-file: no lookup, no login needed.
    const { output, bundle } = dryRun('--var', 'MATCH_VISITORS_BY_CONTACT:verified', '--secrets-file', secrets)
    expect(output).not.toMatch(/problem|skipped|warning/)
    expect(readFileSync(join(copy, 'widget/dist/index.html'), 'utf8')).toContain('<h1>Shop</h1>')
    expect(existsSync(join(copy, 'widget/dist/widget.js'))).toBe(true)
    expect(bundle).toContain('"3.2.1-deploy-test"')
    expect(bundle).not.toContain('devDependencies')
  })

  it('--force deploys anyway and prints what it skipped', () => {
    const { output } = dryRun('--force', '--var', 'ALLOWED_ORIGINS:*', '--var', 'RATE_LIMITS:off', '--var', 'MATCH_VISITORS_BY_CONTACT:verified')
    expect(output).toMatch(/^--force: skipped: ALLOWED_ORIGINS is "\*"/m)
    expect(output).toMatch(/^--force: skipped: RATE_LIMITS is "off"/m)
    expect(output).toMatch(/^--force: skipped: checking that the Worker has VISITOR_IDENTITY_SECRET$/m)
  })
})
