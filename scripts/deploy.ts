// npm run deploy [-- --force] [-- <wrangler deploy options>]
//
// The production checklist (deploy-checks.ts), then `npm run build` and `wrangler deploy` with the
// options given. The configuration is read with wrangler's own reader, so `--config` and `--env`
// mean what they mean to wrangler. Nothing reaches the network until every local check passes;
// then, only if the configuration needs secrets, `wrangler secret list` tells whether the Worker
// has them (a `--secrets-file` that brings them saves asking). `--force` deploys anyway and prints
// what it skipped.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { parseArgs, parseEnv, stripVTControlCharacters } from 'node:util'
import { unstable_readConfig } from 'wrangler'
import { ASSETS_DIR } from './assets.ts'
import { invalidSecrets, localProblems, neededSecrets, warnings, type Deployment, type NeededSecret } from './deploy-checks.ts'

const ROOT = resolve(import.meta.dirname, '..')
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false' }

const given = process.argv.slice(2)
const force = given.includes('--force')
const wranglerArgs = given.filter((arg) => arg !== '--force')
// Only the options that change what is deployed; everything else goes to wrangler untouched.
const { values: options } = parseArgs({
  args: wranglerArgs,
  strict: false,
  allowPositionals: true,
  options: {
    config: { type: 'string', short: 'c' },
    env: { type: 'string', short: 'e' },
    name: { type: 'string' },
    'secrets-file': { type: 'string' },
  },
})
const option = (name: 'config' | 'env' | 'name' | 'secrets-file') => {
  const value = options[name]
  return typeof value === 'string' ? value : undefined
}
const configFile = option('config')
const env = option('env')
const name = option('name')
// The Worker whose secrets are looked up: the one deployed.
const targetArgs = [...(configFile ? ['--config', configFile] : []), ...(env ? ['--env', env] : []), ...(name ? ['--name', name] : [])]

function fail(lines: string[]): never {
  for (const line of lines) console.error(line)
  process.exit(1)
}

function readConfig() {
  try {
    return unstable_readConfig({ config: configFile, env })
  } catch (error) {
    return fail([`npm run deploy: cannot read the wrangler configuration: ${(error as Error).message}`])
  }
}

/** The page the Worker will serve at `/`. `npm run build` refills the repository's assets
 * directory from widget/public, so for that directory the page is widget/public/index.html. */
function homePage(configPath: string | undefined, directory: string | undefined): Deployment['homePage'] {
  if (!directory) return null
  const dir = resolve(configPath ? dirname(configPath) : process.cwd(), directory)
  const file = dir === ASSETS_DIR ? resolve(ROOT, 'widget/public/index.html') : resolve(dir, 'index.html')
  return existsSync(file) ? { file: relative(process.cwd(), file), html: readFileSync(file, 'utf8') } : null
}

/** `--var NAME:VALUE` as wrangler reads it: one `--var` takes every value up to the next option
 * (`--var A:1 B:2` sets both), and the first colon splits. */
function varOverrides(): Record<string, string> {
  const given: string[] = []
  let taking = false
  for (const arg of wranglerArgs) {
    if (arg.startsWith('-')) {
      taking = arg === '--var' || arg.startsWith('--var=')
      if (arg.startsWith('--var=')) given.push(arg.slice('--var='.length))
    } else if (taking) given.push(arg)
  }
  return Object.fromEntries(given.map((v) => [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)]))
}

/** Secrets given with --secrets-file, in either format wrangler reads: JSON or .env. */
function fileSecrets(): Record<string, unknown> {
  const path = option('secrets-file')
  if (!path) return {}
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (error) {
    return fail([`--secrets-file: ${(error as Error).message}`])
  }
  try {
    return JSON.parse(content) as Record<string, unknown>
  } catch {
    return parseEnv(content)
  }
}

/** The secrets the deployed Worker lacks among `needed`, asking Cloudflare; a line per problem. */
function missingSecrets(needed: NeededSecret[]): string[] {
  const listed = spawnSync('wrangler', ['secret', 'list', '--format', 'json', ...targetArgs], { encoding: 'utf8', env: WRANGLER_ENV })
  if (listed.status === 0) {
    try {
      const names = new Set((JSON.parse(listed.stdout) as { name: string }[]).map((s) => s.name))
      return needed.filter((s) => !names.has(s.name)).map((s) => s.missing)
    } catch {
      // Not the JSON expected: reported below like any failure.
    }
  }
  const output = stripVTControlCharacters(`${listed.stderr ?? ''}\n${listed.stdout ?? ''}`)
  const reason = output.split('\n').find((line) => line.includes('[ERROR]'))?.replace(/^.*\[ERROR\]\s*/, '').trim()
    ?? listed.error?.message ?? `exit code ${listed.status}`
  const names = needed.map((s) => s.name).join(', ')
  return [`${names}: cannot tell whether the Worker has ${needed.length > 1 ? 'these secrets' : 'this secret'}, because wrangler secret list failed (${reason}). Log in (npx wrangler login) and set them with npx wrangler secret put <NAME> (which creates the Worker if it does not exist yet), or pass them with: npm run deploy -- --secrets-file <file>`]
}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: WRANGLER_ENV })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const config = readConfig()
const secretsFile = fileSecrets()
const deployment: Deployment = {
  vars: { ...config.vars, ...varOverrides() },
  varsTable: env ? `[env.${env}.vars]` : '[vars]',
  // Secrets are not in wrangler.toml: the Worker declares the ones it reads here.
  secretNames: [...readFileSync(resolve(ROOT, 'worker/src/secrets.d.ts'), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]*)\??:/gm)].map((m) => m[1]),
  emailBindings: (config.send_email ?? []).map((binding: { name: string }) => binding.name),
  homePage: homePage(config.configPath, config.assets?.directory),
}

for (const line of warnings(deployment)) console.warn(`warning: ${line}`)
const needed = neededSecrets(deployment)
const problems = [...localProblems(deployment), ...invalidSecrets(secretsFile, needed)]
const toAsk = needed.filter((secret) => !(secret.name in secretsFile))

if (force) {
  for (const line of problems) console.warn(`--force: skipped: ${line}`)
  if (toAsk.length) console.warn(`--force: skipped: checking that the Worker has ${toAsk.map((s) => s.name).join(', ')}`)
} else {
  const refuse = (lines: string[]) =>
    fail([`npm run deploy: not deploying, ${lines.length} problem${lines.length > 1 ? 's' : ''}:`, ...lines.map((line) => `  ${line}`),
      'Fix them, or deploy anyway with: npm run deploy -- --force'])
  if (problems.length) refuse(problems)
  // The first network call, and only once every local check has passed.
  const missing = toAsk.length ? missingSecrets(toAsk) : []
  if (missing.length) refuse(missing)
}

run('npm', ['run', 'build'], ROOT)
run('wrangler', ['deploy', ...wranglerArgs], process.cwd())
