// What eliminate.ts and eliminate-chat.ts share: every variant in its own miniflare, loaded in turn
// within each round (a different one first each round), then one table of req/s beside the first
// variant's (bare).
import { ENDPOINTS, aggregate, load, makeAgent, seed, type Sample } from './load.ts'
import { startMiniflareDirect, type Server } from './servers.ts'

export type Variant = [name: string, worker: { script: string; config: string; vars?: Record<string, string> }]
export interface InTurn { title: string; rounds: number; duration: number; connections: number }

export async function measureInTurn(variants: Variant[], endpoints: typeof ENDPOINTS, { title, rounds, duration, connections }: InTurn) {
  const servers: Server[] = []
  for (const [name, worker] of variants) servers.push(await startMiniflareDirect(name, worker))
  const agent = makeAgent()
  const seeds = await Promise.all(servers.map((s) => seed(s, agent, endpoints)))

  const samples = servers.map(() => new Map<string, Sample[]>(endpoints.map((e) => [e.name, []])))
  for (const [i, server] of servers.entries())
    for (const e of endpoints) await load(server, e.request(seeds[i]), { connections, amount: 200 })
  for (let round = 0; round < rounds; round++) {
    console.error(`round ${round + 1} of ${rounds}`)
    for (const e of endpoints) {
      const order = servers.map((_, i) => (i + round) % servers.length)
      for (const i of order) samples[i].get(e.name)!.push(await load(servers[i], e.request(seeds[i]), { connections, duration }))
    }
  }

  console.log(`\n${title}, miniflare direct: ${connections} connections, ${rounds} rounds × ${duration} s per variant, taking turns; req/s (× bare)`)
  const width = Math.max(...variants.map(([name]) => name.length)) + 2
  console.log(`${'variant'.padEnd(width)}${endpoints.map((e) => e.name.padStart(20)).join('')}`)
  const bare = endpoints.map((e) => aggregate(samples[0].get(e.name)!).rps)
  for (const [i, [name]] of variants.entries()) {
    const cells = endpoints.map((e, j) => {
      const a = aggregate(samples[i].get(e.name)!)
      const bad = a.rounds.some((r) => r.non2xx || r.errors) ? '!' : ''
      return `${a.rps.toFixed(0)} (${(a.rps / bare[j]).toFixed(2)})${bad}`.padStart(20)
    })
    console.log(`${name.padEnd(width)}${cells.join('')}`)
  }
}
