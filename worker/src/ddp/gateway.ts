// Sockets speaking Rocket.Chat's DDP subset, with the WebSocket Hibernation API: one object per
// shard of client networks (shards.ts). Rooms and the queue publish to the shards that subscribed;
// each socket's attachment holds all it needs (attachment.ts), so an idle shard may leave memory.
import { DurableObject } from 'cloudflare:workers'
import { endSession } from '../agents/sessions.ts'
import { UNKNOWN_NETWORK } from '../http/client-network.ts'
import { failure, tooManyRequests } from '../http/responses.ts'
import { randomId } from '../../../shared/ids.ts'
import { PERMISSIONS } from '../../../shared/roles.ts'
import { read, write, type Attachment } from './attachment.ts'
import { resume, signedInBy } from './agent-session.ts'
import {
  changed, connected, failed, frameError, isFrameError, methodError, nosub, parseFrame, pong, ready, result, speaksVersion,
  type ClientFrame,
} from './frames.ts'
import { CLOSE_POLICY, CLOSE_TOO_BIG, FrameBudget, MAX_SOCKETS_PER_NETWORK, MAX_SUBSCRIPTIONS, frameTooBig } from './limits.ts'
import {
  internalError, loggedOut, meteorError, methodNotFound, notAllowed, subscriptionNotFound, tooManySubscriptions, unrecognizedLogin,
} from './meteor-errors.ts'
import { STREAMS, targetOf, typingRoom, type Target } from './streams.ts'
import { Subscribers } from './subscribers.ts'
import type { Who } from '../chat/access.ts'
import { methodToken, subToken, whoOf } from './who.ts'

/** Set by the Worker (upgrade.ts) on the upgrade it forwards; a client never reaches the object directly. */
export const NETWORK_HEADER = 'x-ddp-network'
export const LIMITS_HEADER = 'x-ddp-limits'

/** How often the sessions of signed-in agents are read again for sockets that send nothing (a
 * sub or method re-reads at once): the longest a revoked session keeps receiving events. Costs
 * 2 KV reads a minute per signed-in socket, only while a shard has one. */
const SESSION_CHECK_MS = 60_000

/** Seconds a refused upgrade is told to wait. */
const RETRY_AFTER_S = 60

/** Sends a frame; a socket that closed while its frame was handled has nobody left to read it. */
function send(ws: WebSocket, frame: object): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame))
}

export class DdpGateway extends DurableObject<Env> {
  readonly #subscribers = new Subscribers(() => this.ctx.getWebSockets())
  readonly #budget = new FrameBudget()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    // Answered by the runtime, even while the object hibernates: idle clients' heartbeats cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"msg":"ping"}', '{"msg":"pong"}'))
  }

  /** This shard's name, as rooms and the queue call it back (`env.DDP_GATEWAY.getByName`). */
  get #name(): string {
    return this.ctx.id.name!
  }

  /** The upgrade the Worker forwards. Sockets are tagged with their network, to count them exactly. */
  async fetch(request: Request): Promise<Response> {
    const network = request.headers.get(NETWORK_HEADER) ?? UNKNOWN_NETWORK
    const limits = request.headers.get(LIMITS_HEADER) !== 'off'
    if (limits && this.ctx.getWebSockets(network).length >= MAX_SOCKETS_PER_NETWORK) return failure(tooManyRequests(RETRY_AFTER_S))
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [network])
    write(server, { session: randomId(), network, limits, connected: false, subs: [] })
    return new Response(null, { status: 101, webSocket: client })
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (frameTooBig(message)) return ws.close(CLOSE_TOO_BIG, 'Frame too big')
    const { session, limits } = read(ws)
    if (limits && !this.#budget.spend(session)) return ws.close(CLOSE_POLICY, 'Too many frames')
    const frame = typeof message === 'string' ? parseFrame(message) : frameError('Parse error')
    if (isFrameError(frame)) return send(ws, frame)
    try {
      await this.#handle(ws, frame)
    } catch (error) {
      console.error('ddp frame failed', error)
      if (frame.msg === 'sub') send(ws, nosub(frame.id, internalError()))
      else if (frame.msg === 'method') send(ws, methodError(frame.id, internalError()))
    }
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#forget(ws)
    // Completes the closing handshake, so the client learns at once that the socket is gone (a
    // browser's or LivechatClientImpl's close() sends no code: 1005, which may not be sent back,
    // so answer 1000). Throws when the runtime already closed it, or for 1006: nothing to answer.
    try { ws.close(code === 1005 ? 1000 : code, reason) } catch { /* already closed */ }
  }

  webSocketError(ws: WebSocket): void {
    this.#forget(ws)
  }

  /**
   * Sends an event to every socket of this shard subscribed to (collection, eventName), except the
   * `except` session (the sender of a typing event). Returns the sockets that read the stream, the
   * excepted one included: 0 tells the publisher no socket here reads it any more (lazy pruning),
   * and a sender's own stream must not be pruned.
   */
  publish(collection: string, eventName: string, args: unknown[], except?: { session: string }): number {
    const frame = JSON.stringify(changed(collection, eventName, args))
    let reached = 0
    for (const [session, ws] of this.#subscribers.of(collection, eventName)) {
      if (ws.readyState !== WebSocket.OPEN) {
        this.#subscribers.forget(session)
        continue
      }
      if (session !== except?.session) ws.send(frame)
      reached++
    }
    return reached
  }

  /** Re-reads every signed-in agent's session; again later while any agent is signed in here. */
  async alarm(): Promise<void> {
    const signedIn = this.ctx.getWebSockets().filter((ws) => read(ws).agent)
    await Promise.all(signedIn.map((ws) => this.#recheckAgent(ws, read(ws))))
    if (signedIn.length > 0) await this.ctx.storage.setAlarm(Date.now() + SESSION_CHECK_MS)
  }

  #forget(ws: WebSocket): void {
    const { session } = read(ws)
    this.#subscribers.forget(session)
    this.#budget.forget(session)
  }

  async #handle(ws: WebSocket, frame: ClientFrame): Promise<void> {
    const attachment = read(ws)
    switch (frame.msg) {
      case 'connect':
        if (attachment.connected) return send(ws, frameError('Already connected', frame))
        if (!speaksVersion(frame.version)) {
          send(ws, failed())
          return ws.close(1002, 'Unsupported DDP version')
        }
        write(ws, { ...attachment, connected: true })
        return send(ws, connected(attachment.session))
      case 'ping':
        return send(ws, pong(frame))
      case 'pong':
        return
    }
    if (!attachment.connected) return send(ws, frameError('Must connect first', frame))
    if (frame.msg === 'unsub') return this.#unsubscribe(ws, frame.id)
    // A signed-in agent's session is read again before anything it may do: logout, `passwd`
    // and expiry end its access here, and its subscriptions with it (and within SESSION_CHECK_MS
    // for a socket that sends nothing: see alarm()).
    if (attachment.agent) await this.#recheckAgent(ws, attachment)
    if (frame.msg === 'sub') return this.#subscribe(ws, frame)
    switch (frame.method) {
      case 'login':
        return this.#login(ws, frame.id, frame.params[0])
      case 'logout':
        return this.#logout(ws, frame.id)
      case 'stream-notify-room':
        return this.#typing(ws, frame.id, frame.params)
      default:
        return send(ws, methodError(frame.id, methodNotFound(frame.method)))
    }
  }

  async #subscribe(ws: WebSocket, { id, name, params }: Extract<ClientFrame, { msg: 'sub' }>): Promise<void> {
    const stream = STREAMS.indexOf(name as (typeof STREAMS)[number])
    if (stream < 0) return send(ws, nosub(id, subscriptionNotFound(name)))
    const [eventName, options] = params
    const target = typeof eventName === 'string' ? targetOf(STREAMS[stream], eventName) : null
    if (!target) return send(ws, nosub(id, notAllowed()))
    if (this.#full(read(ws))) return send(ws, nosub(id, tooManySubscriptions()))
    const { agent } = read(ws)
    const who = whoOf(subToken(options), agent)
    const allowed = who !== null && (await this.#authorise(target, STREAMS[stream], eventName as string, who))
    if (!allowed) return send(ws, nosub(id, notAllowed()))
    // Other frames of this socket ran during the awaits: read its attachment again. A logout, the
    // alarm or a login of another agent may have ended the sign-in this was allowed to: it ends
    // with it, as the subscriptions #signOut ended did.
    const attachment = read(ws)
    if ('agent' in who && attachment.agent?.tokenHash !== agent!.tokenHash) return send(ws, nosub(id))
    const subs = attachment.subs.filter((sub) => sub.id !== id)
    if (this.#full({ ...attachment, subs })) return send(ws, nosub(id, tooManySubscriptions()))
    subs.push({ id, s: stream, e: eventName as string, ...('agent' in who && { a: 1 as const }) })
    if (!this.#store(ws, { ...attachment, subs })) return send(ws, nosub(id, tooManySubscriptions()))
    send(ws, ready(id))
  }

  #full(attachment: Attachment): boolean {
    return attachment.limits && attachment.subs.length >= MAX_SUBSCRIPTIONS
  }

  /** Asks the room (or, for an agents' stream, checks the agent's permission and tells the
   * Omnichannel object) and records this shard as a subscriber there. */
  async #authorise(target: Target, collection: string, eventName: string, who: Who): Promise<boolean> {
    if ('room' in target) return this.env.CHAT_ROOM.getByName(target.room).subscribe(this.#name, collection, eventName, who)
    const viewsRooms: readonly string[] = PERMISSIONS['view-l-room']
    if (!('agent' in who) || !who.agent.roles.some((role) => viewsRooms.includes(role))) return false
    await this.env.OMNICHANNEL.getByName('global').subscribeAgents(this.#name, collection, eventName)
    return true
  }

  #unsubscribe(ws: WebSocket, id: string): void {
    const attachment = read(ws)
    this.#store(ws, { ...attachment, subs: attachment.subs.filter((sub) => sub.id !== id) })
    send(ws, nosub(id))
  }

  /** Writes the attachment and follows it in the index; false when it would be over the size cap.
   * Without an agent, subscriptions made as one are dropped: none outlives its sign-in. */
  #store(ws: WebSocket, attachment: Attachment): boolean {
    if (!attachment.agent) attachment = { ...attachment, subs: attachment.subs.filter((sub) => !sub.a) }
    try {
      write(ws, attachment)
    } catch {
      // Over the runtime's 16 KiB: only with RATE_LIMITS=off, or with very long roles.
      return false
    }
    this.#subscribers.sync(ws, attachment)
    return true
  }

  async #recheckAgent(ws: WebSocket, { agent }: Attachment): Promise<void> {
    const current = await signedInBy(this.env.CONTACTS, agent!.tokenHash)
    // Unless another login replaced the agent meanwhile.
    if (read(ws).agent?.tokenHash !== agent!.tokenHash) return
    if (current) this.#store(ws, { ...read(ws), agent: current.agent }) // roles may have changed
    else this.#signOut(ws)
  }

  /** Forgets the socket's agent and ends the subscriptions made as it (`nosub`, as Meteor does). */
  #signOut(ws: WebSocket): void {
    const { agent: _, ...attachment } = read(ws)
    this.#store(ws, attachment)
    for (const sub of attachment.subs) if (sub.a) send(ws, nosub(sub.id))
  }

  async #login(ws: WebSocket, id: string, options: unknown): Promise<void> {
    if (typeof options !== 'object' || options === null || !('resume' in options)) return send(ws, methodError(id, unrecognizedLogin()))
    const token = (options as { resume: unknown }).resume
    const resumed = await resume(this.env.CONTACTS, token)
    if (!resumed) return send(ws, methodError(id, loggedOut()))
    // Another agent's subscriptions do not carry over to this one.
    if (read(ws).agent && read(ws).agent!.userId !== resumed.agent.userId) this.#signOut(ws)
    if (!this.#store(ws, { ...read(ws), agent: resumed.agent })) return send(ws, methodError(id, tooManySubscriptions()))
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SESSION_CHECK_MS)
    send(ws, result(id, { id: resumed.agent.userId, token, tokenExpires: { $date: resumed.expires }, type: 'resume' }))
  }

  /** Meteor's logout: the session ends for good (as POST /api/v1/logout), and so does the socket's sign-in. */
  async #logout(ws: WebSocket, id: string): Promise<void> {
    const { agent } = read(ws)
    if (agent) {
      await endSession(this.env.CONTACTS, agent.tokenHash)
      // Only the sign-in this logout ended: a `login` that finished meanwhile stays signed in.
      if (read(ws).agent?.tokenHash === agent.tokenHash) this.#signOut(ws)
    }
    send(ws, result(id))
  }

  /** `stream-notify-room` [`<rid>/user-activity`, username, activities, {token} | {}]: typing, to
   * everyone reading the room's activity but this socket. */
  async #typing(ws: WebSocket, id: string, [eventName, username, activities, last]: unknown[]): Promise<void> {
    const rid = typeof eventName === 'string' ? typingRoom(eventName) : null
    if (!rid) return send(ws, methodError(id, notAllowed()))
    if (!validUsername(username) || !validActivities(activities)) return send(ws, methodError(id, meteorError(400, 'Match failed')))
    const who = whoOf(methodToken(last), read(ws).agent)
    const except = { gateway: this.#name, session: read(ws).session }
    const sent = who !== null && (await this.env.CHAT_ROOM.getByName(rid).notifyActivity(username, activities, who, except))
    send(ws, sent ? result(id) : methodError(id, notAllowed()))
  }
}

const validUsername = (username: unknown): username is string =>
  typeof username === 'string' && username.length > 0 && username.length <= 64

/** A short list of short activity names: `["user-typing"]`, or none to stop. */
const validActivities = (activities: unknown): activities is string[] =>
  Array.isArray(activities) && activities.length <= 8 && activities.every((a) => typeof a === 'string' && a.length <= 32)
