// GET /websocket: the upgrade (426, origins, 101 untouched) and the DDP session frames: connect,
// ping/pong, Meteor's errors for malformed frames, unknown methods and subscriptions, unsub.
import { describe, expect, it } from 'vitest'
import { call } from './support.ts'
import { connect, method, openSocket, sub } from './ddp-support.ts'

const upgrade = (headers: Record<string, string> = {}, overrides: Partial<Env> = {}) =>
  call('/websocket', { headers: { Upgrade: 'websocket', ...headers } }, overrides)

describe('GET /websocket', () => {
  it('answers a request that is not a WebSocket upgrade with a Rocket.Chat-shaped 426', async () => {
    const response = await call('/websocket')
    expect(response.status).toBe(426)
    expect(await response.json()).toEqual({
      success: false,
      error: 'This endpoint takes WebSocket connections only [error-upgrade-required]',
      errorType: 'error-upgrade-required',
    })
  })

  it('hands back the 101 and its socket untouched by the router (no API headers added)', async () => {
    const response = await upgrade()
    expect(response.status).toBe(101)
    expect(response.webSocket).toBeTruthy()
    expect(response.headers.get('cache-control')).toBeNull()
    response.webSocket!.accept()
    response.webSocket!.close()
  })

  it('admits no Origin, the Worker’s own, and either list’s origins; refuses others with 403', async () => {
    const lists = { ALLOWED_ORIGINS: 'https://shop.example', AGENT_ALLOWED_ORIGINS: 'https://console.example' }
    for (const origin of [undefined, 'https://contact.example', 'https://shop.example', 'https://console.example']) {
      const response = await upgrade(origin ? { Origin: origin } : {}, lists)
      expect(response.status, origin).toBe(101)
      response.webSocket!.accept()
      response.webSocket!.close()
    }
    const refused = await upgrade({ Origin: 'https://evil.example' }, lists)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ success: false, errorType: 'error-origin-not-allowed' })
    // The agents' list empty (the default) and the widget's "*": any page may open one.
    expect((await upgrade({ Origin: 'https://evil.example' }, { ALLOWED_ORIGINS: '*', AGENT_ALLOWED_ORIGINS: '' })).status).toBe(101)
  })
})

describe('DDP session', () => {
  it('answers connect with connected and a session id of its own per socket', async () => {
    const [a, b] = [await connect(), await connect()]
    expect(a.session).toMatch(/^[A-Za-z0-9]{17}$/)
    expect(a.session).not.toBe(b.session)
    a.send({ msg: 'connect', version: '1', support: ['1'] })
    expect(await a.next()).toEqual({ msg: 'error', reason: 'Already connected', offendingMessage: { msg: 'connect', version: '1', support: ['1'] } })
  })

  it('refuses a DDP version it does not speak with failed, then closes', async () => {
    const ddp = await openSocket()
    ddp.send({ msg: 'connect', version: '2', support: ['2'] })
    expect(await ddp.next()).toEqual({ msg: 'failed', version: '1' })
    expect((await ddp.closed).code).toBe(1002)
  })

  it('answers ping with pong, echoing the id when there is one (the plain ping by auto-response)', async () => {
    const ddp = await connect()
    ddp.send({ msg: 'ping' })
    expect(await ddp.next()).toEqual({ msg: 'pong' })
    ddp.send({ msg: 'ping', id: 'p1' })
    expect(await ddp.next()).toEqual({ msg: 'pong', id: 'p1' })
    ddp.send({ msg: 'pong' }) // the client's answer to a server ping: nothing to say
    expect(await ddp.quiet()).toEqual([])
  })

  it('wants connect before anything else', async () => {
    const ddp = await openSocket()
    ddp.send({ msg: 'sub', id: 's1', name: 'stream-room-messages', params: ['x'] })
    expect(await ddp.next()).toEqual({ msg: 'error', reason: 'Must connect first', offendingMessage: { msg: 'sub', id: 's1', name: 'stream-room-messages', params: ['x'] } })
  })

  it('answers each malformed frame with one Meteor error and nothing else, and keeps the socket', async () => {
    const ddp = await connect()
    const cases: [string | ArrayBuffer, object][] = [
      ['not json', { msg: 'error', reason: 'Parse error' }],
      ['[1,2]', { msg: 'error', reason: 'Bad request', offendingMessage: [1, 2] }],
      ['null', { msg: 'error', reason: 'Bad request', offendingMessage: null }],
      ['{"id":"x"}', { msg: 'error', reason: 'Bad request', offendingMessage: { id: 'x' } }],
      ['{"msg":"explode"}', { msg: 'error', reason: 'Bad request', offendingMessage: { msg: 'explode' } }],
      ['{"msg":"sub","id":"s"}', { msg: 'error', reason: 'Malformed subscription', offendingMessage: { msg: 'sub', id: 's' } }],
      ['{"msg":"sub","id":1,"name":"n"}', { msg: 'error', reason: 'Malformed subscription', offendingMessage: { msg: 'sub', id: 1, name: 'n' } }],
      ['{"msg":"sub","id":"s","name":"n","params":{}}', { msg: 'error', reason: 'Malformed subscription', offendingMessage: { msg: 'sub', id: 's', name: 'n', params: {} } }],
      ['{"msg":"method","method":"m"}', { msg: 'error', reason: 'Malformed method invocation', offendingMessage: { msg: 'method', method: 'm' } }],
      ['{"msg":"method","id":"m","method":"x","params":"y"}', { msg: 'error', reason: 'Malformed method invocation', offendingMessage: { msg: 'method', id: 'm', method: 'x', params: 'y' } }],
      ['{"msg":"unsub"}', { msg: 'error', reason: 'Bad request', offendingMessage: { msg: 'unsub' } }],
      [new TextEncoder().encode('{"msg":"ping"}').buffer as ArrayBuffer, { msg: 'error', reason: 'Parse error' }],
    ]
    for (const [frame, answer] of cases) {
      ddp.send(frame)
      expect(await ddp.quiet(80), String(frame)).toEqual([answer])
    }
    ddp.send({ msg: 'ping', id: 'still-here' })
    expect(await ddp.next()).toEqual({ msg: 'pong', id: 'still-here' })
  })

  it('answers an unknown method with result error 404 and an unknown publication with nosub 404', async () => {
    const ddp = await connect()
    expect(await method(ddp, 'm1', 'deleteEverything', [])).toEqual({
      msg: 'result', id: 'm1',
      error: { error: 404, reason: "Method 'deleteEverything' not found", message: "Method 'deleteEverything' not found [404]", errorType: 'Meteor.Error' },
    })
    expect(await sub(ddp, 's1', 'meteor.loginServiceConfiguration', [])).toEqual({
      msg: 'nosub', id: 's1',
      error: { error: 404, reason: "Subscription 'meteor.loginServiceConfiguration' not found", message: "Subscription 'meteor.loginServiceConfiguration' not found [404]", errorType: 'Meteor.Error' },
    })
  })

  it('answers unsub with nosub, for a subscription it has or not', async () => {
    const ddp = await connect()
    ddp.send({ msg: 'unsub', id: 'never-made' })
    expect(await ddp.next()).toEqual({ msg: 'nosub', id: 'never-made' })
  })
})
