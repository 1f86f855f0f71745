// Agents with passwords, stored the way `npm run agent -- create --password-stdin` stores them,
// and sign-in calls through the Worker.
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { vi } from 'vitest'
import { hashPassword } from '../../worker/src/agents/passwords.ts'
import type { LoginThrottle } from '../../worker/src/agents/login-throttle.ts'
import { randomId, sha256Hex, toHex } from '../../shared/ids.ts'
import { keys, type AgentRecord } from '../../worker/src/keys.ts'
import { call, clientIp, countingNamespace } from './support.ts'

export const PASSWORD = 'correct horse battery staple'

export const LOGIN_FAILED = { status: 'error', error: 'Unauthorized', message: 'Unauthorized' }
export const LOGGED_OUT = {
  success: false,
  error: 'You must be logged in to do this.',
  status: 'error',
  message: 'You must be logged in to do this.',
}

/** A username no other test uses. */
export const uniqueName = () => `agent.${randomId(10)}`

/** A credential generation, as `npm run agent -- create` and `passwd` write it: 16 random bytes, hex. */
export const newEpoch = () => toHex(crypto.getRandomValues(new Uint8Array(16)))

/** Stores an agent with a password and its username index entry; returns its CLI token too. */
export async function createAgentWithPassword(options: { username?: string; password?: string; roles?: string[]; name?: string } = {}) {
  const { username = uniqueName(), password = PASSWORD, roles = ['livechat-agent'], name } = options
  const userId = randomId()
  const authToken = randomId(43)
  const record: AgentRecord = {
    userId, username, roles, tokenHash: await sha256Hex(authToken), createdAt: new Date().toISOString(),
    epoch: newEpoch(), password: await hashPassword(password), ...(name !== undefined && { name }),
  }
  await env.CONTACTS.put(keys.agent(userId), JSON.stringify(record))
  await env.CONTACTS.put(keys.agentName(username), userId)
  return { userId, username, password, authToken, record, headers: { 'X-User-Id': userId, 'X-Auth-Token': authToken } }
}

/** What `npm run agent -- passwd` writes: the new password and a new epoch. Returns the new record. */
export async function changePassword(record: AgentRecord, password: string): Promise<AgentRecord> {
  const changed: AgentRecord = { ...record, password: await hashPassword(password), epoch: newEpoch() }
  await env.CONTACTS.put(keys.agent(record.userId), JSON.stringify(changed))
  return changed
}

/** POST /api/v1/login from `ip` (a fresh address unless given). */
export function login(body: unknown, options: { ip?: string; overrides?: Partial<Env>; headers?: Record<string, string> } = {}) {
  return call('/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': options.ip ?? clientIp(), ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }, options.overrides)
}

/** Signs in and returns the session's headers, failing unless the answer was 200. */
export async function signIn(username: string, password = PASSWORD) {
  const response = await login({ user: username, password })
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`)
  const { data } = await response.json<{ data: { userId: string; authToken: string } }>()
  return { ...data, headers: { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken } }
}

export const me = (headers: Record<string, string>, overrides: Partial<Env> = {}) => call('/api/v1/me', { headers }, overrides)

export const logout = (headers: Record<string, string>, method = 'POST') => call('/api/v1/logout', { method, headers })

/** The one throttle Durable Object the Worker uses. */
export const throttle = () => env.LOGIN_THROTTLE.getByName('global')

/** The throttle's rows, by key. */
export function throttleRows(): Promise<Record<string, { failures: number; last_failure: number; blocked_until: number | null }>> {
  return runInDurableObject(throttle(), (_instance: LoginThrottle, state) => {
    const rows = state.storage.sql.exec<{ key: string; failures: number; last_failure: number; blocked_until: number | null }>('SELECT * FROM failures').toArray()
    return Object.fromEntries(rows.map(({ key, ...row }) => [key, { ...row }]))
  })
}

/** Moves every time stored for `key` by `ms` (negative: into the past), as if time had passed. */
export function shiftThrottle(key: string, ms: number) {
  return runInDurableObject(throttle(), (_instance: LoginThrottle, state) => {
    state.storage.sql.exec('UPDATE failures SET last_failure = last_failure + ?, blocked_until = blocked_until + ? WHERE key = ?', ms, ms, key)
  })
}

/** A throttle namespace that records the calls the Worker makes to the real Durable Object. */
export function countingThrottle() {
  const { calls, namespace } = countingNamespace<Env['LOGIN_THROTTLE']>(throttle())
  return { calls, env: { LOGIN_THROTTLE: namespace } as Partial<Env> }
}

/** Spies (calling through) on the crypto a sign-in or an authentication does. */
export function spyOnCrypto() {
  const spies = {
    importKey: vi.spyOn(crypto.subtle, 'importKey'),
    deriveBits: vi.spyOn(crypto.subtle, 'deriveBits'),
    digest: vi.spyOn(crypto.subtle, 'digest'),
    timingSafeEqual: vi.spyOn(crypto.subtle, 'timingSafeEqual'),
  }
  const size = (b: unknown) => (b as ArrayBufferView | ArrayBuffer).byteLength
  return {
    spies,
    clear: () => Object.values(spies).forEach((s) => s.mockClear()),
    /** The work done since the last clear, by kind and size: never the secrets themselves. */
    work: () => ({
      importKey: spies.importKey.mock.calls.map(([format, , algorithm]) => [format, typeof algorithm === 'string' ? algorithm : (algorithm as SubtleCryptoImportKeyAlgorithm).name]),
      deriveBits: spies.deriveBits.mock.calls.map(([algorithm, , length]) => {
        const { name, hash, iterations, salt } = algorithm as SubtleCryptoDeriveKeyAlgorithm
        return [name, hash, iterations, size(salt), length]
      }),
      digest: spies.digest.mock.calls.map(([algorithm, data]) => [algorithm, size(data)]),
      timingSafeEqual: spies.timingSafeEqual.mock.calls.map(([a, b]) => [size(a), size(b)]),
    }),
    verdicts: () => spies.timingSafeEqual.mock.results.map((r) => r.value),
  }
}
