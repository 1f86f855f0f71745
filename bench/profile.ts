// node bench/profile.ts [--endpoint "POST new token"] [--duration 5] [--connections 20] [--worker ours|bare] [--config path/wrangler.toml]
//
// A CPU profile of one Worker under load, in miniflare directly: the bundle built unminified, the
// V8 profiler started through workerd's inspector (what `--inspect` attaches to), one endpoint
// loaded as `npm run bench` loads it. Prints where the isolate's samples fell (the Worker and
// its Durable Object share it): self time by function, and by source file of the bundle.
// Time the isolate spends waiting (KV, SQLite commits, the network) is not sampled: compare the
// busy share with the whole run to see whether the isolate is the bottleneck.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker } from '../scripts/worker-size.ts'
import { ENDPOINTS, load, makeAgent, seed } from './load.ts'
import { freePort } from '../test/support/wrangler-dev.ts'
import { BARE_CONFIG, OURS_CONFIG, startMiniflareDirect, stopAll, tempDir } from './servers.ts'

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'POST new token' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '20' },
    worker: { type: 'string', default: 'ours' },
    top: { type: 'string', default: '25' },
    // Another wrangler.toml for ours (a copy of an earlier version, say, to compare with).
    config: { type: 'string' },
  },
})
const endpoint = ENDPOINTS.find((e) => e.name === args.endpoint)
if (!endpoint) throw new Error(`no endpoint ${args.endpoint}; one of: ${ENDPOINTS.map((e) => e.name).join(', ')}`)

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount: number
  children?: number[]
}
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] }

/** A minimal Chrome DevTools Protocol client over WebSocket. */
async function devtools(url: string) {
  const ws = new WebSocket(url)
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail })
  let id = 0
  const pending = new Map<number, (result: unknown) => void>()
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data))
    if (message.id && pending.has(message.id)) pending.get(message.id)!(message.result ?? message.error)
  }
  return {
    send: <T>(method: string, params: object = {}) =>
      new Promise<T>((ok) => { pending.set(++id, ok as never); ws.send(JSON.stringify({ id, method, params })) }),
    close: () => ws.close(),
  }
}

/** Which source file of the bundle a line belongs to, from esbuild's `// path` comments. */
function sourceFiles(bundle: string): (line: number) => string {
  const marks: [number, string][] = []
  bundle.split('\n').forEach((text, i) => {
    const m = /^\/\/ (\S+\.(?:ts|js|mjs))$/.exec(text)
    if (m) marks.push([i, m[1].replace(/^.*node_modules\//, 'node_modules/')])
  })
  return (line) => {
    let file = '(bundle prelude)'
    for (const [start, name] of marks) if (start <= line) file = name; else break
    return file
  }
}

async function main() {
  const dir = tempDir('bench-profile-')
  const config = args.worker === 'bare' ? BARE_CONFIG : args.config ?? OURS_CONFIG
  const script = bundleWorker(join(dir, 'bundle'), config, { minify: false })
  const inspectorPort = await freePort()
  const server = await startMiniflareDirect(args.worker, { script, config, vars: { RATE_LIMITS: 'off' } }, inspectorPort)
  const seeded = await seed(server, makeAgent(), [endpoint!])
  await load(server, endpoint!.request(seeded), { connections: Number(args.connections), amount: 500 })

  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { title: string; webSocketDebuggerUrl: string }[]
  const target = targets.find((t) => t.title.includes(args.worker)) ?? targets[0]
  const cdp = await devtools(target.webSocketDebuggerUrl)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
  await cdp.send('Profiler.start')
  const sample = await load(server, endpoint!.request(seeded), { connections: Number(args.connections), duration: Number(args.duration) })
  const { profile } = await cdp.send<{ profile: Profile }>('Profiler.stop')
  cdp.close()

  const { readFileSync } = await import('node:fs')
  const fileOf = sourceFiles(readFileSync(script, 'utf8'))
  const interval = (profile.endTime - profile.startTime) / 1000 / profile.samples.length // ms per sample
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const hits = new Map<number, number>()
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1)
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  // A sample is the registry's when any frame of its stack is registry code (async continuations
  // of its methods start their own stacks, so they count too).
  const registryFrame = (f: ProfileNode['callFrame'], file: string) =>
    /visitor-registry\.ts|kv-replica\.ts/.test(file) || (args.worker === 'bare' && /^(register|find)$/.test(f.functionName) && file === 'index.ts')
  const inRegistry = (nodeId: number): boolean => {
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame
      if (f.url && registryFrame(f, fileOf(f.lineNumber))) return true
    }
    return false
  }
  let registry = 0
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  let idle = 0
  for (const [nodeId, n] of hits) {
    if (inRegistry(nodeId)) registry += n
    const { functionName, url, lineNumber } = byId.get(nodeId)!.callFrame
    if (functionName === '(idle)') { idle += n; continue }
    const file = url ? fileOf(lineNumber) : functionName.startsWith('(') ? functionName : '(native)'
    const fn = `${functionName || '(anonymous)'}  ${url ? `${file}:${lineNumber + 1}` : ''}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + n)
    byFile.set(file, (byFile.get(file) ?? 0) + n)
  }
  const total = profile.samples.length
  const busy = total - idle
  const requests = sample.rps * (profile.endTime - profile.startTime) / 1e6
  console.log(`\n${args.worker}, ${endpoint!.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms`)
  const perRequest = (n: number) => `${(n * interval / requests * 1000).toFixed(0)} µs`
  console.log(`isolate busy ${(100 * busy / total).toFixed(0)}% of the run: ${perRequest(busy)} of JS (and the native calls it makes) per request,`)
  console.log(`  of which in registry code (its methods and what they call): ${perRequest(registry)}; the rest (Worker, RPC, runtime): ${perRequest(busy - registry)}`)
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`)
    for (const [name, n] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top)))
      console.log(`${(100 * n / busy).toFixed(1).padStart(6)}%  ${(n * interval / requests * 1000).toFixed(1).padStart(7)} µs/req  ${name}`)
  }
  print('self time by source file (share of busy samples)', byFile)
  print('self time by function', byFunction)
}

try {
  await main()
} finally {
  await stopAll()
}
