// The gateway's abuse limits, each with a clear answer and the socket (or object) unharmed:
// frame size (close 1009, even with RATE_LIMITS=off), frames per 10 s (close 1008), subscriptions
// per socket (nosub too-many-subscriptions), sockets per client network (429).
import { describe, expect, it } from 'vitest'
import { MAX_FRAMES_PER_WINDOW, MAX_FRAME_BYTES, MAX_SOCKETS_PER_NETWORK, MAX_SUBSCRIPTIONS } from '../../worker/src/ddp/limits.ts'
import { createAgentWithPassword, signIn } from './agent-support.ts'
import { agentParams, connect, method, openSocket, sub } from './ddp-support.ts'
import { call, clientIp } from './support.ts'

const OFF = { RATE_LIMITS: 'off' } as Partial<Env>
const QUEUE = 'stream-livechat-inquiry-queue-observer'

/** A frame of exactly `bytes` UTF-8 bytes. */
const frameOf = (bytes: number, filler = 'a') => {
  const head = '{"msg":"nothing","pad":"'
  const tail = '"}'
  return head + filler.repeat((bytes - head.length - tail.length) / new TextEncoder().encode(filler).length) + tail
}

describe('frame size', () => {
  it('takes a frame of 64 KiB and closes with 1009 on a bigger one, rate limits on or off', async () => {
    for (const overrides of [{}, OFF]) {
      const ddp = await connect({ overrides })
      ddp.send(frameOf(MAX_FRAME_BYTES))
      expect((await ddp.next()).reason).toBe('Bad request')
      ddp.send(frameOf(MAX_FRAME_BYTES + 1))
      expect(await ddp.closed).toEqual({ code: 1009, reason: 'Frame too big' })
    }
  })

  it('counts bytes, not characters', async () => {
    const ddp = await connect()
    const frame = frameOf(MAX_FRAME_BYTES + 2, 'é') // 2 bytes each: fewer characters than the cap
    expect(frame.length).toBeLessThan(MAX_FRAME_BYTES)
    ddp.send(frame)
    expect((await ddp.closed).code).toBe(1009)
  })
})

describe('frames per socket', () => {
  const pings = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ msg: 'ping', id: String(i) }))

  it(`answers ${MAX_FRAMES_PER_WINDOW} frames in 10 s, then closes with 1008`, async () => {
    const ddp = await connect() // `connect` was the first frame
    for (const frame of pings(MAX_FRAMES_PER_WINDOW - 1)) ddp.send(frame)
    await ddp.until((f) => f.id === String(MAX_FRAMES_PER_WINDOW - 2))
    ddp.send(JSON.stringify({ msg: 'ping', id: 'one too many' }))
    expect(await ddp.closed).toEqual({ code: 1008, reason: 'Too many frames' })
  })

  it('never counts the heartbeat answered by the auto-response', async () => {
    const ddp = await connect()
    for (let i = 0; i < MAX_FRAMES_PER_WINDOW + 50; i++) ddp.send('{"msg":"ping"}')
    ddp.send(JSON.stringify({ msg: 'ping', id: 'counted' }))
    expect(await ddp.until((f) => f.id === 'counted')).toEqual({ msg: 'pong', id: 'counted' })
  })

  it('has no budget with RATE_LIMITS=off', async () => {
    const ddp = await connect({ overrides: OFF })
    for (const frame of pings(MAX_FRAMES_PER_WINDOW + 100)) ddp.send(frame)
    expect(await ddp.until((f) => f.id === String(MAX_FRAMES_PER_WINDOW + 99))).toMatchObject({ msg: 'pong' })
  })
})

describe('subscriptions per socket', () => {
  async function agentSocket(overrides: Partial<Env> = {}) {
    const agent = await createAgentWithPassword()
    const { authToken } = await signIn(agent.username)
    const ddp = await connect({ overrides })
    await method(ddp, 'login', 'login', [{ resume: authToken }])
    return ddp
  }
  // The longest ids and event names accepted: the attachment must hold 100 of them.
  const longId = (i: number) => `${i}-`.padEnd(64, 'x')
  const longEvent = (i: number) => `department/${i}-`.padEnd(64, 'd')

  it(`holds ${MAX_SUBSCRIPTIONS} of the longest, then answers nosub too-many-subscriptions`, async () => {
    const ddp = await agentSocket()
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) {
      expect(await sub(ddp, longId(i), QUEUE, agentParams(longEvent(i)))).toEqual({ msg: 'ready', subs: [longId(i)] })
    }
    expect(await sub(ddp, 'one-more', QUEUE, agentParams('public'))).toEqual({
      msg: 'nosub', id: 'one-more',
      error: { error: 'too-many-subscriptions', reason: 'Too many subscriptions on this connection', message: 'Too many subscriptions on this connection [too-many-subscriptions]', errorType: 'Meteor.Error' },
    })
    // An unsub makes room again.
    ddp.send({ msg: 'unsub', id: longId(0) })
    expect(await sub(ddp, 'one-more', QUEUE, agentParams('public'))).toEqual({ msg: 'ready', subs: ['one-more'] })
  })

  it('with RATE_LIMITS=off, stops at what the socket’s attachment holds, with the same nosub, and keeps the socket', async () => {
    const ddp = await agentSocket(OFF)
    const answers = []
    for (let i = 0; i < 2 * MAX_SUBSCRIPTIONS; i++) answers.push((await sub(ddp, longId(i), QUEUE, agentParams(longEvent(i)))).msg)
    expect(answers.filter((msg) => msg === 'ready').length).toBeGreaterThanOrEqual(MAX_SUBSCRIPTIONS)
    expect(answers.at(-1)).toBe('nosub')
    expect(await method(ddp, 'm', 'nothing', [])).toMatchObject({ error: { error: 404 } })
  })
})

describe('sockets per client network', () => {
  it(`opens ${MAX_SOCKETS_PER_NETWORK} from one network, then refuses the upgrade with a Rocket.Chat-shaped 429`, async () => {
    const ip = clientIp()
    const sockets = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_NETWORK }, () => openSocket({ ip })))
    const refused = await call('/websocket', { headers: { Upgrade: 'websocket', 'cf-connecting-ip': ip } })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(refused.headers.get('cache-control')).toBe('no-store')
    expect(await refused.json()).toEqual({
      success: false,
      error: 'Error, too many requests. Please slow down. You must wait 60 seconds before trying this endpoint again. [error-too-many-requests]',
    })
    // Another network is not affected; a closed socket frees its place.
    ;(await openSocket()).ws.close()
    sockets[0].ws.close(1000)
    await sockets[0].closed
    await new Promise((resolve) => setTimeout(resolve, 50))
    await openSocket({ ip })
  })

  it('has no cap with RATE_LIMITS=off', async () => {
    const ip = clientIp()
    await Promise.all(Array.from({ length: MAX_SOCKETS_PER_NETWORK + 5 }, () => openSocket({ ip, overrides: OFF })))
  })
})
