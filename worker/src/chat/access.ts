// Who may read a room's streams and act on it: Rocket.Chat's rules for livechat rooms, in one place
// for the REST endpoints and the DDP gateway alike.
import type { Room } from '../../../shared/chat.ts'
import { ROOM_SUPERVISOR_ROLES } from '../../../shared/roles.ts'

/** A signed-in agent as the room sees it. */
export interface AgentWho {
  userId: string
  username: string
  roles: string[]
  /** Shown on the agent's messages when given. */
  name?: string
}

/** Who is asking: a visitor by its token, or a signed-in agent. */
export type Who = { visitorToken: string } | { agent: AgentWho }

/** The room's visitor (token equal), the agent serving it, or a manager or admin. */
export function mayAccess(room: Room, who: Who): boolean {
  if ('visitorToken' in who) return who.visitorToken === room.v.token
  return room.servedBy?._id === who.agent.userId || who.agent.roles.some((r) => ROOM_SUPERVISOR_ROLES.includes(r))
}

/** The typing stream's name for a room. */
export const activityStream = (rid: string) => `${rid}/user-activity`

/** Whether (collection, eventName) is one of this room's streams. */
export function isRoomStream(rid: string, collection: string, eventName: string): boolean {
  if (collection === 'stream-room-messages' || collection === 'stream-livechat-room') return eventName === rid
  return collection === 'stream-notify-room' && (eventName === activityStream(rid) || eventName === `${rid}/deleteMessage`)
}
