// Property-based (fast-check): arbitrary interleavings of visitor registrations, agents' upserts
// (POST omnichannel/contact), agents' edits (contacts.update) and erasures (by the visitor's token
// or by an agent), in every MATCH_VISITORS_BY_CONTACT mode. Whatever the order:
//  - an agent's request never changes the token of an existing visitor, so it never moves a token
//    from one visitor to another, and a verified visitor's token is never touched;
//  - an erased visitor never comes back: not its _id, not in the registry, not in KV, not in any
//    answer, and no later record carries a name only it was given;
//  - KV holds exactly the registry's records once every request has answered.
// A failure prints fast-check's shrunk counterexample and the seed to replay it.
import { runInDurableObject } from 'cloudflare:test'
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { randomId } from '../../shared/ids.ts'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { call, createAgent, env, registry, registryTables, signIdentity, withSecret } from './support.ts'

type Mode = 'verified' | 'true' | 'false'

type Command =
  | { kind: 'register'; token: number; email?: number; identity?: number }
  | { kind: 'upsert'; token: number; email?: number }
  | { kind: 'update'; target: number; email?: number }
  | { kind: 'erase'; token: number }
  | { kind: 'erase-by-id'; target: number }

const TOKENS = 5
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('register' as const), token: fc.nat(TOKENS - 1), email: fc.option(fc.nat(1), { nil: undefined }), identity: fc.option(fc.nat(1), { nil: undefined, freq: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('upsert' as const), token: fc.nat(TOKENS - 1), email: fc.option(fc.nat(1), { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), target: fc.nat(20), email: fc.option(fc.nat(1), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), token: fc.nat(TOKENS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase-by-id' as const), target: fc.nat(20) }) },
)

const scenarioArb = fc.record({
  mode: fc.constantFrom<Mode>('verified', 'true', 'false'),
  batches: fc.array(fc.array(commandArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
})
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never

let ipCounter = 0
const freshIp = () => `10.77.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`

interface Row { id: string; token: string; record: string }

async function resetVisitors() {
  await runInDurableObject(registry(), (_instance, state) => {
    state.storage.sql.exec('DELETE FROM visitors; DELETE FROM replication')
  })
  const listed = await env.CONTACTS.list({ prefix: 'visitor:' })
  await Promise.all(listed.keys.map(({ name }) => env.CONTACTS.delete(name)))
}

async function runScenario({ mode, batches }: Scenario, agent: Record<string, string>, manager: Record<string, string>) {
  await resetVisitors()
  const run = randomId(8)
  const tokens = Array.from({ length: TOKENS }, (_, i) => `${run}-t${i}`)
  const emails = [`a-${run.toLowerCase()}@example.com`, `b-${run.toLowerCase()}@example.com`]
  const identities = await Promise.all([0, 1].map((i) => signIdentity(`${run}-user-${i}`)))
  const config = { ...withSecret, MATCH_VISITORS_BY_CONTACT: mode } as Partial<Env>
  const seenIds: string[] = []
  const erased = new Set<string>()
  /** Names answered as each visitor's: each command sends a name no other sends. */
  const namesOf = new Map<string, Set<string>>()
  let counter = 0
  let rowsBefore: Row[] = []

  const fail = (message: string): never => {
    throw new Error(`[mode ${mode}] ${message}`)
  }
  const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method, headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), ...headers }, body: JSON.stringify(body) }, config)

  async function execute(command: Command): Promise<{ command: Command; name?: string; status: number; text: string; id?: string }> {
    const name = `n${counter++}-${run}`
    let response: Response
    switch (command.kind) {
      case 'register': {
        const visitor: Record<string, unknown> = { token: tokens[command.token], name }
        if (command.email !== undefined) visitor.email = emails[command.email]
        if (command.identity !== undefined) visitor.identity = identities[command.identity]
        response = await json('POST', '/api/v1/livechat/visitor', { visitor })
        break
      }
      case 'upsert':
        response = await json('POST', '/api/v1/omnichannel/contact', {
          token: tokens[command.token], name, ...(command.email !== undefined && { email: emails[command.email] }),
        }, agent)
        break
      case 'update':
        response = await json('POST', '/api/v1/omnichannel/contacts.update', {
          contactId: seenIds[command.target % Math.max(seenIds.length, 1)] ?? 'nobodynobody12345', name,
          ...(command.email !== undefined && { emails: [emails[command.email]] }),
        }, agent)
        break
      case 'erase':
        response = await call(`/api/v1/livechat/visitor/${tokens[command.token]}`, { method: 'DELETE', headers: { 'cf-connecting-ip': freshIp() } }, config)
        break
      case 'erase-by-id':
        response = await json('POST', '/api/v1/omnichannel/contacts.delete', {
          contactId: seenIds[command.target % Math.max(seenIds.length, 1)] ?? 'nobodynobody12345',
        }, manager)
        break
    }
    const text = await response.text()
    const body = JSON.parse(text)
    const id: string | undefined = body.visitor?._id ?? (typeof body.contact === 'string' ? body.contact : body.contact?._id)
    return { command, name: command.kind.startsWith('erase') ? undefined : name, status: response.status, text, id }
  }

  for (const [b, batch] of batches.entries()) {
    const results = await Promise.all(batch.map(execute))
    const where = (r?: { command: Command; status: number; text: string }) =>
      `batch ${b} ${JSON.stringify(batch)}${r ? `\n  ${JSON.stringify(r.command)} → ${r.status} ${r.text}` : ''}`
    for (const r of results) {
      if (r.status >= 500) fail(`a 5xx: ${where(r)}`)
      if (r.command.kind === 'register' && r.status !== 200) fail(`a valid registration was refused: ${where(r)}`)
      // The agents' upsert refuses only the token of an erased contact.
      if (r.command.kind === 'upsert' && r.status !== 200 && !r.text.includes('error-contact-erased')) fail(`a valid upsert was refused: ${where(r)}`)
      if (r.command.kind === 'update' && r.status !== 200 && !r.text.includes('error-contact-not-found')) fail(`an edit failed otherwise: ${where(r)}`)
      if (r.status === 200 && r.id && erased.has(r.id)) fail(`an answer carried erased ${r.id}: ${where(r)}`)
      if (r.status === 200 && r.name && r.id) namesOf.set(r.id, (namesOf.get(r.id) ?? new Set()).add(r.name))
      if (r.status === 200 && r.id && !seenIds.includes(r.id) && !r.command.kind.startsWith('erase')) seenIds.push(r.id)
    }

    // Tokens: agents never change an existing visitor's token. Registrations may, only in mode
    // `true` (Rocket.Chat's email rule, never onto a verified visitor) and only when one ran.
    const rows = (await registryTables()).visitors as unknown as (Row & { identifier: string | null })[]
    const registered = results.some((r) => r.command.kind === 'register')
    for (const before of rowsBefore) {
      const after = rows.find((row) => row.id === before.id)
      if (!after || after.token === before.token) continue
      const verified = (JSON.parse(before.record) as Visitor).verified
      if (!registered || mode !== 'true' || verified) fail(`${before.id} went from token ${before.token} to ${after.token}: ${where()}`)
    }

    // Erasures are final.
    for (const r of results) if (r.command.kind.startsWith('erase') && r.status === 200 && r.id) erased.add(r.id)
    for (const id of erased) {
      if (rows.some((row) => row.id === id)) fail(`erased ${id} is stored again: ${where()}`)
      if ((await env.CONTACTS.get(keys.visitor(id))) !== null) fail(`erased ${id} is in KV: ${where()}`)
      const names = [...(namesOf.get(id) ?? [])]
      for (const row of rows) {
        const trace = names.find((n) => row.record.includes(JSON.stringify(n)) && !results.some((r) => r.name === n && r.id === row.id))
        if (trace) fail(`${row.id} carries ${trace}, a name of erased ${id}: ${where()}`)
      }
    }

    // KV in step with the registry.
    for (const row of rows) {
      const copy = await env.CONTACTS.get(keys.visitor(row.id))
      if (copy !== row.record) fail(`KV copy of ${row.id} is ${copy}, the registry holds ${row.record}: ${where()}`)
    }
    rowsBefore = rows
  }
}

describe('property: agents\' upserts and edits among registrations and erasures', () => {
  it('never move a token between visitors and never revive an erased one', async () => {
    const agent = await createAgent(['livechat-agent'])
    const manager = await createAgent(['livechat-manager'])
    await fc.assert(fc.asyncProperty(scenarioArb, (scenario) => runScenario(scenario, agent.headers, manager.headers)), { numRuns: 150 })
  }, 300_000)
})
