// npm run bench (its chat part) [-- --messages 300]
//
// Message latency through our chat, beside two bare Durable Object baselines measured in the same
// run (bench/echo: a WebSocket echo's round trip, and a relay: an HTTP POST whose body one object
// sends to a socket it holds): from POST livechat/message (a visitor writes) to the event on the serving agent's
// socket, and from POST chat.sendMessage (the agent answers) to the event on the visitor's socket,
// p50 and p99, one message at a time; then messages per second into one room and across 50 rooms.
// Both servers run under `wrangler dev` with RATE_LIMITS off. A benchmark, not a test: ratios
// measured in one run carry over between machines, absolute times do not.
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DdpClient, type Frame } from '../test/support/ddp-client.ts'
import { BIN, OURS_CONFIG, ROOT, copyDir, startWranglerDev, stopAll, type Server } from './servers.ts'

const ECHO_CONFIG = join(ROOT, 'bench/echo/wrangler.toml')
const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '300' } } })
const MESSAGES = Number(args.messages)

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const summary = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) })
const ms = (x: number) => `${x.toFixed(2)} ms`

/** Times of `n` trips through the bare object: a frame's echo, or (`relay`) an HTTP POST's body
 * arriving on the socket. */
async function bareTrips(server: Server, n: number, relay: boolean): Promise<number[]> {
  const name = `run-${relay ? 'relay' : 'echo'}-${Date.now()}`
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/websocket/${name}`)
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject })
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const frame = JSON.stringify({ msg: 'method', id: String(i) })
    const started = performance.now()
    await new Promise<void>((resolve) => {
      ws.onmessage = () => resolve()
      if (relay) void fetch(`${server.url}/relay/${name}`, { method: 'POST', body: frame })
      else ws.send(frame)
    })
    times.push(performance.now() - started)
  }
  ws.close()
  return times
}

async function post(server: Server, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const json = await response.json() as Record<string, any>
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

/** An agent with a password, made by the real CLI in the server's own local store. */
function createAgent(server: Server, username: string, password: string) {
  execFileSync('npm', ['run', '-s', 'agent', '--', 'create', username, '--role', 'livechat-agent', '--password-stdin', '--persist-to', server.persistTo!], {
    cwd: ROOT, input: `${password}\n`, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' },
  })
}

/** A visitor with an open room served by the agent, both sockets subscribed to it. */
async function servedRoom(server: Server, agent: { headers: Record<string, string>; ddp: DdpClient }, visitorDdp: DdpClient, n: number) {
  const token = `bench-visitor-${n}-${Date.now()}`
  await post(server, '/api/v1/livechat/visitor', { visitor: { token, name: `Visitor ${n}` } })
  const room = (await (await fetch(`${server.url}/api/v1/livechat/room?token=${token}`)).json() as { room: { _id: string } }).room
  await post(server, '/api/v1/livechat/inquiries.take', { inquiryId: room._id }, agent.headers)
  await agent.ddp.subscribe('stream-room-messages', room._id, { useCollection: false, args: [] })
  await visitorDdp.subscribe('stream-room-messages', room._id, { useCollection: false, args: [{ token, visitorToken: token }] })
  return { rid: room._id, token }
}

/** The room-message event carrying `msg`. */
const carries = (rid: string, msg: string) => (frame: Frame) => {
  const fields = frame.fields as { eventName?: string; args?: { msg?: string }[] } | undefined
  return frame.msg === 'changed' && frame.collection === 'stream-room-messages' && fields?.eventName === rid && fields.args?.[0]?.msg === msg
}

/** Latencies, one message at a time, from the POST that sends it to the event on the other socket. */
async function latencies(send: (msg: string) => Promise<unknown>, receiver: DdpClient, rid: string, prefix: string, n: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const msg = `${prefix}${i}`
    const started = performance.now()
    await Promise.all([send(msg), receiver.next(carries(rid, msg), msg)])
    times.push(performance.now() - started)
  }
  return times
}

async function main() {
  const load = loadavg()
  const echo = await startWranglerDev('echo', ECHO_CONFIG)
  // A copy of the assets: a rebuild of widget/dist (npm run dev elsewhere) must not reload it mid-run.
  const ours = await startWranglerDev('ours', OURS_CONFIG, { RATE_LIMITS: 'off' }, copyDir(join(ROOT, 'widget/dist'), 'bench-assets-'))
  try {
    createAgent(ours, 'bench.agent', 'bench agent passphrase')
    const login = await post(ours, '/api/v1/login', { user: 'bench.agent', password: 'bench agent passphrase' })
    const { userId, authToken } = login.data as { userId: string; authToken: string }
    const headers = { 'X-User-Id': userId, 'X-Auth-Token': authToken }
    await post(ours, '/api/v1/livechat/agent.status', { status: 'available' }, headers)
    const agentDdp = await DdpClient.connect(ours.url)
    await agentDdp.login(authToken)
    const visitorDdp = await DdpClient.connect(ours.url)
    const agent = { headers, ddp: agentDdp }
    const { rid, token } = await servedRoom(ours, agent, visitorDdp, 0)

    // Warm-up, then the measured runs, taking turns.
    await bareTrips(echo, 20, false)
    const echoTimes = await bareTrips(echo, MESSAGES, false)
    const relayTimes = await bareTrips(echo, MESSAGES, true)
    const toAgent = await latencies((msg) => post(ours, '/api/v1/livechat/message', { token, rid, msg }), agentDdp, rid, 'v', MESSAGES)
    const toVisitor = await latencies((msg) => post(ours, '/api/v1/chat.sendMessage', { message: { rid, msg } }, headers), visitorDdp, rid, 'a', MESSAGES)

    // Throughput: one room, then 50 rooms, messages sent concurrently (20 at a time per room).
    const throughput = async (rooms: { rid: string; token: string }[], perRoom: number) => {
      const started = performance.now()
      await Promise.all(rooms.map(async (room) => {
        for (let i = 0; i < perRoom; i += 20)
          await Promise.all(Array.from({ length: Math.min(20, perRoom - i) }, (_, j) => post(ours, '/api/v1/livechat/message', { token: room.token, rid: room.rid, msg: `t${i + j}` })))
      }))
      return (rooms.length * perRoom) / ((performance.now() - started) / 1000)
    }
    const oneRoom = await throughput([{ rid, token }], 400)
    const rooms = await Promise.all(Array.from({ length: 50 }, (_, n) => servedRoom(ours, agent, visitorDdp, n + 1)))
    const fiftyRooms = await throughput(rooms, 20)

    // Sockets one gateway object holds: every socket from this machine goes to one shard (one
    // client network), so idle connected sockets pile up beside the agent's and the visitor's.
    const held: DdpClient[] = []
    const bySockets: { sockets: number; p50: number }[] = []
    for (const target of [0, 250, 500, 1000, 2000]) {
      while (held.length < target) held.push(...await Promise.all(Array.from({ length: Math.min(50, target - held.length) }, () => DdpClient.connect(ours.url))))
      const times = await latencies((msg) => post(ours, '/api/v1/livechat/message', { token, rid, msg }), agentDdp, rid, `s${target}-`, 50)
      bySockets.push({ sockets: held.length + 2, p50: summary(times).p50 })
      if (summary(times).p50 > 2 * bySockets[0].p50) break
    }
    await Promise.all([agentDdp.close(), visitorDdp.close(), ...held.map((c) => c.close())])

    const e = summary(echoTimes)
    const r = summary(relayTimes)
    const a = summary(toAgent)
    const v = summary(toVisitor)
    console.log(`\nChat latency, ${MESSAGES} messages each, one at a time (wrangler dev; load average ${load.map((x) => x.toFixed(2)).join(' ')} before, ${loadavg().map((x) => x.toFixed(2)).join(' ')} after)`)
    const ratios = (x: { p50: number }) => `${(x.p50 / e.p50).toFixed(2)} | ${(x.p50 / r.p50).toFixed(2)}`
    console.log(`| path | p50 | p99 | p50 ÷ echo p50 | p50 ÷ relay p50 |`)
    console.log(`| --- | --- | --- | --- | --- |`)
    console.log(`| bare Durable Object WebSocket echo (round trip) | ${ms(e.p50)} | ${ms(e.p99)} | ${ratios(e)} |`)
    console.log(`| bare relay: HTTP POST → one object → its socket | ${ms(r.p50)} | ${ms(r.p99)} | ${ratios(r)} |`)
    console.log(`| visitor POST livechat/message → agent's socket | ${ms(a.p50)} | ${ms(a.p99)} | ${ratios(a)} |`)
    console.log(`| agent POST chat.sendMessage → visitor's socket | ${ms(v.p50)} | ${ms(v.p99)} | ${ratios(v)} |`)
    console.log(`\nMessages per second: one room ${oneRoom.toFixed(0)}, across 50 rooms ${fiftyRooms.toFixed(0)}`)
    console.log(`\nSockets on one gateway object → visitor-to-agent p50: ${bySockets.map((b) => `${b.sockets}: ${ms(b.p50)}`).join(', ')}`)
  } catch (error) {
    console.error(`ours logged:\n${ours.takeLog()}`)
    throw error
  } finally {
    await stopAll()
  }
}

await main()
