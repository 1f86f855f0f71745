// Webhook payloads as Rocket.Chat's sendToCRM and offline-message hook post them, built at
// delivery from the objects that hold the data: the registry for contacts, the room's object for
// rooms and messages. Null when the contact or the room is gone (erased): nothing is sent.
import type { Message, Room } from '../../../shared/chat.ts'
import { chatRoom } from '../chat/stubs.ts'
import { ContactStore } from '../contact-store.ts'
import { agentsView } from '../contacts/agents-view.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { registry } from '../visitors/visitor-registry.ts'
import type { QueuedEvent } from './events.ts'

export type Payload = { type: QueuedEvent['type']; eventId: string; sentAt: string } & Record<string, unknown>

/** The event's payload, or null when what it is about was erased. */
export async function buildPayload(env: Env, event: QueuedEvent): Promise<Payload | null> {
  const head = { type: event.type, eventId: event.eventId, sentAt: new Date().toISOString() }
  const contact = event.visitorId === undefined ? null : await registry(env).info(event.visitorId)
  if (!contact) return null
  if (event.type === 'LivechatNewContact') return { ...head, visitor: agentsView(env)(contact) }
  const transcript = event.rid === undefined ? null : await chatRoom(env, event.rid).transcript(event.messageId)
  if (!transcript) return null
  const { room, messages } = transcript
  if (event.type === 'LivechatOfflineMessage') {
    return {
      ...head,
      visitor: { name: contact.name, email: contact.visitorEmails?.[0]?.address },
      message: messages[0]?.msg ?? '',
      ...(room.departmentId && { department: room.departmentId }),
    }
  }
  const shown = messages.filter(sent)
  return { ...head, ...(await roomInfo(env, room, contact, shown)), messages: shown.map(crmMessage(contact)), ...roomFields(event.type, room) }
}

/** Rocket.Chat's getLivechatRoomGuestInfo: the room, its visitor and its agent. */
async function roomInfo(env: Env, room: Room, contact: Visitor, messages: Message[]) {
  const visitor = agentsView(env)(contact)!
  const agent = room.servedBy && (await new ContactStore(env.CONTACTS).getAgent(room.servedBy._id))
  return {
    _id: room._id,
    label: room.fname,
    createdAt: room.ts,
    lastMessageAt: messages.findLast((m) => !m.t)?.ts,
    visitor: {
      _id: contact._id,
      ...('token' in visitor && { token: visitor.token }),
      name: contact.name,
      username: contact.username,
      department: contact.department,
      customFields: contact.livechatData,
      ...(contact.visitorEmails?.length && { email: contact.visitorEmails }),
      ...(contact.phone?.length && { phone: contact.phone }),
    },
    ...(room.servedBy && { agent: { _id: room.servedBy._id, username: room.servedBy.username, ...(agent?.name && { name: agent.name }) } }),
  }
}

/** The fields each type adds (Rocket.Chat's getAdditionalFieldsByType). */
function roomFields(type: QueuedEvent['type'], room: Room): Record<string, unknown> {
  const { departmentId, servedBy, closedAt, closedBy } = room
  switch (type) {
    case 'LivechatSessionStart':
    case 'LivechatSessionQueued':
      return { departmentId }
    case 'LivechatSessionTaken':
      return { departmentId, servedBy }
    case 'LivechatSession':
      return { departmentId, servedBy, closedAt, closedBy: closedBy && { _id: closedBy._id, username: closedBy.username }, closer: closedBy?.type }
    default:
      return {}
  }
}

/** People's messages and the closing one; not other system messages (Rocket.Chat's default). */
const sent = (m: Message) => !m.t || m.t === 'livechat-close'

const crmMessage = (contact: Visitor) => (m: Message) => ({
  _id: m._id,
  username: m.u.username,
  msg: m.msg,
  ts: m.ts,
  rid: m.rid,
  u: m.u,
  ...(m.u._id !== contact._id && { agentId: m.u._id }),
  ...(m.t === 'livechat-close' && { closingMessage: true }),
  _updatedAt: m._updatedAt,
})
