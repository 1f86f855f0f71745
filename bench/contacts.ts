// `npm run bench`, part 2: the agents' contact lookups on a store seeded with 50,000 contacts,
// through `wrangler dev` (the proxy + workerd that `npm run dev` runs). Prints p50/p99 and
// requests/s beside the targets, and writes bench/contacts-results.json. Numbers, never assertions:
// this machine is shared, so absolute times vary from run to run.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { aggregate, load, makeAgent, newToken, send, type Aggregate } from './load.ts'
import { OURS_CONFIG, ROOT, copyDir, startWranglerDev, stopAll } from './servers.ts'

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50_000)
// One client at a time: p50 is then the latency of one request, not time spent queueing.
const CONNECTIONS = 1
const ROUNDS = 3
const SECONDS = 4
const NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elena', 'Fábio', 'Gabriela', 'Hugo', 'Inês', 'João', 'Karin', 'Luís', 'Marta', 'Nuno', 'Olga', 'Paulo', 'Quitéria', 'Rui', 'Sofia', 'Tiago']

let seeded = 0

/** Registers `amount` more visitors through the API itself, fast: autocannon with unique bodies. */
async function seedContacts(url: string, amount: number): Promise<number> {
  const result = await autocannon({
    url,
    connections: 20,
    amount,
    requests: [{
      method: 'POST',
      path: '/api/v1/livechat/visitor',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        const n = seeded++
        const name = `${NAMES[n % NAMES.length]} ${n}`
        const visitor = { token: newToken(), name, email: `contact${n}@example.com`, phone: `+55 51 ${String(n).padStart(8, '0')}`,
          customFields: [{ key: 'address', value: `Rua ${n} de Maio`, overwrite: true }] }
        return { ...request, body: JSON.stringify({ visitor }) }
      },
    }],
  })
  return result['2xx']
}

interface Lookup {
  name: string
  target: number
  request: autocannon.Request
}

async function main() {
  // A copy of the assets, so that a rebuild of widget/dist elsewhere does not reload the server mid-run.
  const server = await startWranglerDev('ours', OURS_CONFIG, { RATE_LIMITS: 'off' }, copyDir(join(ROOT, 'widget/dist'), 'bench-assets-'))
  const agent = makeAgent()
  await server.putKv(`agent:${agent.userId}`, JSON.stringify(agent.record), agent.metadata)
  const headers = { 'x-user-id': agent.userId, 'x-auth-token': agent.authToken }

  const started = Date.now()
  // `wrangler dev`'s proxy answers an occasional 503 under load: top up until every contact is stored.
  let stored = 0
  for (let attempt = 0; stored < CONTACTS && attempt < 5; attempt++) {
    await seedContacts(server.url, CONTACTS - stored)
    const listed = await send(server, { method: 'GET', path: '/api/v1/livechat/visitors.search?count=1', headers })
    stored = ((await listed.json()) as { total: number }).total
  }
  if (stored < CONTACTS) throw new Error(`seeding: only ${stored} of ${CONTACTS} contacts stored`)
  const seedSeconds = (Date.now() - started) / 1000
  console.log(`seeded ${stored} contacts through POST livechat/visitor in ${seedSeconds.toFixed(0)} s`)

  const target = Math.floor(seeded / 2)
  const info = await send(server, { method: 'GET', path: `/api/v1/omnichannel/contact.search?email=contact${target}%40example.com`, headers })
  const { contact } = (await info.json()) as { contact: { _id: string } | null }
  if (!contact) throw new Error('the seeded contact was not found by email')

  const lookups: Lookup[] = [
    { name: 'contact.search?email=', target: 20, request: { method: 'GET', path: `/api/v1/omnichannel/contact.search?email=contact${target}%40example.com`, headers } },
    { name: 'visitors.info', target: 20, request: { method: 'GET', path: `/api/v1/livechat/visitors.info?visitorId=${contact._id}`, headers } },
    { name: 'visitors.search?term= (25)', target: 100, request: { method: 'GET', path: `/api/v1/livechat/visitors.search?term=sofia&count=25`, headers } },
    { name: 'visitors.search (empty term, 25)', target: 100, request: { method: 'GET', path: `/api/v1/livechat/visitors.search?count=25`, headers } },
    { name: 'contact.search?custom= (scan)', target: 100, request: { method: 'GET', path: `/api/v1/omnichannel/contact.search?custom=${encodeURIComponent(JSON.stringify({ address: `rua ${target} de`}))}`, headers } },
  ]
  for (const lookup of lookups) {
    const response = await send(server, lookup.request)
    if (response.status !== 200) throw new Error(`${lookup.name} answered ${response.status}: ${await response.text()}`)
    await response.arrayBuffer()
  }

  const results: Record<string, Aggregate & { target: number }> = {}
  for (const lookup of lookups) {
    const rounds = []
    for (let r = 0; r < ROUNDS; r++) rounds.push(await load(server, lookup.request, { connections: CONNECTIONS, duration: SECONDS }))
    results[lookup.name] = { ...aggregate(rounds), target: lookup.target }
  }

  console.log(`\nContact lookups on ${CONTACTS.toLocaleString('en')} contacts, wrangler dev, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s`)
  console.log('endpoint'.padEnd(36) + 'req/s'.padStart(8) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9) + '  p50 target')
  for (const [name, r] of Object.entries(results)) {
    const verdict = r.p50 <= r.target ? 'met' : 'MISSED'
    console.log(name.padEnd(36) + r.rps.toFixed(0).padStart(8) + String(r.p50).padStart(9) + String(r.p99).padStart(9) + `  < ${r.target} ms: ${verdict}`)
  }
  writeFileSync(join(ROOT, 'bench/contacts-results.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, contacts: CONTACTS, seedSeconds,
    options: { connections: CONNECTIONS, rounds: ROUNDS, durationSeconds: SECONDS },
    results: Object.fromEntries(Object.entries(results).map(([k, { rounds: _r, ...v }]) => [k, v])),
  }, null, 2) + '\n')
}

try {
  await main()
} finally {
  await stopAll()
}
