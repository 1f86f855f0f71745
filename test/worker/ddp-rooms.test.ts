// Room streams over the socket, end to end through the real ChatRoom: who may subscribe (the
// visitor by its token, the serving agent, managers), what arrives, and typing, which reaches the
// other side and never its sender.
import { describe, expect, it } from 'vitest'
import type { Room } from '../../shared/chat.ts'
import { createAgentWithPassword, signIn } from './agent-support.ts'
import { expectStatus, take, visitorSays, visitorWithRoom } from './chat-support.ts'
import { NOT_ALLOWED, agentParams, connect, method, sub, visitorParams, type Ddp } from './ddp-support.ts'
import { call, newToken } from './support.ts'

/** A socket with an agent signed in over DDP (a sign-in session, as the console has). */
async function agentSocket(roles = ['livechat-agent']) {
  const agent = await createAgentWithPassword({ roles })
  const session = await signIn(agent.username)
  const ddp = await connect()
  await method(ddp, 'login', 'login', [{ resume: session.authToken }])
  return { agent, session, ddp }
}

const typing = (ddp: Ddp, id: string, rid: string, username: string, activities: string[], last: object) =>
  method(ddp, id, 'stream-notify-room', [`${rid}/user-activity`, username, activities, last])

describe('room streams', () => {
  it('admit the room’s visitor by its token to each stream (livechat-room three times, as the client sends it)', async () => {
    const { visitor, room } = await visitorWithRoom()
    const ddp = await connect()
    const streams: [string, string][] = [
      ['stream-room-messages', room._id],
      ['stream-notify-room', `${room._id}/user-activity`],
      ['stream-notify-room', `${room._id}/deleteMessage`],
      ['stream-livechat-room', room._id], ['stream-livechat-room', room._id], ['stream-livechat-room', room._id],
    ]
    for (const [i, [name, eventName]] of streams.entries()) {
      expect(await sub(ddp, `s${i}`, name, visitorParams(eventName, visitor.token))).toEqual({ msg: 'ready', subs: [`s${i}`] })
    }
  })

  it('refuse another visitor’s token, no token, unknown rooms and unknown event names with nosub not-allowed', async () => {
    const { room } = await visitorWithRoom()
    const { visitor: other } = await visitorWithRoom()
    const ddp = await connect()
    const refused: unknown[][] = [
      ['stream-room-messages', visitorParams(room._id, other.token)],
      ['stream-room-messages', [room._id, { useCollection: false, args: [{}] }]],
      ['stream-room-messages', [room._id]],
      ['stream-room-messages', visitorParams('NoSuchRoom1234567', other.token)],
      ['stream-notify-room', visitorParams(`${room._id}/typing-everything`, other.token)],
      ['stream-notify-room', visitorParams(room._id, other.token)],
      ['stream-room-messages', visitorParams('../etc', other.token)],
      ['stream-room-messages', [{ rid: room._id }]],
    ]
    for (const [name, params] of refused) {
      expect(await sub(ddp, 'x', name as string, params as unknown[]), JSON.stringify(params)).toEqual({ msg: 'nosub', id: 'x', error: NOT_ALLOWED })
    }
  })

  it('deliver each new message to the visitor’s socket, its own included, with ts as {$date}', async () => {
    const { visitor, room } = await visitorWithRoom()
    const ddp = await connect()
    await sub(ddp, 'm', 'stream-room-messages', visitorParams(room._id, visitor.token))
    const message = await visitorSays(visitor.token, room._id, 'hello over REST')
    const frame = await ddp.until((f) => f.msg === 'changed')
    expect(frame).toMatchObject({ collection: 'stream-room-messages', id: 'id', fields: { eventName: room._id } })
    expect(frame.fields.args[0]).toMatchObject({ _id: message._id, msg: 'hello over REST', ts: { $date: Date.parse(message.ts) } })
  })

  it('deliver agentData once per socket when an agent takes the room', async () => {
    const { visitor, room } = await visitorWithRoom()
    const ddp = await connect()
    for (const id of ['a', 'b', 'c']) await sub(ddp, id, 'stream-livechat-room', visitorParams(room._id, visitor.token))
    const { session, agent } = await agentSocket()
    await expectStatus(await take(session.headers, room._id), 200)
    const frames = (await ddp.quiet(200)).filter((f) => f.collection === 'stream-livechat-room')
    expect(frames).toHaveLength(1)
    expect(frames[0].fields.args).toEqual([{ type: 'agentData', data: expect.objectContaining({ _id: agent.userId, username: agent.username }) }])
  })

  it('admit a signed-in agent to the rooms it serves only; managers and admins to any', async () => {
    const { room } = await visitorWithRoom()
    const serving = await agentSocket()
    const bystander = await agentSocket()
    expect(await sub(serving.ddp, 'x', 'stream-room-messages', agentParams(room._id))).toEqual({ msg: 'nosub', id: 'x', error: NOT_ALLOWED })
    await expectStatus(await take(serving.session.headers, room._id), 200)
    expect(await sub(serving.ddp, 'y', 'stream-room-messages', agentParams(room._id))).toEqual({ msg: 'ready', subs: ['y'] })
    expect(await sub(bystander.ddp, 'z', 'stream-room-messages', agentParams(room._id))).toEqual({ msg: 'nosub', id: 'z', error: NOT_ALLOWED })
    for (const roles of [['livechat-manager'], ['admin']]) {
      const { ddp } = await agentSocket(roles)
      expect(await sub(ddp, 'm', 'stream-notify-room', agentParams(`${room._id}/user-activity`))).toEqual({ msg: 'ready', subs: ['m'] })
    }
  })

  it('answer nosub for an erased visitor’s room', async () => {
    const { visitor, room } = await visitorWithRoom()
    expect((await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })).status).toBe(200)
    const ddp = await connect()
    expect(await sub(ddp, 'x', 'stream-room-messages', visitorParams(room._id, visitor.token))).toEqual({ msg: 'nosub', id: 'x', error: NOT_ALLOWED })
  })
})

describe('typing (method stream-notify-room)', () => {
  /** A room served by a signed-in agent; the visitor on two sockets (two tabs), the agent on one,
   * all reading the room's user-activity. */
  async function conversation() {
    const { visitor, room } = await visitorWithRoom()
    const agent = await agentSocket()
    await expectStatus(await take(agent.session.headers, room._id), 200)
    const [tab1, tab2] = [await connect(), await connect()]
    const activity = `${room._id}/user-activity`
    for (const ddp of [tab1, tab2]) expect((await sub(ddp, 't', 'stream-notify-room', visitorParams(activity, visitor.token))).msg).toBe('ready')
    expect((await sub(agent.ddp, 't', 'stream-notify-room', agentParams(activity))).msg).toBe('ready')
    return { visitor, room: room as Room, agent, tab1, tab2, activity }
  }

  it('reaches everyone reading the room’s activity but the sending socket', async () => {
    const { visitor, room, agent, tab1, tab2, activity } = await conversation()
    expect(await typing(tab1, 'v1', room._id, visitor.username, ['user-typing'], { token: visitor.token })).toEqual({ msg: 'result', id: 'v1' })
    const seen = { msg: 'changed', collection: 'stream-notify-room', id: 'id', fields: { eventName: activity, args: [visitor.username, ['user-typing']] } }
    expect(await agent.ddp.until((f) => f.msg === 'changed')).toEqual(seen)
    expect(await tab2.until((f) => f.msg === 'changed')).toEqual(seen)
    expect(await tab1.quiet()).toEqual([])

    expect(await typing(agent.ddp, 'a1', room._id, agent.agent.username, [], {})).toEqual({ msg: 'result', id: 'a1' })
    const stopped = { msg: 'changed', collection: 'stream-notify-room', id: 'id', fields: { eventName: activity, args: [agent.agent.username, []] } }
    expect(await tab1.until((f) => f.msg === 'changed')).toEqual(stopped)
    expect(await tab2.until((f) => f.msg === 'changed')).toEqual(stopped)
    expect(await agent.ddp.quiet()).toEqual([])
  })

  it('is refused for another visitor’s room, for nobody, and for any event but user-activity', async () => {
    const { room, tab1 } = await conversation()
    const { visitor: other } = await visitorWithRoom()
    expect(await typing(tab1, 'x1', room._id, other.username, ['user-typing'], { token: other.token })).toEqual({ msg: 'result', id: 'x1', error: NOT_ALLOWED })
    expect(await typing(tab1, 'x2', room._id, 'someone', ['user-typing'], {})).toEqual({ msg: 'result', id: 'x2', error: NOT_ALLOWED })
    expect(await method(tab1, 'x3', 'stream-notify-room', [`${room._id}/deleteMessage`, 'someone', [], { token: other.token }])).toEqual({ msg: 'result', id: 'x3', error: NOT_ALLOWED })
    expect(await typing(tab1, 'x4', newToken(), 'someone', ['user-typing'], { token: other.token })).toEqual({ msg: 'result', id: 'x4', error: NOT_ALLOWED })
  })

  it('answers malformed typing with Meteor’s 400 Match failed', async () => {
    const { visitor, room, tab1 } = await conversation()
    const matchFailed = { error: 400, reason: 'Match failed', message: 'Match failed [400]', errorType: 'Meteor.Error' }
    for (const [username, activities] of [[42, []], ['', []], [visitor.username, 'user-typing'], [visitor.username, [1]], [visitor.username, Array(9).fill('x')]]) {
      expect(await method(tab1, 'b', 'stream-notify-room', [`${room._id}/user-activity`, username, activities, { token: visitor.token }])).toEqual({ msg: 'result', id: 'b', error: matchFailed })
    }
  })
})
