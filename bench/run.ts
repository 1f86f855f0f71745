// npm run bench [-- --quick] [-- --rounds 5 --duration 2 --slices 8 --connections 20 --cold-starts 10 --only counts|wrangler|miniflare|cold ...] [-- --aa]
//
// Default: 5 rounds × 2 s per server and endpoint in each setup, 10 cold starts each: about 6
// minutes for this part. --quick: 5 rounds × 1 s, 3 cold starts (about 4 minutes). Each server's
// seconds of a round are --slices short runs, alternating with the other server's (see compare).
// --aa: a second copy of the bare Worker in ours' place, to see the bench's own noise.
//
// Measures our Worker against a bare Worker doing the same KV and Durable Object work
// (bench/bare), endpoint by endpoint, through `wrangler dev` (proxy + workerd, as `npm run dev`)
// and through miniflare directly (one workerd, no dev proxy), with p50/p99 latencies; times each
// Worker's cold start under `wrangler dev`; counts the KV operations, Durable Object calls and
// queue messages of each request with instrumented bindings; prints the Worker bundle and the
// widget sizes and the machine's load average; writes all of it to bench/results.json.
//
// A benchmark, not a test: this machine is shared and noisy, so what holds is the ratio of two
// servers measured in the same run, taking turns, never an absolute number.
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker, sizeOf, type Size } from '../scripts/worker-size.ts'
import {
  ENDPOINTS, aggregate, combine, load, loadSlice, makeAgent, median, newToken, seed, send, type Aggregate, type Sample, type Seed, type Slice, type Work,
} from './load.ts'
import {
  BARE_CONFIG, BIN, ROOT, bareVars, copyDir, snapshotOurs, startCounting, startMiniflareDirect, startWranglerDev, stopAll, tempDir,
  type FirstAnswer, type Server,
} from './servers.ts'

/** The issue's target: every endpoint at least this fraction of the bare Worker's requests/s. */
const TARGET = 0.8

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string' },
    slices: { type: 'string' },
    connections: { type: 'string', default: '20' },
    'cold-starts': { type: 'string' },
    only: { type: 'string', multiple: true },
    // A/A: a second copy of the bare Worker in ours' place, to see the measurement's own spread.
    aa: { type: 'boolean', default: false },
  },
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration ?? (args.quick ? 1 : 2))
/** Each server's DURATION per endpoint and round is this many runs, taking turns with the other's:
 * by default runs of about a quarter of a second. */
const SLICES = Math.max(1, Math.round(Number(args.slices ?? DURATION / 0.25)))
const CONNECTIONS = Number(args.connections)
const COLD_STARTS = Number(args['cold-starts'] ?? (args.quick ? 3 : 10))
const AA = args.aa
const phases = new Set(args.only ?? (AA ? ['wrangler', 'miniflare'] : ['counts', 'wrangler', 'miniflare', 'cold']))
const started = Date.now()
const log = (message: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`)

/** A git answer, or null outside a clone. */
function git(...gitArgs: string[]): string | null {
  try {
    return execFileSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

// ---- sizes ----

function widgetSize(): Size & { file: string } {
  const file = join(ROOT, 'widget/dist/widget.js')
  if (!existsSync(file)) {
    log('widget/dist/widget.js missing: npm run build')
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` } })
  }
  return { file: 'widget/dist/widget.js', ...sizeOf(file) }
}

// ---- counts ----

interface Counted extends Work { kvLists: number; rpcMethods: string[] }
const COUNTED = ['kvReads', 'kvWrites', 'kvDeletes', 'kvLists', 'rpc', 'queue'] as const

const COUNT_REPEATS = 3

async function countOperations(name: string, script: string, config: string, objects: string[], vars: Record<string, string> = {}) {
  const server = await startCounting(name, { script, config, vars }, objects)
  try {
    const seeded = await seed(server, makeAgent())
    const result: Record<string, Counted> = {}
    const measure = async (label: string, run: () => Promise<Response>, before?: () => Promise<void>) => {
      const total: Counted = { kvReads: 0, kvWrites: 0, kvDeletes: 0, kvLists: 0, rpc: 0, queue: 0, rpcMethods: [] }
      for (let i = 0; i < COUNT_REPEATS; i++) {
        await before?.()
        await server.takeCounts()
        const response = await run()
        if (response.status !== 200) throw new Error(`${name}: ${label} answered ${response.status}`)
        await response.arrayBuffer()
        const { kv, queue, rpc } = await server.takeCounts()
        total.queue += queue
        total.kvReads += kv.get + kv.getWithMetadata
        total.kvWrites += kv.put
        total.kvDeletes += kv.delete
        total.kvLists += kv.list
        for (const [method, n] of Object.entries(rpc)) {
          total.rpc += n
          if (!total.rpcMethods.includes(method)) total.rpcMethods.push(method)
        }
      }
      for (const key of COUNTED) total[key] /= COUNT_REPEATS
      result[label] = total
    }
    for (const endpoint of ENDPOINTS) await measure(endpoint.name, () => send(server, endpoint.request(seeded)))
    if (name === 'ours') {
      // Erasure too (docs/storage.md's table), of a visitor registered just before, uncounted.
      let token = ''
      await measure('DELETE visitor', () => fetch(`${server.url}/api/v1/livechat/visitor/${token}`, { method: 'DELETE' }), async () => {
        token = newToken()
        const r = await fetch(`${server.url}/api/v1/livechat/visitor`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitor: { token } }),
        })
        if (!r.ok) throw new Error(`registering a visitor to erase answered ${r.status}`)
      })
    }
    return result
  } finally {
    await server.stop()
  }
}

// ---- load ----

interface EndpointResult {
  bare: Aggregate
  ours: Aggregate
  /** ours rps / bare rps: the median of the rounds' ratios (each round's two runs are adjacent in
   * time, so one disturbed round does not decide it). */
  ratio: number
  roundRatios: number[]
  meetsTarget: boolean
}

/**
 * Both servers, endpoint by endpoint, taking turns within each round: each server's DURATION per
 * round is SLICES short runs, the two servers alternating in the order bare, ours, ours, bare,
 * bare, ours… (the other way round in the next round or endpoint), so that a burst of other work
 * on the machine lands on both rather than on one server's whole share. A server's slices in a
 * round add up to one sample: their steady-state 2xx responses over the time those took (see
 * loadSlice), latencies of all of them.
 */
async function compare(setup: string, servers: { bare: Server; ours: Server }, seeds: { bare: Seed; ours: Seed }) {
  const loadBefore = loadavg()
  const samples = new Map<string, { bare: Sample[]; ours: Sample[] }>(ENDPOINTS.map((e) => [e.name, { bare: [], ours: [] }]))
  log(`${setup}: warming up`)
  for (const endpoint of ENDPOINTS)
    for (const who of ['bare', 'ours'] as const)
      await load(servers[who], endpoint.request(seeds[who]), { connections: CONNECTIONS, amount: 100 })
  for (let round = 0; round < ROUNDS; round++) {
    log(`${setup}: round ${round + 1} of ${ROUNDS}`)
    for (const [e, endpoint] of ENDPOINTS.entries()) {
      const slices: { bare: Slice[]; ours: Slice[] } = { bare: [], ours: [] }
      for (let slice = 0; slice < SLICES; slice++) {
        const order = (round + e + slice) % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)
        for (const who of order)
          slices[who].push(await loadSlice(servers[who], endpoint.request(seeds[who]), { connections: CONNECTIONS, duration: DURATION / SLICES }))
      }
      for (const who of ['bare', 'ours'] as const) {
        const sample = combine(slices[who], servers[who].url)
        const logged = servers[who].takeLog().trim()
        if (sample.non2xx || sample.errors)
          console.error(`warning: ${setup} ${who} ${endpoint.name}: ${sample.errors} errors/timeouts; statuses ${JSON.stringify(sample.statuses)}${logged ? `; it logged:\n${logged.slice(-2000)}` : ''}`)
        samples.get(endpoint.name)![who].push(sample)
      }
    }
  }
  const result: Record<string, EndpointResult> = {}
  // The machine's 1, 5 and 15 minute load averages as the rounds began and ended (a shared machine).
  loads[setup] = { before: loadBefore, after: loadavg() }
  for (const [name, { bare, ours }] of samples) {
    const b = aggregate(bare)
    const o = aggregate(ours)
    const roundRatios = ours.map((s, i) => s.rps / bare[i].rps)
    const ratio = median(roundRatios)
    result[name] = { bare: b, ours: o, ratio, roundRatios, meetsTarget: ratio >= TARGET }
  }
  return result
}

async function seedBoth(servers: { bare: Server; ours: Server }) {
  const agent = makeAgent()
  const [bare, ours] = await Promise.all([seed(servers.bare, agent), seed(servers.ours, agent)])
  return { bare, ours }
}

// ---- printing ----

const pad = (s: string | number, n: number) => String(s).padStart(n)
const f0 = (n: number) => n.toFixed(0)
const f1 = (n: number) => n.toFixed(1)

/** Load averages per setup, printed with its figures. */
const loads: Record<string, { before: number[]; after: number[] }> = {}
const loadText = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ')

function printLoad(title: string, result: Record<string, EndpointResult>) {
  console.log(`\n${title}: ${CONNECTIONS} connections, ${ROUNDS} rounds × ${DURATION} s per server (${SLICES} slices each, taking turns)${AA ? '; A/A: "ours" is a second copy of bare' : ''}`)
  console.log(`load average (1/5/15 min, ${cpus().length} CPUs): ${loadText(loads[title].before)} before, ${loadText(loads[title].after)} after`)
  console.log('req/s: mean of the rounds (2xx only); p50, p99: medians; ours/bare: median of the rounds\' ratios')
  console.log(`${'endpoint'.padEnd(18)}${pad('bare req/s', 11)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('ours req/s', 12)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('ours/bare', 11)}  per round`)
  for (const [name, r] of Object.entries(result)) {
    const mark = r.meetsTarget ? '' : `  < ${TARGET}`
    console.log(`${name.padEnd(18)}${pad(f0(r.bare.rps), 11)}${pad(f1(r.bare.p50), 8)}${pad(f1(r.bare.p99), 8)}${pad(f0(r.ours.rps), 12)}${pad(f1(r.ours.p50), 8)}${pad(f1(r.ours.p99), 8)}${pad(r.ratio.toFixed(2), 11)}  ${r.roundRatios.map((x) => x.toFixed(2)).join(' ')}${mark}`)
  }
}

/** The design's minimum (docs/storage.md; pinned by test/worker/kv-operations.test.ts). */
const DESIGN: Record<string, Counted> = Object.fromEntries([
  ...ENDPOINTS.map((e) => [e.name, { ...e.design, kvLists: 0, rpcMethods: [] }]),
  // The registry erases the visitor, then hands its rooms to the rooms index.
  ['DELETE visitor', { kvReads: 0, kvWrites: 0, kvDeletes: 1, kvLists: 0, rpc: 2, queue: 0, rpcMethods: [] }],
])

function printCounts(counts: { ours: Record<string, Counted>; bare: Record<string, Counted> }) {
  const design = DESIGN
  const cell = (c?: Counted) => (c ? `${c.kvReads}/${c.kvWrites}/${c.kvDeletes}/${c.rpc}/${c.queue}` : '—').padStart(12)
  console.log(`\nOperations per request, counted with instrumented bindings (miniflare; KV reads/writes/deletes / Durable Object calls / queue messages; mean of ${COUNT_REPEATS} sequential requests)`)
  console.log(`${'request'.padEnd(18)}${pad('design', 12)}${pad('ours', 12)}${pad('bare', 12)}  ours' object methods`)
  for (const [name, d] of Object.entries(design)) {
    const ours = counts.ours[name]
    const same = ours && COUNTED.every((k) => ours[k] === d[k])
    console.log(`${name.padEnd(18)}${cell(d)}${cell(ours)}${cell(counts.bare[name])}  ${ours?.rpcMethods.join(', ') || '—'}${same ? '' : '  ≠ design'}`)
  }
}

// ---- main ----

async function main() {
  // Other work on the machine (1-minute load average, before and after) explains a noisy run.
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadBefore: loadavg()[0], loadAfter: 0 }
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    commit: git('rev-parse', 'HEAD'),
    // Uncommitted changes under worker/ or wrangler.toml: the numbers are of the working tree.
    workerChanged: Boolean(git('status', '--porcelain', '--', 'worker', 'wrangler.toml')),
    machine,
    options: { connections: CONNECTIONS, rounds: ROUNDS, durationSeconds: DURATION, slices: SLICES, coldStarts: COLD_STARTS, target: TARGET },
    loads,
  }

  const widget = widgetSize()
  log('bundling both Workers (wrangler deploy --dry-run)')
  const bundles = tempDir('bench-bundles-')
  // One version of our Worker for the whole run, whatever is edited meanwhile.
  const snapshot = snapshotOurs()
  const bare = { script: bundleWorker(join(bundles, 'bare'), BARE_CONFIG), config: BARE_CONFIG, vars: bareVars() }
  const ours = AA ? { ...bare } : { script: bundleWorker(join(bundles, 'ours'), snapshot), config: snapshot, vars: { RATE_LIMITS: 'off' } }
  const sizes = { worker: sizeOf(ours.script), bareWorker: sizeOf(bare.script), widget }
  results.sizes = sizes

  if (phases.has('counts')) {
    log('counting operations per request (miniflare, instrumented bindings)')
    const counts = {
      design: DESIGN,
      ours: await countOperations('ours', ours.script, ours.config, ['VISITOR_REGISTRY', 'CHAT_ROOM', 'OMNICHANNEL'], ours.vars),
      bare: await countOperations('bare', bare.script, bare.config, ['REGISTRY', 'CHAT_ROOM', 'OMNICHANNEL'], bare.vars),
    }
    results.counts = counts
    printCounts(counts)
  }

  const setups: Record<string, Record<string, EndpointResult>> = {}
  results.setups = setups
  if (phases.has('wrangler')) {
    const title = 'wrangler dev (proxy + workerd)'
    log(`${title}: starting both`)
    // Both behind the same asset router, serving one copy of widget/dist.
    const assets = copyDir(join(ROOT, 'widget/dist'), 'bench-assets-')
    const servers = await Promise.all([startWranglerDev('bare', BARE_CONFIG, bare.vars, assets), startWranglerDev('ours', ours.config, ours.vars, assets)])
      .then(([b, o]) => ({ bare: b, ours: o }))
    setups[title] = await compare(title, servers, await seedBoth(servers))
    await Promise.all([servers.bare.stop(), servers.ours.stop()])
    printLoad(title, setups[title])
  }
  if (phases.has('miniflare')) {
    const title = 'miniflare direct (workerd, no dev proxy)'
    log(`${title}: starting both`)
    const servers = { bare: await startMiniflareDirect('bare', bare), ours: await startMiniflareDirect('ours', ours) }
    setups[title] = await compare(title, servers, await seedBoth(servers))
    await Promise.all([servers.bare.stop(), servers.ours.stop()])
    printLoad(title, setups[title])
  }

  if (phases.has('cold')) {
    log(`cold starts under wrangler dev: ${COLD_STARTS} each, taking turns`)
    const assets = copyDir(join(ROOT, 'widget/dist'), 'bench-assets-')
    const starts: { bare: FirstAnswer[]; ours: FirstAnswer[] } = { bare: [], ours: [] }
    for (let i = 0; i < COLD_STARTS; i++) {
      for (const who of i % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
        const [config, vars] = who === 'bare' ? [BARE_CONFIG, bare.vars] : [ours.config, ours.vars]
        // The widget's first request, on a server started just now: a new isolate, fresh state.
        const server = await startWranglerDev(who, config, vars, assets, '/api/v1/livechat/config')
        starts[who].push(server.firstAnswer)
        await server.stop()
      }
    }
    const cold = Object.fromEntries((['bare', 'ours'] as const).map((who) => [who, {
      fromSpawnMs: median(starts[who].map((s) => s.fromSpawnMs)), requestMs: median(starts[who].map((s) => s.requestMs)), runs: starts[who],
    }]))
    results.coldStart = cold
    console.log(`\nCold start under wrangler dev (a fresh \`wrangler dev\`, so a new isolate and new state; its first GET livechat/config), median of ${COLD_STARTS}:`)
    console.log(`${''.padEnd(6)}${pad('spawn → first answer', 22)}${pad('that first request', 20)}`)
    for (const who of ['bare', 'ours'] as const) console.log(`${who.padEnd(6)}${pad(`${f0(cold[who].fromSpawnMs)} ms`, 22)}${pad(`${f1(cold[who].requestMs)} ms`, 20)}`)
    console.log(`ours − bare: ${f0(cold.ours.fromSpawnMs - cold.bare.fromSpawnMs)} ms from the spawn, ${f1(cold.ours.requestMs - cold.bare.requestMs)} ms for the first request`)
  }

  console.log(`\nSizes (gzip -9): Worker bundle ${sizes.worker.gzip} B (${sizes.worker.raw} B raw; bare ${sizes.bareWorker.gzip} B); widget before its form is usable (${widget.file}) ${widget.gzip} B (${widget.raw} B raw)`)
  const misses = Object.entries(setups).flatMap(([setup, r]) =>
    Object.entries(r).filter(([, e]) => !e.meetsTarget).map(([name, e]) => `${name} (${setup}): ${e.ratio.toFixed(2)}`))
  if (Object.keys(setups).length)
    console.log(misses.length ? `Below the ${TARGET}× target: ${misses.join('; ')}` : `Every endpoint at least ${TARGET}× the bare Worker.`)

  machine.loadAfter = loadavg()[0]
  console.log(`Load average (1 min, ${machine.cpus} CPUs): ${machine.loadBefore.toFixed(1)} at the start, ${machine.loadAfter.toFixed(1)} at the end: other work on the machine makes the rounds disagree.`)
  // An A/A run measures the bench, not the Worker: it leaves results.json alone.
  if (AA) return
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)
  log('wrote bench/results.json')
}

try {
  await main()
} finally {
  await stopAll()
}
