// Agents on the socket: `login` with a resume token (sign-in sessions only), the session read again
// on each sub and method (REST logout, `passwd` end access and subscriptions), `logout`, and the
// queue stream (view-l-room only).
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { changePassword, createAgentWithPassword, logout, me, signIn } from './agent-support.ts'
import { LOGGED_OUT_ERROR, NOT_ALLOWED, agentParams, connect, method, shardOf, sub, visitorParams, type Ddp } from './ddp-support.ts'
import { randomId } from '../../shared/ids.ts'
import { newToken } from './support.ts'

const QUEUE = 'stream-livechat-inquiry-queue-observer'
const DAY_MS = 86_400_000
/** The longest a revoked session's socket keeps reading events when it sends nothing (docs/chat.md). */
const SESSION_CHECK_MS = 60_000

/** A connected socket with an agent signed in by `login`. */
async function signedInSocket(roles = ['livechat-agent']) {
  const agent = await createAgentWithPassword({ roles })
  const session = await signIn(agent.username)
  const ddp = await connect()
  const answer = await method(ddp, 'login-1', 'login', [{ resume: session.authToken }])
  expect(answer.result?.id, JSON.stringify(answer)).toBe(agent.userId)
  return { agent, session, ddp }
}

/** A department no other test uses: sockets of other tests may share the shard and read `public`. */
const department = () => `department/${randomId()}`

const publishQueue = (ddp: Ddp, eventName: string, args: unknown[] = [{ type: 'added', _id: 'r1' }]) =>
  shardOf(ddp.ip).publish(QUEUE, eventName, args)

describe('login', () => {
  it('resumes a sign-in session and answers as Rocket.Chat does', async () => {
    const agent = await createAgentWithPassword()
    const { authToken } = await signIn(agent.username)
    const ddp = await connect()
    const before = Date.now()
    const answer = await method(ddp, 'l1', 'login', [{ resume: authToken }])
    expect(answer).toEqual({
      msg: 'result', id: 'l1',
      result: { id: agent.userId, token: authToken, tokenExpires: { $date: expect.any(Number) }, type: 'resume' },
    })
    // AGENT_SESSION_DAYS is 90: the session's own expiry, not a new one.
    expect(answer.result.tokenExpires.$date).toBeGreaterThan(before + 89 * DAY_MS)
    expect(answer.result.tokenExpires.$date).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS)
  })

  it('refuses a wrong token, and the CLI token (found only by user id), with Meteor’s 403', async () => {
    const agent = await createAgentWithPassword()
    const ddp = await connect()
    for (const resume of [newToken(), agent.authToken, '', 'x'.repeat(300), 42]) {
      expect(await method(ddp, 'l', 'login', [{ resume }])).toEqual({ msg: 'result', id: 'l', error: LOGGED_OUT_ERROR })
    }
    // Still nobody: the queue is refused.
    expect(await sub(ddp, 'q', QUEUE, agentParams('public'))).toEqual({ msg: 'nosub', id: 'q', error: NOT_ALLOWED })
  })

  it('refuses other login forms (a password over the socket) with Meteor’s 400', async () => {
    const agent = await createAgentWithPassword()
    const ddp = await connect()
    const unrecognized = { error: 400, reason: 'Unrecognized options for login request', message: 'Unrecognized options for login request [400]', errorType: 'Meteor.Error' }
    for (const params of [[{ user: { username: agent.username }, password: agent.password }], [], ['token'], [null]]) {
      expect(await method(ddp, 'l', 'login', params)).toEqual({ msg: 'result', id: 'l', error: unrecognized })
    }
  })

  it('logout ends the session for good, as POST /api/v1/logout does', async () => {
    const { ddp, session } = await signedInSocket()
    const queue = department()
    expect(await sub(ddp, 'q', QUEUE, agentParams(queue))).toEqual({ msg: 'ready', subs: ['q'] })
    ddp.send({ msg: 'method', id: 'out', method: 'logout', params: [] })
    expect(await ddp.until((f) => f.id === 'q')).toEqual({ msg: 'nosub', id: 'q' })
    expect(await ddp.until((f) => f.id === 'out')).toEqual({ msg: 'result', id: 'out' })
    expect((await me(session.headers)).status).toBe(401)
    expect(await publishQueue(ddp, queue)).toBe(0)
  })
})

describe('the queue stream', () => {
  it('is for signed-in agents with view-l-room: not for visitors, nor for an agent with the user role only', async () => {
    const anonymous = await connect()
    expect(await sub(anonymous, 'q1', QUEUE, visitorParams('public', newToken()))).toEqual({ msg: 'nosub', id: 'q1', error: NOT_ALLOWED })
    const { ddp: user } = await signedInSocket(['user'])
    expect(await sub(user, 'q2', QUEUE, agentParams('public'))).toEqual({ msg: 'nosub', id: 'q2', error: NOT_ALLOWED })
    for (const roles of [['livechat-agent'], ['livechat-manager'], ['livechat-monitor'], ['admin']]) {
      const { ddp } = await signedInSocket(roles)
      expect(await sub(ddp, 'q3', QUEUE, agentParams('public'))).toEqual({ msg: 'ready', subs: ['q3'] })
      expect(await sub(ddp, 'q4', QUEUE, agentParams('department/sales'))).toEqual({ msg: 'ready', subs: ['q4'] })
    }
  })

  it('refuses event names that are neither public nor department/<id>', async () => {
    const { ddp } = await signedInSocket()
    for (const name of ['private', 'department/', 'x'.repeat(65), 42]) {
      expect(await sub(ddp, 'q', QUEUE, [name]), String(name)).toEqual({ msg: 'nosub', id: 'q', error: NOT_ALLOWED })
    }
  })

  it('delivers what the queue publishes, as Rocket.Chat’s changed frame', async () => {
    const { ddp } = await signedInSocket()
    const queue = department()
    await sub(ddp, 'q', QUEUE, agentParams(queue))
    const inquiry = { type: 'added', _id: 'r1', rid: 'r1', status: 'queued', ts: { $date: 1 } }
    expect(await publishQueue(ddp, queue, [inquiry])).toBe(1)
    expect(await ddp.next()).toEqual({ msg: 'changed', collection: QUEUE, id: 'id', fields: { eventName: queue, args: [inquiry] } })
  })
})

describe('a revoked sign-in', () => {
  for (const [what, revoke] of [
    ['REST logout', async (s: Awaited<ReturnType<typeof signedInSocket>>) => { expect((await logout(s.session.headers)).status).toBe(200) }],
    ['passwd', async (s: Awaited<ReturnType<typeof signedInSocket>>) => { await changePassword(s.agent.record, 'a new password entirely') }],
  ] as const) {
    it(`ends the socket’s access and its agent subscriptions at its next sub or method (${what})`, async () => {
      const s = await signedInSocket()
      const queue = department()
      expect(await sub(s.ddp, 'q', QUEUE, agentParams(queue))).toEqual({ msg: 'ready', subs: ['q'] })
      await revoke(s)
      // Any method re-reads the session: the queue subscription ends with it.
      s.ddp.send({ msg: 'method', id: 'm', method: 'noSuchMethod', params: [] })
      expect(await s.ddp.until((f) => f.id === 'q')).toEqual({ msg: 'nosub', id: 'q' })
      await s.ddp.until((f) => f.id === 'm')
      expect(await publishQueue(s.ddp, queue)).toBe(0)
      expect(await sub(s.ddp, 'q2', QUEUE, agentParams('public'))).toEqual({ msg: 'nosub', id: 'q2', error: NOT_ALLOWED })
      // Logging in again with the revoked token fails too.
      expect(await method(s.ddp, 'l', 'login', [{ resume: s.session.authToken }])).toEqual({ msg: 'result', id: 'l', error: LOGGED_OUT_ERROR })
    })
  }

  it('ends the subscriptions of a socket that sends nothing at the next session check (the alarm)', async () => {
    const s = await signedInSocket()
    const queue = department()
    expect(await sub(s.ddp, 'q', QUEUE, agentParams(queue))).toEqual({ msg: 'ready', subs: ['q'] })
    // The login scheduled the check; while the session lives, it changes nothing.
    expect(await runDurableObjectAlarm(shardOf(s.ddp.ip))).toBe(true)
    expect(await s.ddp.quiet()).toEqual([])
    expect((await logout(s.session.headers)).status).toBe(200)
    expect(await runDurableObjectAlarm(shardOf(s.ddp.ip))).toBe(true)
    expect(await s.ddp.next()).toEqual({ msg: 'nosub', id: 'q' })
    expect(await publishQueue(s.ddp, queue)).toBe(0)
  })

  it(`checks the sessions of sockets that send nothing at least every ${SESSION_CHECK_MS / 1000} s`, async () => {
    const s = await signedInSocket()
    const shard = shardOf(s.ddp.ip)
    const nextCheck = () => runInDurableObject(shard, (_, state: DurableObjectState) => state.storage.getAlarm())
    expect(await nextCheck()).toBeLessThanOrEqual(Date.now() + SESSION_CHECK_MS)
    expect(await runDurableObjectAlarm(shard)).toBe(true)
    // Again while an agent is signed in.
    const after = Date.now()
    expect(await nextCheck()).toBeGreaterThan(after)
    expect(await nextCheck()).toBeLessThanOrEqual(after + SESSION_CHECK_MS)
  })
})
