// Agent credentials for Rocket.Chat's X-User-Id / X-Auth-Token, kept in the CONTACTS namespace
// through wrangler's KV commands (local by default, the deployed namespace with --remote).
//
//   npm run agent -- create <username> [--role <role>]... [--remote] [--persist-to <dir>]
//   npm run agent -- list [--remote] [--persist-to <dir>]
//   npm run agent -- revoke <userId> [--remote] [--persist-to <dir>]
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { SAFE_KEY_PART, keys, type AgentRecord } from '../worker/src/keys.ts'
import { ROLES } from '../worker/src/roles.ts'
import { randomId } from '../worker/src/ids.ts'

const USAGE = `usage: npm run agent -- create <username> [--role <role>]... [--remote] [--persist-to <dir>]
       npm run agent -- list [--remote] [--persist-to <dir>]
       npm run agent -- revoke <userId> [--remote] [--persist-to <dir>]
roles: ${ROLES.join(', ')} (default livechat-agent)`

type Listed = { name: string; metadata?: Omit<AgentRecord, 'tokenHash' | 'userId'> }

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
        remote: { type: 'boolean', default: false },
        'persist-to': { type: 'string' },
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
  try {
    return execFileSync('wrangler', ['kv', 'key', ...args, ...target], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
  } catch (error) {
    return fail(`wrangler kv key ${args[0]} failed:\n${(error as { stderr?: string }).stderr ?? error}`)
  }
}

function listAgents(): Listed[] {
  const out = wranglerKv('list', '--prefix', keys.agentPrefix)
  return JSON.parse(out.slice(out.indexOf('['))) as Listed[]
}

function create(username: string | undefined, roles: string[]) {
  if (!username || !/^[A-Za-z0-9._-]{1,64}$/.test(username)) fail(`a username of 1-64 letters, digits, '.', '_' or '-' is required\n${USAGE}`)
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
  if (unknown.length) fail(`unknown role ${unknown.join(', ')}; roles: ${ROLES.join(', ')}`)
  if (listAgents().some((a) => a.metadata?.username === username)) fail(`an agent named ${username} already exists`)

  const userId = randomId()
  const authToken = randomBytes(32).toString('base64url')
  const record: AgentRecord = {
    userId,
    username,
    roles,
    tokenHash: createHash('sha256').update(authToken).digest('hex'),
    createdAt: new Date().toISOString(),
  }
  const { tokenHash: _secret, userId: _key, ...metadata } = record
  wranglerKv('put', keys.agent(userId), JSON.stringify(record), '--metadata', JSON.stringify(metadata))
  // The token is shown once, here; only its hash is stored.
  console.log(JSON.stringify({ userId, authToken, username, roles }))
}

function list() {
  for (const { name, metadata } of listAgents())
    console.log(JSON.stringify({ userId: name.slice(keys.agentPrefix.length), ...metadata }))
}

function revoke(userId: string | undefined) {
  if (!userId || !SAFE_KEY_PART.test(userId)) fail(USAGE)
  if (!listAgents().some((a) => a.name === keys.agent(userId))) fail(`no agent with userId ${userId}`)
  wranglerKv('delete', keys.agent(userId))
  console.log(JSON.stringify({ revoked: userId }))
}

const [command, arg] = positionals
if (command === 'create') create(arg, values.role ?? ['livechat-agent'])
else if (command === 'list') list()
else if (command === 'revoke') revoke(arg)
else fail(USAGE)
