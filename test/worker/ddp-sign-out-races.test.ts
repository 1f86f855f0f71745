// A sign-out that lands while a `sub` made as the agent is in flight (waiting on its room): the
// subscription must end with the sign-in, whatever ends it: the `logout` method sent back to back
// with subs, the alarm finding the session revoked, or a `login` switching to another agent.
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createAgentWithPassword, logout, signIn } from './agent-support.ts'
import { expectStatus, take, visitorWithRoom } from './chat-support.ts'
import { agentParams, connect, holdRoom, method, shardOf, type Ddp } from './ddp-support.ts'

const MESSAGES = 'stream-room-messages'
/** Long enough for a sub to pass the session re-check (2 KV reads) and reach the held room. */
const IN_FLIGHT_MS = 300

/** An agent signed in over the socket, serving a fresh room. */
async function servingSocket() {
  const { room } = await visitorWithRoom()
  const agent = await createAgentWithPassword()
  const session = await signIn(agent.username)
  const ddp = await connect()
  expect((await method(ddp, 'login', 'login', [{ resume: session.authToken }])).result?.id).toBe(agent.userId)
  await expectStatus(await take(session.headers, room._id), 200)
  return { rid: room._id, session, ddp }
}

/** The socket reads nothing of the room: the shard has no subscriber for it, now or after its alarm. */
async function readsNothing(ddp: Ddp, rid: string) {
  const event = [{ _id: 'm1', rid, msg: 'still there?' }]
  expect(await shardOf(ddp.ip).publish(MESSAGES, rid, event)).toBe(0)
  await runDurableObjectAlarm(shardOf(ddp.ip))
  expect(await shardOf(ddp.ip).publish(MESSAGES, rid, event)).toBe(0)
  expect((await ddp.quiet()).filter((f) => f.msg === 'changed')).toEqual([])
}

const answerTo = (ddp: Ddp, id: string) => ddp.until((f) => (f.msg === 'ready' && f.subs?.includes(id)) || (f.msg === 'nosub' && f.id === id))

describe('a sign-out during a sub made as the agent', () => {
  it('logout sent back to back with subs: every sub ends with nosub and nothing is delivered', async () => {
    const { rid, ddp } = await servingSocket()
    const release = await holdRoom(rid)
    ddp.send({ msg: 'method', id: 'out', method: 'logout', params: [] })
    for (const id of ['r0', 'r1', 'r2', 'r3']) ddp.send({ msg: 'sub', id, name: MESSAGES, params: agentParams(rid) })
    expect(await ddp.until((f) => f.id === 'out')).toEqual({ msg: 'result', id: 'out' })
    await release()
    for (const id of ['r0', 'r1', 'r2', 'r3']) expect(await answerTo(ddp, id)).toMatchObject({ msg: 'nosub', id })
    await readsNothing(ddp, rid)
  })

  it('the alarm finding the session revoked: the sub in flight ends with nosub', async () => {
    const { rid, session, ddp } = await servingSocket()
    const release = await holdRoom(rid)
    ddp.send({ msg: 'sub', id: 's', name: MESSAGES, params: agentParams(rid) })
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_MS))
    expect((await logout(session.headers)).status).toBe(200)
    expect(await runDurableObjectAlarm(shardOf(ddp.ip))).toBe(true)
    await release()
    expect(await answerTo(ddp, 's')).toMatchObject({ msg: 'nosub', id: 's' })
    await readsNothing(ddp, rid)
  })

  it('a login switching to another agent: the first agent’s sub in flight ends with nosub', async () => {
    const { rid, ddp } = await servingSocket()
    const other = await createAgentWithPassword()
    const otherSession = await signIn(other.username)
    const release = await holdRoom(rid)
    ddp.send({ msg: 'sub', id: 's', name: MESSAGES, params: agentParams(rid) })
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_MS))
    expect((await method(ddp, 'switch', 'login', [{ resume: otherSession.authToken }])).result?.id).toBe(other.userId)
    await release()
    expect(await answerTo(ddp, 's')).toMatchObject({ msg: 'nosub', id: 's' })
    // The other agent does not serve the room: it reads nothing of it.
    await readsNothing(ddp, rid)
  })
})
