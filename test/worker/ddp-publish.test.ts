// DdpGateway.publish over RPC, as rooms and the queue call it: fan-out to the shard's subscribed
// sockets only, once per socket, never to the excepted session; the count that drives lazy pruning;
// and hibernation: what a socket needs lives in its attachment, and publish works from attachments.
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import type { Attachment } from '../../worker/src/ddp/attachment.ts'
import { DdpGateway } from '../../worker/src/ddp/gateway.ts'
import { Subscribers } from '../../worker/src/ddp/subscribers.ts'
import { createAgentWithPassword, signIn } from './agent-support.ts'
import { agentParams, connect, method, shardOf, sub } from './ddp-support.ts'
import { randomId } from '../../shared/ids.ts'
import { clientIp } from './support.ts'

const QUEUE = 'stream-livechat-inquiry-queue-observer'
const EVENT = [{ type: 'added', _id: 'r1' }]

/** A queue no other test reads: other tests' sockets may share a shard. */
const department = () => `department/${randomId()}`

/** `count` sockets from one client network (one shard), each with its own agent signed in. */
async function agentsOnOneShard(count: number) {
  const ip = clientIp()
  return Promise.all(Array.from({ length: count }, async () => {
    const agent = await createAgentWithPassword()
    const { authToken } = await signIn(agent.username)
    const ddp = await connect({ ip })
    await method(ddp, 'login', 'login', [{ resume: authToken }])
    return Object.assign(ddp, { authToken })
  }))
}

describe('publish', () => {
  it('reaches the subscribed sockets only, and never the excepted session (which still counts)', async () => {
    const queue = department()
    const [a, b, c] = await agentsOnOneShard(3)
    await sub(a, 'qa', QUEUE, agentParams(queue))
    await sub(b, 'qb', QUEUE, agentParams(queue))
    await sub(c, 'qc', QUEUE, agentParams(department()))
    expect(await shardOf(a.ip).publish(QUEUE, queue, EVENT, { session: a.session })).toBe(2)
    expect(await a.quiet()).toEqual([])
    expect(await b.next()).toEqual({ msg: 'changed', collection: QUEUE, id: 'id', fields: { eventName: queue, args: EVENT } })
    expect(await c.quiet()).toEqual([])
    // A stream nobody here reads: 0, and the publisher may drop this shard from it.
    expect(await shardOf(a.ip).publish(QUEUE, department(), EVENT)).toBe(0)
  })

  it('sends one frame per socket however many of its subscriptions read the stream', async () => {
    const queue = department()
    const [a] = await agentsOnOneShard(1)
    for (const id of ['s1', 's2', 's3']) await sub(a, id, QUEUE, agentParams(queue))
    expect(await shardOf(a.ip).publish(QUEUE, queue, EVENT)).toBe(1)
    expect((await a.quiet()).length).toBe(1)
    // Until the last of them ends.
    for (const id of ['s1', 's2']) a.send({ msg: 'unsub', id })
    await a.until((f) => f.id === 's2')
    expect(await shardOf(a.ip).publish(QUEUE, queue, EVENT)).toBe(1)
    a.send({ msg: 'unsub', id: 's3' })
    await a.until((f) => f.id === 's3')
    await a.quiet()
    expect(await shardOf(a.ip).publish(QUEUE, queue, EVENT)).toBe(0)
    expect(await a.quiet()).toEqual([])
  })

  it('counts no socket that closed', async () => {
    const queue = department()
    const [a] = await agentsOnOneShard(1)
    await sub(a, 'q', QUEUE, agentParams(queue))
    a.ws.close(1000, 'bye')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await shardOf(a.ip).publish(QUEUE, queue, EVENT)).toBe(0)
  })
})

describe('hibernation', () => {
  it('keeps in each socket’s attachment all it needs (never the resume token), and publish works from attachments alone', async () => {
    const queue = department()
    const [a] = await agentsOnOneShard(1)
    await sub(a, 'q', QUEUE, agentParams(queue))
    await runInDurableObject(shardOf(a.ip), (_instance, state) => {
      const ws = state.getWebSockets().find((s) => (s.deserializeAttachment() as Attachment).session === a.session)!
      const attachment = ws.deserializeAttachment() as Attachment
      expect(attachment).toEqual({
        session: a.session, network: a.ip, limits: true, connected: true,
        agent: { userId: expect.any(String), username: expect.any(String), roles: ['livechat-agent'], epoch: expect.any(String), tokenHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
        subs: [{ id: 'q', s: 3, e: queue, a: 1 }],
      })
      expect(JSON.stringify(attachment)).not.toContain(a.authToken)
      expect(state.getTags(ws)).toEqual([a.ip])
      // What a woken object rebuilds its index from: the attachments, and nothing in memory.
      const rebuilt = new Subscribers(() => state.getWebSockets())
      expect(rebuilt.of(QUEUE, queue).map(([session]) => session)).toContain(a.session)
    })
  })

  it('delivers from a new instance with no memory, as one woken from hibernation', async () => {
    const queue = department()
    const [a] = await agentsOnOneShard(1)
    await sub(a, 'q', QUEUE, agentParams(queue))
    // (state.abort() would not do: a reset disconnects the sockets, hibernation does not.)
    const reached = await runInDurableObject(shardOf(a.ip), (_instance, state) =>
      new DdpGateway(state, env).publish(QUEUE, queue, EVENT))
    expect(reached).toBe(1)
    expect(await a.next()).toMatchObject({ msg: 'changed', fields: { eventName: queue, args: EVENT } })
  })
})
