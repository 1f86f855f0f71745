// The visitor's chat endpoints under /api/v1/livechat/ (no auth: the visitor's token authorises,
// as in Rocket.Chat). A room checks the token itself, so a message costs one call to its room; the
// registry is asked only to tell an unknown token from a room that is not the visitor's. Every
// endpoint that looks a token up counts against the client network's VISITOR_READ_RATE_LIMIT
// first, so tokens cannot be guessed through it faster than through GET livechat/visitor/:token.
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import type { AgentInfo, Room } from '../../../shared/chat.ts'
import { setting } from '../config.ts'
import { readJsonBody } from '../http/body.ts'
import { enforceKeyedRateLimit, enforceRateLimit, rateLimitsOn } from '../http/rate-limit.ts'
import { ApiError, ok } from '../http/responses.ts'
import { verifyTurnstile } from '../http/turnstile.ts'
import { emailText, maybe, parseOrThrow, text } from '../http/validation.ts'
import { randomId, sha256Hex } from '../../../shared/ids.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { LIMITS, isValidEmail, isValidToken } from '../../../shared/visitor-rules.ts'
import { checkConsent } from '../visitors/visitor-input.ts'
import { registry } from '../visitors/visitor-registry.ts'
import { agentInfo } from './agent-info.ts'
import { checkMessageLength, isRoomId, messageId, messageText, queryDate } from './chat-input.ts'
import { wholeNumber as whole } from '../http/paging.ts'
import { checkIds, invalidRoom, invalidToken, refusal } from './refusals.ts'
import type { RoomVisitor } from './room-record.ts'
import { chatRoom, omnichannel } from './stubs.ts'

/** Rocket.Chat's comment on a room the visitor closed. */
export const CLOSED_BY_VISITOR = 'Closed by visitor'

/** Messages one history page answers unless asked otherwise (Rocket.Chat's default). */
const HISTORY_DEFAULT = 20

const roomVisitor = ({ _id, token, username, name, department }: Visitor): RoomVisitor =>
  ({ _id, token, username, ...(name && { name }), ...(department && { department }) })

/** The visitor holding the token, or 400 [invalid-token]. */
async function visitorOf(env: Env, token: string): Promise<Visitor> {
  const visitor = isValidToken(token) ? await registry(env).find(token) : null
  if (!visitor) throw invalidToken()
  return visitor
}



const RoomQuery = v.object({ token: v.string(), rid: v.optional(v.string()), agentId: v.optional(v.string()) })

/** GET livechat/room?token=&rid= — the visitor's open room, or a new one in the queue. `agentId`
 * is accepted and ignored: every room goes through the queue. */
export async function getRoom(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const { token, rid } = parseOrThrow(RoomQuery, { ...request.query })
  const visitor = await visitorOf(env, token)
  if (rid !== undefined && !isRoomId(rid)) throw invalidRoom()
  // Only a new room costs (an object, an index row, queue events): the widget asks for the open
  // room on every page view. Two concurrent first requests may both count; one room is made.
  if (rateLimitsOn(env) && !(await omnichannel(env).openRoomOf(visitor._id))) {
    await enforceRateLimit(request, env, env.CHAT_ROOM_RATE_LIMIT)
  }
  const opened = await omnichannel(env).openRoom(roomVisitor(visitor), rid)
  if ('refused' in opened) throw opened.refused === 'invalid-room' ? invalidRoom() : invalidToken()
  return ok({ room: opened.room, newRoom: opened.newRoom })
}

// `agent` is what Rocket.Chat's widget may send along; unused, as there.
const MessageBody = v.object({ token: v.string(), rid: v.string(), msg: messageText, _id: v.optional(messageId), agent: v.optional(v.unknown()) })

/** POST livechat/message {token, rid, msg, _id?} — idempotent by `_id`. Limited per visitor, so
 * visitors behind one address do not share a budget, under a ceiling per client network, which
 * also bounds guessing tokens here. */
export async function postMessage(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.CHAT_NETWORK_MESSAGE_RATE_LIMIT)
  const { token, rid, msg, _id } = parseOrThrow(MessageBody, await readJsonBody(request))
  checkMessageLength(msg)
  checkIds(token, rid)
  // By the token's hash: the visitor is not looked up here, and the limiter need not hold secrets.
  await enforceKeyedRateLimit(env, env.CHAT_MESSAGE_RATE_LIMIT, () => sha256Hex(token))
  const posted = await chatRoom(env, rid).post({ visitorToken: token }, { msg, ...(_id !== undefined && { _id }) })
  if ('refused' in posted) throw await refusal(env, posted.refused, token)
  return ok({ message: posted.ok })
}

const HistoryQuery = v.object({ token: v.string(), ls: v.optional(queryDate), end: v.optional(queryDate), limit: v.optional(whole) })

/** GET livechat/messages.history/:rid?token=&end=&limit= — newest first, before `end`. `ls` (when
 * the visitor last looked) is accepted and unused: no unread marks here. */
export async function messagesHistory(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const { token, end, limit } = parseOrThrow(HistoryQuery, { ...request.query })
  const { rid } = request.params
  checkIds(token, rid)
  const page = await chatRoom(env, rid).history({ visitorToken: token }, end ?? Number.MAX_SAFE_INTEGER, limit || HISTORY_DEFAULT)
  if ('refused' in page) throw await refusal(env, page.refused, token)
  return ok({ messages: page.ok })
}

const CloseBody = v.object({ rid: v.string(), token: v.string() })

/** POST livechat/room.close {rid, token}. */
export async function closeRoom(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const { rid, token } = parseOrThrow(CloseBody, await readJsonBody(request))
  checkIds(token, rid)
  const closed = await chatRoom(env, rid).close({ visitorToken: token }, CLOSED_BY_VISITOR)
  if ('refused' in closed) throw await refusal(env, closed.refused, token)
  return ok({ rid, comment: CLOSED_BY_VISITOR })
}

const invalidAgent = () => ApiError.coded('invalid-agent', '')

/** GET livechat/agent.info/:rid/:token — the agent serving the room. */
export async function getAgentInfo(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const { rid, token } = request.params
  checkIds(token, rid)
  const viewed = await chatRoom(env, rid).view({ visitorToken: token })
  if ('refused' in viewed) throw await refusal(env, viewed.refused, token)
  const agent = viewed.ok.servedBy && await agentInfo(env, viewed.ok.servedBy)
  if (!agent) throw invalidAgent()
  return ok({ agent })
}

/** What GET livechat/config?token= adds for a known visitor: the open room and its agent. The
 * caller counts the lookup against VISITOR_READ_RATE_LIMIT. */
export async function visitorChat(env: Env, token: string): Promise<{ room?: Room; agent?: AgentInfo }> {
  const visitor = isValidToken(token) ? await registry(env).find(token) : null
  const room = visitor && await omnichannel(env).openRoomOf(visitor._id)
  if (!room) return {}
  const agent = room.servedBy && await agentInfo(env, room.servedBy)
  return { room, ...(agent && { agent }) }
}

const OfflineBody = v.object({
  name: text(LIMITS.name),
  email: emailText,
  message: messageText,
  department: v.optional(v.string()),
  host: v.optional(v.string()),
  // Ours, not Rocket.Chat's: the offline form stores a contact too, so it asks for the same consent.
  consent: maybe(v.boolean()),
})

/** Rocket.Chat's answer to an offline message. */
const OFFLINE_SENT = 'Livechat offline message sent'

/** POST livechat/offline.message — a new contact and a closed room holding the message, for agents
 * to find. Always a new contact, whatever MATCH_VISITORS_BY_CONTACT: an unauthenticated form must
 * not rename a visitor found by email or attach a room to them. Stored whether or not an agent is
 * online: one may have become available since the widget showed its offline form. */
export async function postOfflineMessage(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.OFFLINE_MESSAGE_RATE_LIMIT)
  const body = parseOrThrow(OfflineBody, await readJsonBody(request))
  checkMessageLength(body.message)
  if (!isValidEmail(body.email)) throw ApiError.coded('error-invalid-email', `Invalid email ${body.email}`)
  const consent = checkConsent(env, body.consent)
  await verifyTurnstile(request, env)
  const department = setting(env, 'LIVECHAT_DEPARTMENTS').find((d) => d._id === body.department)?._id
  const input = { token: randomId(24), name: body.name, email: body.email, livechatData: {}, ...(consent && { consent }) }
  const saved = await registry(env).saveContact(input, 'false')
  const visitor = 'id' in saved ? await registry(env).info(saved.id) : null
  if (!visitor) throw ApiError.coded('error-contact-erased', 'This contact was erased')
  const room = await omnichannel(env).recordOffline({ ...roomVisitor(visitor), ...(department && { department }) }, body.message, new URL(request.url).origin)
  if (!room) throw ApiError.coded('error-contact-erased', 'This contact was erased')
  return ok({ message: OFFLINE_SENT })
}

/** POST livechat/visitor.status: Rocket.Chat's widget sends it all the time, with any token or
 * none; nothing here needs it. */
export const acknowledge = (): Response => ok({})
