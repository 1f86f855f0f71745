// The streams a client may subscribe to, and what each event name designates: a room's stream
// (its ChatRoom authorises) or an agents' stream held by the Omnichannel object, the queue or new
// contacts (signed-in agents with view-l-room).
import { SAFE_KEY_PART } from '../keys.ts'

export const ROOM_MESSAGES = 'stream-room-messages'
export const NOTIFY_ROOM = 'stream-notify-room'
export const LIVECHAT_ROOM = 'stream-livechat-room'
export const QUEUE = 'stream-livechat-inquiry-queue-observer'
export const CONTACTS = 'stream-livechat-contacts'

/** Every stream, in a fixed order (new ones last): a subscription stores its stream's index (attachment space). */
export const STREAMS = [ROOM_MESSAGES, NOTIFY_ROOM, LIVECHAT_ROOM, QUEUE, CONTACTS] as const
export type Stream = (typeof STREAMS)[number]

/** Longest event name kept: a room id and a suffix, or `department/<id>`. */
export const MAX_EVENT_NAME_LENGTH = 64

export type Target = { room: string } | { agents: true }

const roomId = (text: string): string | null => (SAFE_KEY_PART.test(text) ? text : null)

/** `<rid>/user-activity` → rid: the only room event a client may write (typing). */
export function typingRoom(eventName: string): string | null {
  const match = /^(.+)\/user-activity$/.exec(eventName)
  return match ? roomId(match[1]) : null
}

/** What a subscription to `eventName` of `stream` reads, or null when no such event exists. */
export function targetOf(stream: Stream, eventName: string): Target | null {
  if (eventName.length > MAX_EVENT_NAME_LENGTH) return null
  switch (stream) {
    case ROOM_MESSAGES:
    case LIVECHAT_ROOM: {
      const room = roomId(eventName)
      return room ? { room } : null
    }
    case NOTIFY_ROOM: {
      const match = /^(.+)\/(user-activity|deleteMessage)$/.exec(eventName)
      const room = match && roomId(match[1])
      return room ? { room } : null
    }
    case QUEUE:
      return eventName === 'public' || /^department\/.+$/.test(eventName) ? { agents: true } : null
    case CONTACTS:
      return eventName === 'new' ? { agents: true } : null
  }
}
