// Calls the real Worker inside workerd with miniflare's real KV and Durable Object.
import { createExecutionContext, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import worker from '../../worker/src/index.ts'
import type { Visitor } from '../../shared/visitor.ts'
import type { VisitorRegistry } from '../../worker/src/visitors/visitor-registry.ts'
import { keys, type AgentRecord } from '../../worker/src/keys.ts'
import { randomId, sha256Hex, toHex } from '../../shared/ids.ts'

export const BASE = 'https://contact.example'

export type Vars = Partial<Record<keyof Env, string>>

/** Sends a request through the Worker's fetch handler, optionally with other [vars] or bindings. */
export function call(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  const request = new Request(`${BASE}${path}`, init)
  // Each call from its own client unless the test names one: per-network limits stay out of the way.
  if (!request.headers.has('cf-connecting-ip')) request.headers.set('cf-connecting-ip', clientIp())
  return worker.fetch(request as never, { ...env, ...overrides }, createExecutionContext())
}

/** A fresh client address, so tests do not share the rate limit of one IP. */
export const clientIp = () => `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

export const newToken = () => randomId(20)

export function postVisitor(body: unknown, overrides: Partial<Env> = {}, headers: Record<string, string> = {}) {
  return call('/api/v1/livechat/visitor', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': clientIp(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }, overrides)
}

/** Registers a visitor and returns it, failing the test unless the API answered 200. */
export async function register(visitor: Record<string, unknown>, overrides: Partial<Env> = {}): Promise<Visitor> {
  const response = await postVisitor({ visitor }, overrides)
  const body = await response.json<{ visitor: Visitor }>()
  expect(response.status, JSON.stringify(body)).toBe(200)
  return body.visitor
}

/** Reads a visitor back through the public GET endpoint (null when the token is unknown). */
export async function fetchVisitor(token: string): Promise<Visitor | null> {
  const response = await call(`/api/v1/livechat/visitor/${token}`)
  return response.ok ? (await response.json<{ visitor: Visitor }>()).visitor : null
}

/** Stores an agent the way `npm run agent -- create` does and returns its headers. */
export async function createAgent(roles: string[] = ['livechat-agent']) {
  const userId = randomId()
  const authToken = randomId(43)
  const record: AgentRecord = {
    userId, username: `agent-${userId}`, roles, tokenHash: await sha256Hex(authToken), createdAt: new Date().toISOString(),
    epoch: toHex(crypto.getRandomValues(new Uint8Array(16))),
  }
  await env.CONTACTS.put(keys.agent(userId), JSON.stringify(record))
  return { userId, authToken, headers: { 'X-User-Id': userId, 'X-Auth-Token': authToken } }
}

export function getContact(query: string, headers: Record<string, string>, overrides: Partial<Env> = {}) {
  return call(`/api/v1/omnichannel/contact${query}`, { headers }, overrides)
}

/** The one registry Durable Object the Worker uses. */
export const registry = () => env.VISITOR_REGISTRY.getByName('global')

/** Waits for what the registry records after its answers: KV sends acknowledged, sent events'
 * rows deleted. */
export const registrySettled = () => runInDurableObject(registry(), async (instance: VisitorRegistry) => {
  await Promise.all([instance.replica.settled(), instance.outbox.settled()])
})

/** Every row of every table of the registry, once what it records after its answers is done. */
export async function registryTables(): Promise<Record<string, Record<string, unknown>[]>> {
  await registrySettled()
  return runInDurableObject(registry(), (_instance, state) => {
    const tables = state.storage.sql.exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").toArray()
    return Object.fromEntries(tables.map(({ name }) => [name, state.storage.sql.exec(`SELECT * FROM "${name}" ORDER BY 1`).toArray()]))
  })
}

/** Every KV key with its value and every registry row: to prove a request changed nothing. */
export async function snapshot(): Promise<{ kv: Record<string, string | null>; registry: Record<string, Record<string, unknown>[]> }> {
  const { keys: listed } = await env.CONTACTS.list()
  const entries = await Promise.all(listed.map(async ({ name }) => [name, await env.CONTACTS.get(name)] as const))
  return { kv: Object.fromEntries(entries), registry: await registryTables() }
}

/** The secret the tests configure for verified visitors (a `.dev.vars` value in real use). */
export const IDENTITY_SECRET = 'test-secret-0123456789abcdef0123456789abcdef'
export const withSecret = { VISITOR_IDENTITY_SECRET: IDENTITY_SECRET } as Partial<Env>

/** What a site's backend computes: HMAC-SHA-256 of `${identifier}.${expires}`, hex. */
export async function signIdentity(identifier: string, expiresInS = 600, secret = IDENTITY_SECRET) {
  const expires = Math.floor(Date.now() / 1000) + expiresInS
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${identifier}.${expires}`))
  const signature = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('')
  return { identifier, expires, signature }
}

type KvOperation = 'get' | 'put' | 'delete' | 'list'

/** The real namespace with some operations replaced: to count them, or to inject KV's failures. */
export function kvWith(replaced: Partial<Record<KvOperation, (...args: any[]) => Promise<unknown>>>): KVNamespace {
  return new Proxy(env.CONTACTS, {
    get(target, prop) {
      if (prop in replaced) return replaced[prop as KvOperation]
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** A KV namespace that counts the operations the Worker makes on the real one. */
export function countingKv() {
  const counts = { get: 0, put: 0, delete: 0, list: 0 }
  const counted = (op: KvOperation) => (...args: unknown[]) => {
    counts[op]++
    return (env.CONTACTS[op] as (...a: unknown[]) => Promise<unknown>).apply(env.CONTACTS, args)
  }
  const kv = kvWith({ get: counted('get'), put: counted('put'), delete: counted('delete'), list: counted('list') })
  return { counts, env: { CONTACTS: kv } as Partial<Env> }
}

/** Custom field definitions covering every rule: a JSON string, as a `--var` override is. */
export const FIELDS = JSON.stringify([
  { _id: 'address', label: 'Address', scope: 'visitor', visibility: 'visible', type: 'input', required: false, regexp: '', options: '' },
  { _id: 'company', label: 'Company', scope: 'visitor', visibility: 'visible', type: 'input', required: true, regexp: '', options: '' },
  { _id: 'plan', label: 'Plan', scope: 'visitor', visibility: 'visible', type: 'select', required: false, regexp: '', options: 'free, pro' },
  { _id: 'zip', label: 'ZIP code', scope: 'visitor', visibility: 'visible', type: 'input', required: false, regexp: '^[0-9]{5}$', options: '' },
  { _id: 'secret', label: 'Secret', scope: 'visitor', visibility: 'hidden', type: 'input', required: true, regexp: '', options: '' },
  { _id: 'topic', label: 'Topic', scope: 'room', visibility: 'visible', type: 'input', required: true, regexp: '', options: '' },
])

export { env }

/** A namespace whose `getByName` stub records each method the Worker calls on the real Durable Object. */
export function countingNamespace<N extends { getByName(name: string): object }>(stub: ReturnType<N['getByName']>) {
  const calls: string[] = []
  const namespace = {
    getByName: () => new Proxy(stub, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop)
        return typeof value === 'function' && typeof prop === 'string'
          ? (...args: unknown[]) => (calls.push(prop), (target as any)[prop](...args))
          : value
      },
    }),
  } as unknown as N
  return { calls, namespace }
}

/** A registry namespace that counts the calls the Worker makes to the real Durable Object. */
export function countingRegistry() {
  const { calls, namespace } = countingNamespace<Env['VISITOR_REGISTRY']>(registry())
  return { calls, env: { VISITOR_REGISTRY: namespace } as Partial<Env> }
}

/** Points the registry's KV copies at `kv` (a failing, lagging or counting namespace) until `restore()`. */
export async function replicateTo(kv: KVNamespace) {
  await runInDurableObject(registry(), (instance: VisitorRegistry) => { instance.replica.kv = kv })
  return { restore: () => runInDurableObject(registry(), (instance: VisitorRegistry) => { instance.replica.kv = env.CONTACTS }) }
}

/** Counts the KV operations the registry makes while copying visitors into KV. */
export async function countingReplica() {
  const { counts, env: { CONTACTS } } = countingKv()
  const { restore } = await replicateTo(CONTACTS!)
  return { counts, restore }
}

/** miniflare's rate limits count per wall-clock window (floor(now / period)): a test that counts up
 * to a limit starts its burst with at least `needMs` of the window left, or a window ending midway
 * resets the count and the expected 429 never comes. */
export async function inOneRateWindow(needMs = 15_000, periodMs = 60_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs)
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100))
}
