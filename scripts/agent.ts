// Agent credentials for Rocket.Chat's X-User-Id / X-Auth-Token and for POST /api/v1/login, kept
// in the CONTACTS namespace through wrangler's KV commands (local by default, the deployed
// namespace with --remote).
//
//   npm run agent -- create <username> [--role <role>]... [--password-stdin] [--remote] [--persist-to <dir>]
//   npm run agent -- passwd <username> --password-stdin [--remote] [--persist-to <dir>]
//   npm run agent -- list [--remote] [--persist-to <dir>]
//   npm run agent -- revoke <userId> [--remote] [--persist-to <dir>]
//   npm run agent -- --help
//
// A password is read from standard input only (never from an argument, which other users of the
// machine and the shell's history could see): piped, or typed at a hidden prompt.
import { execFileSync } from 'node:child_process'
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { SAFE_KEY_PART, USERNAME, keys, type AgentRecord, type PasswordRecord } from '../worker/src/keys.ts'
import { ROLES } from '../shared/roles.ts'
import { randomId } from '../shared/ids.ts'
import { HASH_BYTES, MIN_PASSWORD_LENGTH, PASSWORD_ITERATIONS, PASSWORD_KDF, SALT_BYTES } from '../worker/src/agents/password-kdf.ts'

const USAGE = `usage: npm run agent -- create <username> [--role <role>]... [--password-stdin] [--remote] [--persist-to <dir>]
       npm run agent -- passwd <username> --password-stdin [--remote] [--persist-to <dir>]
       npm run agent -- list [--remote] [--persist-to <dir>]
       npm run agent -- revoke <userId> [--remote] [--persist-to <dir>]
       npm run agent -- --help
roles: ${ROLES.join(', ')} (default livechat-agent)
--password-stdin reads the password from standard input (piped, or typed at a hidden prompt)
--remote writes to the deployed CONTACTS namespace instead of the local one that npm run dev reads
--persist-to <dir> uses another local store (npm run dev -- --persist-to <dir>)`

const MAX_PASSWORD_LENGTH = 1024

// What `list` shows: no secret, and nothing that decides whether a credential is valid.
type Metadata = Pick<AgentRecord, 'username' | 'name' | 'roles' | 'createdAt'>
type Listed = { name: string; metadata?: Metadata }

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        role: { type: 'string', multiple: true },
        'password-stdin': { type: 'boolean', default: false },
        remote: { type: 'boolean', default: false },
        'persist-to': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`)
  }
})()

const target = [
  '--binding', 'CONTACTS',
  values.remote ? '--remote' : '--local',
  ...(values['persist-to'] ? ['--persist-to', values['persist-to']] : []),
]

function wranglerKv(...args: string[]): string {
  // The local store is SQLite that a running `npm run dev` also holds: a write can meet it busy.
  for (let attempt = 1; ; attempt++) {
    try {
      return execFileSync('wrangler', ['kv', 'key', ...args, ...target], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      })
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error)
      if (attempt < 4 && /SQLITE_BUSY|database is locked/.test(stderr)) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250 * attempt)
        continue
      }
      return fail(`wrangler kv key ${args[0]} failed:\n${stderr}`)
    }
  }
}

function list(prefix: string): Listed[] {
  const out = wranglerKv('list', '--prefix', prefix)
  return JSON.parse(out.slice(out.indexOf('['))) as Listed[]
}

const listAgents = () => list(keys.agentPrefix)

/** The value of a key, or null: `wrangler kv key get` prints "Value not found" for a missing one. */
function get(key: string): string | null {
  if (!list(key).some((k) => k.name === key)) return null
  return wranglerKv('get', key)
}

/** Writes a value through a private temporary file, so no hash shows in the process list. */
function put(key: string, value: string, metadata?: object) {
  const dir = mkdtempSync(join(tmpdir(), 'agent-'))
  try {
    const file = join(dir, 'value')
    writeFileSync(file, value, { mode: 0o600 })
    wranglerKv('put', key, '--path', file, ...(metadata ? ['--metadata', JSON.stringify(metadata)] : []))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function putAgent(record: AgentRecord) {
  const { username, name, roles, createdAt } = record
  put(keys.agent(record.userId), JSON.stringify(record), { username, name, roles, createdAt } satisfies Metadata)
}

/** A new credential generation: sessions carry the one they were made under (see agents/sessions.ts). */
const newEpoch = () => randomBytes(16).toString('hex')

/** A hidden prompt on a terminal; otherwise everything piped in, less one final line break. */
function readStdin(): string {
  if (!process.stdin.isTTY) return readFileSync(0, 'utf8').replace(/\r?\n$/, '')
  process.stderr.write('Password: ')
  process.stdin.setRawMode(true)
  const typed: number[] = []
  const byte = Buffer.alloc(1)
  try {
    for (;;) {
      if (readSync(0, byte, 0, 1, null) === 0) break
      const [b] = byte
      if (b === 0x0d || b === 0x0a) break
      if (b === 0x03) process.exit(130) // Ctrl-C
      if (b === 0x7f || b === 0x08) typed.pop() // may leave half a multi-byte character: retype
      else typed.push(b)
    }
  } finally {
    process.stdin.setRawMode(false)
    process.stderr.write('\n')
  }
  return Buffer.from(typed).toString('utf8')
}

function readPassword(): string {
  const password = readStdin()
  const length = [...password].length
  if (length === 0) fail('the password is empty')
  if (length < MIN_PASSWORD_LENGTH) fail(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  if (length > MAX_PASSWORD_LENGTH) fail(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`)
  if (/[\r\n]/.test(password)) fail('the password must be one line')
  return password
}

/** Exactly what the Worker verifies (worker/src/agents/passwords.ts): PBKDF2-SHA-256 over the
 * UTF-8 bytes of the password in Unicode NFC, a random 16-byte salt, 100,000 iterations. */
function hashPassword(password: string): PasswordRecord {
  const salt = randomBytes(SALT_BYTES)
  const hash = pbkdf2Sync(password.normalize('NFC'), salt, PASSWORD_ITERATIONS, HASH_BYTES, 'sha256')
  return { kdf: PASSWORD_KDF, iterations: PASSWORD_ITERATIONS, salt: salt.toString('hex'), hash: hash.toString('hex') }
}

/** The agent whose username is `username`, whatever its case. */
function findByUsername(username: string): Listed | undefined {
  const lower = username.toLowerCase()
  return listAgents().find((a) => a.metadata?.username.toLowerCase() === lower)
}

function create(username: string | undefined, roles: string[]) {
  if (!username || !USERNAME.test(username)) fail(`a username of 1-64 letters, digits, '.', '_' or '-' is required\n${USAGE}`)
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
  if (unknown.length) fail(`unknown role ${unknown.join(', ')}; roles: ${ROLES.join(', ')}`)
  // Unique regardless of case: the sign-in index and every agent already stored.
  if (get(keys.agentName(username)) !== null || findByUsername(username)) fail(`the username ${username} is taken`)
  const password = values['password-stdin'] ? readPassword() : undefined

  const userId = randomId()
  const authToken = randomBytes(32).toString('base64url')
  const record: AgentRecord = {
    userId,
    username,
    roles,
    tokenHash: createHash('sha256').update(authToken).digest('hex'),
    createdAt: new Date().toISOString(),
    epoch: newEpoch(),
    ...(password !== undefined && { password: hashPassword(password) }),
  }
  putAgent(record)
  put(keys.agentName(username), userId)
  // The token is shown once, here; only its hash is stored.
  console.log(JSON.stringify({ userId, authToken, username, roles }))
}

function passwd(username: string | undefined) {
  if (!username) fail(USAGE)
  if (!values['password-stdin']) fail('passwd reads the new password from standard input: add --password-stdin')
  const listed = findByUsername(username)
  if (!listed) fail(`no agent named ${username}`)
  const password = readPassword()
  const record = JSON.parse(wranglerKv('get', listed.name)) as AgentRecord
  // A new epoch ends every sign-in session made under the old password, a leaked password's
  // included, wherever the Worker reads this record. The CLI token stays: no password yields it.
  putAgent({ ...record, password: hashPassword(password), epoch: newEpoch() })
  // Agents created before sign-in existed get their index entry here.
  put(keys.agentName(record.username), record.userId)
  console.log(JSON.stringify({ userId: record.userId, username: record.username, passwordChanged: true }))
}

function listCommand() {
  for (const { name, metadata } of listAgents())
    console.log(JSON.stringify({ userId: name.slice(keys.agentPrefix.length), ...metadata }))
}

function revoke(userId: string | undefined) {
  if (!userId || !SAFE_KEY_PART.test(userId)) fail(USAGE)
  const listed = listAgents().find((a) => a.name === keys.agent(userId))
  if (!listed) fail(`no agent with userId ${userId}`)
  // Its sign-in sessions stop working with the record: every request reads the agent record.
  wranglerKv('delete', keys.agent(userId))
  const nameKey = listed.metadata && keys.agentName(listed.metadata.username)
  if (nameKey && get(nameKey)?.trim() === userId) wranglerKv('delete', nameKey)
  console.log(JSON.stringify({ revoked: userId }))
}

const [command, arg] = positionals
if (values.help) console.log(USAGE)
else if (command === 'create') create(arg, values.role ?? ['livechat-agent'])
else if (command === 'passwd') passwd(arg)
else if (command === 'list') listCommand()
else if (command === 'revoke') revoke(arg)
else fail(USAGE)
