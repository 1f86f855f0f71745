// node bench/eliminate.ts [--rounds 3 --duration 3 --connections 20 --endpoint "POST new token"]...
//
// Where does our Worker's time go, beyond the bare Worker doing the same KV and Durable Object
// work? By elimination, in miniflare directly (no dev proxy): each variant replaces one half of
// ours with the bare one, every variant loaded in turn within each round. Not part of
// `npm run bench` (it takes longer); worker/src is imported as it is, never changed.
//
//   bare                           bench/bare: bare front, bare registry
//   our Worker + bare registry     our router/settings/CORS/validation, the bare registry behind
//   bare front + our registry      no router or validation, our VisitorRegistry behind
//   bare front + registry, no outbox  as above, with kv-replica.ts's outbox replaced by a plain put
//   bare, 2nd SQL write after the put  bench/bare plus one SQL write between the KV put and the answer
//   bare with a minimal outbox     bench/bare plus an outbox row: inserted with the visitor, deleted after the put
//   bare front + registry, confirm later  our registry, the outbox's confirming delete run after the answer
//   bare front + registry, no alarm check  our registry, without the outbox's alarm check after each send
//   ours                           our Worker as deployed
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker } from '../scripts/worker-size.ts'
import { ENDPOINTS } from './load.ts'
import { measureInTurn, type Variant } from './variants-in-turn.ts'
import { BARE_CONFIG, OURS_CONFIG, ROOT, readVars, stopAll, tempDir } from './servers.ts'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    endpoint: { type: 'string', multiple: true },
  },
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration)
const CONNECTIONS = Number(args.connections)
// The variants swap the visitor endpoints' halves: the chat endpoints are profile.ts's.
const endpoints = ENDPOINTS.filter((e) => !e.needsRoom && e.name !== 'GET config' && (!args.endpoint || args.endpoint.includes(e.name)))

/** A wrangler.toml for a variant entry, in `dir`: our bindings, the registry class chosen. */
function variantConfig(dir: string, entry: string, registryClass: string, binding = 'VISITOR_REGISTRY'): string {
  const file = join(dir, `${registryClass}-${entry.replace(/\W/g, '_')}.toml`)
  writeFileSync(file, `name = "variant"
main = ${JSON.stringify(join(ROOT, 'bench/variants', entry))}
compatibility_date = "2026-11-01"
minify = true
[[kv_namespaces]]
binding = "CONTACTS"
[[durable_objects.bindings]]
name = "${binding}"
class_name = "${registryClass}"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["${registryClass}"]
[[queues.producers]]
binding = "LIVECHAT_EVENTS"
queue = "livechat-events"
[[ratelimits]]
name = "VISITOR_RATE_LIMIT"
namespace_id = "1001"
simple = { limit = 30, period = 60 }
`)
  return file
}

async function main() {
  const dir = tempDir('bench-variants-')
  const vars = { ...readVars(OURS_CONFIG), RATE_LIMITS: 'off' }
  const build = (name: string, config: string) => bundleWorker(join(dir, name), config)
  const variants: Variant[] = [
    ['bare', { script: build('bare', BARE_CONFIG), config: BARE_CONFIG }],
    ['our Worker + bare registry', (() => {
      const config = variantConfig(dir, 'our-worker-bare-registry.ts', 'BareRegistry')
      return { script: build('a', config), config, vars }
    })()],
    ['bare front + our registry', (() => {
      const config = variantConfig(dir, 'bare-worker-our-registry.ts', 'VisitorRegistry')
      return { script: build('b', config), config, vars }
    })()],
    ['bare front + registry, no outbox', (() => {
      const config = variantConfig(dir, 'bare-worker-our-registry.ts', 'DirectPutRegistry')
      return { script: build('c', config), config, vars }
    })()],
    ['bare, 2nd SQL write after the put', (() => {
      const config = variantConfig(dir, 'bare-outbox.ts', 'TwoWritesRegistry', 'REGISTRY')
      return { script: build('d', config), config }
    })()],
    ['bare with a minimal outbox', (() => {
      const config = variantConfig(dir, 'bare-outbox.ts', 'BareOutboxRegistry', 'REGISTRY')
      return { script: build('g', config), config }
    })()],
    ['bare front + registry, confirm later', (() => {
      const config = variantConfig(dir, 'bare-worker-our-registry.ts', 'DeferredConfirmRegistry')
      return { script: build('e', config), config, vars }
    })()],
    ['bare front + registry, no alarm check', (() => {
      const config = variantConfig(dir, 'bare-worker-our-registry.ts', 'NoAlarmCheckRegistry')
      return { script: build('f', config), config, vars }
    })()],
    ['ours', { script: build('ours', OURS_CONFIG), config: OURS_CONFIG, vars }],
  ]
  await measureInTurn(variants, endpoints, { title: 'By elimination', rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS })
}

try {
  await main()
} finally {
  await stopAll()
}
