// The servers `npm run bench` loads: `wrangler dev` (the proxy + workerd that `npm run dev` runs)
// and miniflare directly (one workerd, no dev proxy), each on a free port with its own temporary
// state. Everything started is registered for cleanup, which runs on success, on error and on
// Ctrl-C / SIGTERM, so no wrangler or workerd process outlives the run.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { freePort, signalGroup } from '../test/support/wrangler-dev.ts'
import { unstable_readConfig } from 'wrangler'

export const ROOT = resolve(import.meta.dirname, '..')
export const BIN = join(ROOT, 'node_modules/.bin')
export const OURS_CONFIG = join(ROOT, 'wrangler.toml')
export const BARE_CONFIG = join(ROOT, 'bench/bare/wrangler.toml')
const COUNTING_BINDINGS = join(ROOT, 'bench/counting-bindings.js')

// No network: miniflare would otherwise try to download the `Request.cf` object (and warn).
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true' }

// ---- cleanup, whatever happens ----

/** A server to stop, or (`dir`) a directory to remove once every server has stopped. */
type Cleanup = { sync: () => void; async: () => Promise<void>; dir?: true }
const cleanups = new Set<Cleanup>()

/** Stops every server still running, then removes the temporary directories. Safe to call again. */
export async function stopAll(): Promise<void> {
  const all = [...cleanups]
  cleanups.clear()
  await Promise.allSettled(all.filter((c) => !c.dir).map((c) => c.async()))
  await Promise.allSettled(all.filter((c) => c.dir).map((c) => c.async()))
}

let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    console.error(`\n${signal}: stopping servers…`)
    void stopAll().finally(() => process.exit(130))
  })
}
// Last resort (process.exit elsewhere, an uncaught error): synchronous kills only.
process.on('exit', () => {
  for (const c of [...cleanups].sort((a, b) => Number(a.dir ?? false) - Number(b.dir ?? false))) c.sync()
})

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  cleanups.add({ sync: remove, async: async () => remove(), dir: true })
  return dir
}

/** A copy of a directory, removed at the end. */
export function copyDir(dir: string, prefix: string): string {
  const copy = tempDir(prefix)
  cpSync(dir, copy, { recursive: true })
  return copy
}

/**
 * A copy of our Worker's sources, wrangler.toml and assets, as they are now, inside the repository (so its
 * imports still resolve node_modules); returns the copy's wrangler.toml. `wrangler dev` watches its
 * sources and reloads on every change: others editing worker/ mid-run must not swap (or break) the
 * Worker under load.
 */
export function snapshotOurs(): string {
  const dir = mkdtempSync(join(ROOT, 'bench', '.snapshot-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  cleanups.add({ sync: remove, async: async () => remove(), dir: true })
  for (const path of ['worker', 'shared', 'package.json', 'wrangler.toml', 'widget/dist']) cpSync(join(ROOT, path), join(dir, path), { recursive: true })
  return join(dir, 'wrangler.toml')
}

// ---- wrangler dev ----

export interface Server {
  name: string
  url: string
  /** Writes a KV value straight into this server's CONTACTS namespace. */
  putKv(key: string, value: string, metadata?: object): Promise<void>
  /** What the server logged since the last call (wrangler dev only; miniflare logs to this terminal). */
  takeLog(): string
  /** The instance, when the server is miniflare directly. */
  miniflare?: Miniflare
  /** Its local state (wrangler dev only), for the agent CLI's `--persist-to`. */
  persistTo?: string
  stop(): Promise<void>
}

/**
 * `wrangler dev --config <config>` on a free port, persisting to a fresh temporary directory; in
 * its own process group, so stopping it also stops wrangler's workerd children. As
 * test/support/wrangler-dev.ts does, but for any config. `assets`: a directory served instead of
 * the config's (a copy, so that a rebuild of widget/dist does not reload the server mid-run).
 */
export async function startWranglerDev(name: string, config: string, vars: Record<string, string> = {}, assets?: string, probe = '/api/info'): Promise<Server & { firstAnswer: FirstAnswer }> {
  const spawned = performance.now()
  const port = await freePort()
  const inspector = await freePort()
  const persistTo = tempDir('bench-state-')
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
    '--persist-to', persistTo, '--show-interactive-dev-session=false', '--log-level', 'warn']
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`)
  if (assets) args.push('--assets', assets)
  const child = spawn(join(BIN, 'wrangler'), args, { cwd: ROOT, detached: true, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((r) => child.once('exit', r))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    signalGroup(child, 'SIGTERM')
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
    // workerd children that outlived wrangler, if any.
    signalGroup(child, 'SIGKILL')
  }
  const cleanup: Cleanup = { sync: () => signalGroup(child, 'SIGKILL'), async: stop }
  cleanups.add(cleanup)

  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  let firstAnswer: FirstAnswer
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev (${name}) exited:\n${output}`)
    if (Date.now() > deadline) throw new Error(`wrangler dev (${name}) did not answer within 60 s:\n${output}`)
    const sent = performance.now()
    try {
      const response = await fetch(`${url}${probe}`)
      await response.arrayBuffer()
      // The proxy may answer before the Worker is up (503): only the Worker's answer counts.
      if (response.status < 500) {
        const answered = performance.now()
        firstAnswer = { fromSpawnMs: answered - spawned, requestMs: answered - sent }
        break
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  output = ''
  return {
    name,
    url,
    firstAnswer,
    persistTo,
    takeLog: () => { const taken = output; output = ''; return taken },
    // The same local store the running server reads (seen at once: shared/notes/platform.md).
    async putKv(key, value, metadata) {
      const kvArgs = ['kv', 'key', 'put', key, value, '--binding', 'CONTACTS', '--local', '--config', config, '--persist-to', persistTo]
      if (metadata) kvArgs.push('--metadata', JSON.stringify(metadata))
      await promisify(execFile)(join(BIN, 'wrangler'), kvArgs, { cwd: ROOT, env: ENV })
    },
    async stop() {
      cleanups.delete(cleanup)
      await stop()
    },
  }
}

/** How long a fresh `wrangler dev` took to answer its first request: from the spawn, and that
 * request alone (sent once the port was open: the Worker's isolate starting behind it). */
export interface FirstAnswer { fromSpawnMs: number; requestMs: number }

/** The widget's settings of ours, which the bare Worker's GET livechat/config answers too. */
export function bareVars(): Record<string, string> {
  const vars = readVars(OURS_CONFIG)
  const names = ['LIVECHAT_THEME', 'LIVECHAT_REGISTRATION_FORM', 'LIVECHAT_DEPARTMENTS', 'LIVECHAT_CUSTOM_FIELDS']
  return Object.fromEntries(names.map((n) => [n, vars[n]]))
}

// ---- miniflare directly ----

interface WorkerConfig {
  /** The bundle (`wrangler deploy --dry-run` output). */
  script: string
  config: string
  vars?: Record<string, string>
}

/** The [vars] of a wrangler.toml, as strings. */
export function readVars(config: string): Record<string, string> {
  const { vars } = unstable_readConfig({ config }) as { vars: Record<string, unknown> }
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
}

/** The v4-style options of a Worker from its wrangler.toml: vars, KV, Durable Objects, rate limits. */
function workerOptions(name: string, { script, config, vars = {} }: WorkerConfig) {
  // The fields used here (wrangler's own Config type does not resolve outside wrangler).
  const c = unstable_readConfig({ config }) as {
    compatibility_date?: string
    compatibility_flags: string[]
    vars: Record<string, unknown>
    kv_namespaces: { binding: string }[]
    durable_objects: { bindings: { name: string; class_name: string }[] }
    ratelimits?: { name: string; namespace_id: string; simple: { limit: number; period?: number } }[]
    queues: {
      producers?: { binding: string; queue: string }[]
      consumers?: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }[]
    }
    send_email?: { name: string }[]
  }
  return {
    name,
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    rootPath: dirname(script),
    compatibilityDate: c.compatibility_date,
    compatibilityFlags: c.compatibility_flags,
    bindings: { ...c.vars, ...vars },
    kvNamespaces: Object.fromEntries(c.kv_namespaces.map((kv) => [kv.binding, kv.binding])),
    durableObjects: Object.fromEntries(c.durable_objects.bindings.map((d) => [d.name, { className: d.class_name, useSQLite: true }])),
    ratelimits: Object.fromEntries((c.ratelimits ?? []).map((r) => [r.name, { namespace_id: r.namespace_id, simple: r.simple }])),
    queueProducers: Object.fromEntries((c.queues.producers ?? []).map((p) => [p.binding, { queueName: p.queue }])),
    queueConsumers: Object.fromEntries((c.queues.consumers ?? []).map((q) => [q.queue, {
      maxBatchSize: q.max_batch_size, maxBatchTimeout: q.max_batch_timeout, maxRetries: q.max_retries, deadLetterQueue: q.dead_letter_queue,
    }])),
    email: { send_email: (c.send_email ?? []).map(({ name }) => ({ name })) },
  }
}

async function startMiniflare(name: string, v4: object, persist: boolean) {
  // miniflare 5 (beta, pulled by wrangler) takes a new option shape; it converts the classic one.
  const options = { ...convertV4MiniflareOptions(v4 as never), logRequests: false }
  if (persist) options.resourcePersistencePath = tempDir('bench-mf-')
  const mf = new Miniflare(options)
  const cleanup: Cleanup = { sync: () => {}, async: () => mf.dispose() }
  cleanups.add(cleanup)
  const url = await mf.ready
  return { mf, url: url.origin, stop: async () => { cleanups.delete(cleanup); await mf.dispose() } }
}

/** One Worker in miniflare (one workerd process, no dev proxy), on a free port, persisting to disk. */
export async function startMiniflareDirect(name: string, worker: WorkerConfig, inspectorPort?: number): Promise<Server> {
  const v4 = { host: '127.0.0.1', port: await freePort(), ...(inspectorPort && { inspectorPort }), ...workerOptions(name, worker) }
  const { mf, url, stop } = await startMiniflare(name, v4, true)
  const kv = await mf.getKVNamespace('CONTACTS')
  return {
    name,
    url,
    async putKv(key, value, metadata) { await kv.put(key, value, metadata ? { metadata } : undefined) },
    takeLog: () => '',
    miniflare: mf,
    stop,
  }
}

export interface CountingServer extends Server {
  /** KV operations, queue messages and Durable Object calls (by method) since the last call; resets them. */
  takeCounts(): Promise<{ kv: Record<string, number>; queue: number; rpc: Record<string, number> }>
}

/** The public methods of the Durable Object classes in the Worker's source directory (read from
 * the source: the counting stubs forward exactly these). */
function objectMethods(config: string): string[] {
  const { main } = unstable_readConfig({ config }) as { main: string }
  const dir = dirname(resolve(dirname(config), main))
  const methods = new Set<string>()
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue
    const source = readFileSync(join(dir, file), 'utf8')
    if (!/extends DurableObject\b/.test(source)) continue
    for (const [, method] of source.matchAll(/^ {2}(?:async )?([a-z]\w*)\(/gm)) if (method !== 'constructor') methods.add(method)
  }
  return [...methods]
}

/**
 * One Worker in miniflare whose CONTACTS, queue producers and the Durable Object namespaces named
 * in `objects` (at most 3) are service bindings to bench/counting-bindings.js, which counts each KV
 * operation (the Worker's and its objects' alike: they share one env), each queue message and each
 * method called on those objects, then forwards it. No queue consumer runs: delivery happens after
 * the request, and would land in the next request's counts.
 */
export async function startCounting(name: string, worker: WorkerConfig, objects: string[]): Promise<CountingServer> {
  const options = workerOptions(name, worker)
  const wrapped = objects.map((binding) => {
    const object = options.durableObjects[binding]
    if (!object) throw new Error(`${worker.config} has no Durable Object binding ${binding}`)
    return object
  })
  const otherObjects = Object.fromEntries(Object.entries(options.durableObjects).filter(([b]) => !objects.includes(b)))
  const { CONTACTS: _wrapped, ...otherKv } = options.kvNamespaces
  const queues = Object.entries(options.queueProducers)
  const v4 = {
    host: '127.0.0.1',
    port: await freePort(),
    workers: [
      {
        ...options,
        kvNamespaces: otherKv,
        durableObjects: otherObjects,
        queueProducers: {},
        queueConsumers: {},
        serviceBindings: {
          CONTACTS: { name: 'counter', entrypoint: 'CountingKv' },
          ...Object.fromEntries(queues.map(([binding]) => [binding, { name: 'counter', entrypoint: 'CountingQueue' }])),
          ...Object.fromEntries(objects.map((binding, i) => [binding, { name: 'counter', entrypoint: `CountingObjects${i + 1}` }])),
        },
        // The classes still live in the Worker under test; only the bindings to them are wrapped.
        additionalUnboundDurableObjects: wrapped,
      },
      {
        name: 'counter',
        modules: true,
        scriptPath: COUNTING_BINDINGS,
        modulesRoot: dirname(COUNTING_BINDINGS),
        rootPath: dirname(COUNTING_BINDINGS),
        compatibilityDate: options.compatibilityDate,
        bindings: { METHODS: JSON.stringify(objectMethods(worker.config)) },
        kvNamespaces: { REAL_KV: 'CONTACTS' },
        // One queue per Worker here (LIVECHAT_EVENTS): CountingQueue forwards to it.
        queueProducers: Object.fromEntries(queues.slice(0, 1).map(([, producer]) => ['REAL_QUEUE', producer])),
        durableObjects: Object.fromEntries(wrapped.map((object, i) => [`REAL_DO_${i + 1}`, { ...object, scriptName: name }])),
      },
    ],
  }
  const { mf, url, stop } = await startMiniflare(name, v4, false)
  const kv = await mf.getKVNamespace('REAL_KV', 'counter')
  const counter = await mf.getWorker('counter')
  return {
    name,
    url,
    async putKv(key, value, metadata) { await kv.put(key, value, metadata ? { metadata } : undefined) },
    takeLog: () => '',
    async takeCounts() { return (await counter.fetch('http://counter/')).json() as never },
    stop,
  }
}
