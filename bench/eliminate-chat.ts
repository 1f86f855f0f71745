// node bench/eliminate-chat.ts [--rounds 3 --duration 3 --connections 20 --endpoint "POST message"]...
//
// Where a chat request's time goes, by elimination, in miniflare directly: our Worker with its
// ChatRoom swapped for a variant that leaves one step out (bench/variants/chat-room.ts), beside
// bench/bare and ours, every variant loaded in turn within each round. worker/src is imported as it
// is, never changed.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker } from '../scripts/worker-size.ts'
import { ENDPOINTS } from './load.ts'
import { measureInTurn, type Variant } from './variants-in-turn.ts'
import { BARE_CONFIG, OURS_CONFIG, ROOT, bareVars, stopAll, tempDir } from './servers.ts'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    endpoint: { type: 'string', multiple: true, default: ['POST message', 'GET history'] },
  },
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration)
const CONNECTIONS = Number(args.connections)
const endpoints = ENDPOINTS.filter((e) => args.endpoint.includes(e.name))

const ROOM_VARIANTS = ['NoUpdatedIndexRoom', 'SenderIndexRoom', 'NoPublishRoom', 'NoSummaryRoom']

/** Our wrangler.toml with the variants' entry, CHAT_ROOM bound to `roomClass`, absolute paths. */
function variantConfig(dir: string, roomClass: string): string {
  const file = join(dir, `${roomClass}.toml`)
  writeFileSync(file, readFileSync(OURS_CONFIG, 'utf8')
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(ROOT, 'bench/variants/chat-room.ts'))}`)
    .replace(/^directory = "widget\/dist"$/m, `directory = ${JSON.stringify(join(ROOT, 'widget/dist'))}`)
    .replaceAll('"ChatRoom"', JSON.stringify(roomClass)))
  return file
}

async function main() {
  const dir = tempDir('bench-chat-variants-')
  const vars = { RATE_LIMITS: 'off' }
  const variants: Variant[] = [
    ['bare', { script: bundleWorker(join(dir, 'bare'), BARE_CONFIG), config: BARE_CONFIG, vars: bareVars() }],
    ...ROOM_VARIANTS.map((room): Variant => {
      const config = variantConfig(dir, room)
      return [room, { script: bundleWorker(join(dir, room), config), config, vars }]
    }),
    ['ours', { script: bundleWorker(join(dir, 'ours'), OURS_CONFIG), config: OURS_CONFIG, vars }],
  ]
  await measureInTurn(variants, endpoints, { title: 'Chat by elimination', rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS })
}

try {
  await main()
} finally {
  await stopAll()
}
