// The agents' chat endpoints (X-User-Id / X-Auth-Token), with Rocket.Chat's permissions. Rocket.Chat's
// order everywhere: authentication, then permission, then parameters. Rooms decide themselves
// whether the caller may act on them (serving agent, manager or admin: access.ts).
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import { MAX_MESSAGE_LENGTH } from '../../../shared/chat.ts'
import { authenticate, requirePermission } from '../agents/auth.ts'
import { ContactStore } from '../contact-store.ts'
import { readJsonBody } from '../http/body.ts'
import { ApiError, forbidden, ok } from '../http/responses.ts'
import { parseOrThrow, text } from '../http/validation.ts'
import type { AgentRecord } from '../keys.ts'
import { PERMISSIONS, type Permission } from '../../../shared/roles.ts'
import type { AgentWho } from './access.ts'
import type { RoomRefusal } from './chat-room.ts'
import { checkMessageLength, isRoomId, messageId, messageText, queryDate } from './chat-input.ts'
import { paging, wholeNumber as whole } from '../http/paging.ts'
import { commonRefusal, notAllowed } from './refusals.ts'
import { chatRoom, omnichannel } from './stubs.ts'

async function allow(request: Request, env: Env, permission: Permission): Promise<AgentRecord> {
  const agent = await authenticate(request, new ContactStore(env.CONTACTS))
  requirePermission(agent, permission)
  return agent
}

const who = ({ userId, username, roles, name }: AgentRecord): { agent: AgentWho } =>
  ({ agent: { userId, username, roles, ...(name && { name }) } })

/** Another agent's id where only the caller's own is supported. */
function checkSelf(agent: AgentRecord, userId: string | undefined): void {
  if (userId !== undefined && userId !== agent.userId) throw forbidden()
}

/** A room's refusal as the agents' error: a room they may not see reads as not allowed, whether it
 * exists or not. */
const refusal = (refused: RoomRefusal): ApiError => commonRefusal(refused) ?? notAllowed()

const StatusBody = v.object({ status: v.optional(v.picklist(['available', 'not-available'])), agentId: v.optional(v.string()) })

/** POST livechat/agent.status {status?} — no status toggles. */
export async function setAgentStatus(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const body = parseOrThrow(StatusBody, await readJsonBody(request))
  checkSelf(agent, body.agentId)
  return ok({ status: await omnichannel(env).setAgentStatus(agent.userId, body.status) })
}

const QueueQuery = v.object({ department: v.optional(v.string()), offset: v.optional(whole), count: v.optional(whole) })

/** GET livechat/inquiries.queuedForUser?department=&offset=&count= — oldest first. */
export async function queuedForUser(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'view-l-room')
  const query = parseOrThrow(QueueQuery, { ...request.query })
  const { offset, count } = paging(query)
  const { inquiries, total } = await omnichannel(env).queuedInquiries(query.department || undefined, offset, count)
  return ok({ inquiries, count: inquiries.length, offset, total })
}

const GetOneQuery = v.object({ roomId: v.string() })

/** GET livechat/inquiries.getOne?roomId= — the open room's inquiry, or null. */
export async function getInquiry(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'view-l-room')
  const { roomId } = parseOrThrow(GetOneQuery, { ...request.query })
  return ok({ inquiry: isRoomId(roomId) ? await omnichannel(env).inquiry(roomId) : null })
}

const TakeBody = v.object({ inquiryId: v.string(), userId: v.optional(v.string()), options: v.optional(v.unknown()) })

/** Rocket.Chat's answer to taking an inquiry that is gone or another agent's. */
const alreadyTaken = () => ApiError.coded('error-not-allowed', 'Inquiry already taken')

/** POST livechat/inquiries.take {inquiryId} — the room is then served by the caller; of many
 * concurrent takers exactly one wins (the room decides). */
export async function takeInquiry(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const body = parseOrThrow(TakeBody, await readJsonBody(request))
  checkSelf(agent, body.userId)
  if (!isRoomId(body.inquiryId)) throw alreadyTaken()
  const status = await omnichannel(env).agentStatus(agent.userId)
  const taken = await chatRoom(env, body.inquiryId).take(who(agent).agent, status)
  if ('refused' in taken) throw alreadyTaken()
  return ok({ inquiry: taken.ok })
}

const bool = v.pipe(v.picklist(['true', 'false']), v.transform((s) => s === 'true'))
const RoomsQuery = v.object({
  open: v.optional(bool),
  // Each agent is one SQL parameter: a page of a few dozen is plenty.
  'agents[]': v.optional(v.union([v.string(), v.pipe(v.array(v.string()), v.maxLength(50, 'must name at most 50 agents'))])),
  offset: v.optional(whole),
  count: v.optional(whole),
})

/** GET livechat/rooms?open=&agents[]=&offset=&count= — newest first. Without view-livechat-rooms
 * an agent sees only the rooms it serves. */
export async function listRooms(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const query = parseOrThrow(RoomsQuery, { ...request.query })
  const { offset, count } = paging(query)
  const asked = query['agents[]'] === undefined ? undefined : [query['agents[]']].flat()
  const seesAll = agent.roles.some((r) => (PERMISSIONS['view-livechat-rooms'] as readonly string[]).includes(r))
  const agents = seesAll ? asked : [agent.userId]
  const { rooms, total } = await omnichannel(env).rooms({ open: query.open, agents }, offset, count)
  return ok({ rooms, count: rooms.length, offset, total })
}

// Rocket.Chat's message carries more (alias, attachments…): accepted and unused.
const SendBody = v.object({ message: v.object({ rid: v.string(), msg: messageText, _id: v.optional(messageId) }) })

/** POST chat.sendMessage {message: {rid, msg, _id?}} — the serving agent, a manager or an admin;
 * idempotent by `_id`. */
export async function sendMessage(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const { message } = parseOrThrow(SendBody, await readJsonBody(request))
  checkMessageLength(message.msg)
  if (!isRoomId(message.rid)) throw notAllowed()
  const posted = await chatRoom(env, message.rid).post(who(agent), { msg: message.msg, ...(message._id !== undefined && { _id: message._id }) })
  if ('refused' in posted) throw refusal(posted.refused)
  return ok({ message: posted.ok })
}

const SyncQuery = v.object({ roomId: v.optional(v.string()), lastUpdate: v.optional(v.string()) })

/** GET chat.syncMessages?roomId=&lastUpdate= — messages changed since; nothing is ever deleted. */
export async function syncMessages(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const query = parseOrThrow(SyncQuery, { ...request.query })
  if (!query.roomId) throw ApiError.coded('error-roomId-param-not-provided', 'The required "roomId" query param is missing.')
  if (!query.lastUpdate) throw ApiError.coded('error-lastUpdate-param-not-provided', 'The required "lastUpdate" query param is missing.')
  const lastUpdate = v.safeParse(queryDate, query.lastUpdate)
  if (!lastUpdate.success) throw ApiError.coded('error-lastUpdate-param-invalid', 'The "lastUpdate" query parameter must be a valid date.')
  if (!isRoomId(query.roomId)) throw notAllowed()
  const synced = await chatRoom(env, query.roomId).sync(who(agent), lastUpdate.output)
  if ('refused' in synced) throw refusal(synced.refused)
  return ok({ result: { updated: synced.ok, deleted: [] } })
}

const CloseBody = v.object({ rid: v.string(), comment: v.optional(text(MAX_MESSAGE_LENGTH)) })

/** POST livechat/room.closeByUser {rid, comment?}. */
export async function closeByUser(request: IRequest, env: Env): Promise<Response> {
  const agent = await allow(request, env, 'view-l-room')
  const { rid, comment } = parseOrThrow(CloseBody, await readJsonBody(request))
  if (!isRoomId(rid)) throw notAllowed()
  const closed = await chatRoom(env, rid).close(who(agent), comment ?? '')
  if ('refused' in closed) throw refusal(closed.refused)
  return ok({})
}
