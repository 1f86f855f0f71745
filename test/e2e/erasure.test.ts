// The reproduction of 0.1's worst defect, over real HTTP through `npm run dev`: an erased visitor
// came back through a token that had once touched it. Rocket.Chat's email matching is on here,
// since that is what spread one visitor over many tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCli, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

let dev: WranglerDev
let agentHeaders: Record<string, string>

beforeAll(async () => {
  dev = await startWranglerDev({ viaNpm: true, vars: { MATCH_VISITORS_BY_CONTACT: 'true', RATE_LIMITS: 'off' } })
  const [agent] = agentCli(dev, 'create', 'erin')
  agentHeaders = { 'X-User-Id': agent.userId, 'X-Auth-Token': agent.authToken }
})
afterAll(() => dev?.stop())

const token = () => `t${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`

async function register(visitor: Record<string, unknown>) {
  const response = await fetch(`${dev.url}/api/v1/livechat/visitor`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitor }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { visitor: { _id: string; token: string } }).visitor
}

async function contact(id: string) {
  const response = await fetch(`${dev.url}/api/v1/omnichannel/contact?contactId=${id}`, { headers: agentHeaders })
  return ((await response.json()) as { contact: { token: string } | null }).contact
}

describe('erasure over HTTP', () => {
  it('stays final for every token that touched the visitor, across a restart', async () => {
    const email = `erin.${token()}@example.com`
    const original = await register({
      token: token(), name: 'Erin Erased', email, phone: '+55 51 0000-0001',
      customFields: [{ key: 'address', value: 'Gone street', overwrite: true }],
    })
    const tokens = Array.from({ length: 10 }, token)
    await Promise.all(tokens.map((t) => register({ token: t, email })))

    const current = await contact(original._id)
    const erased = await fetch(`${dev.url}/api/v1/livechat/visitor/${current!.token}`, { method: 'DELETE' })
    expect(erased.status).toBe(200)
    expect(await contact(original._id)).toBeNull()

    const check = async () => {
      for (const t of [original.token, ...tokens]) {
        const again = await register({ token: t })
        expect(again._id).not.toBe(original._id)
        expect(JSON.stringify(again)).not.toMatch(/Erin Erased|Gone street|0000-0001/)
      }
      expect(await contact(original._id)).toBeNull()
    }
    await check()
    await dev.kill()
    await dev.restart()
    await check()
  })
})
