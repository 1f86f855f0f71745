// Which of Rocket.Chat's session webhooks a room's change is: the Omnichannel index sees every
// summary of every room, each version once, so each transition is reported once.
import type { Room } from '../../../shared/chat.ts'
import type { EventType } from './event-types.ts'

/**
 * The events between two states of a room. `isNew`: `before` is the index's row written before
 * the room existed. A room that was closed before (an offline message's room starts closed) has
 * no session events: it never was a session.
 */
export function roomEvents(before: Room, after: Room, isNew: boolean): EventType[] {
  if (!before.open) return []
  const events: EventType[] = isNew ? ['LivechatSessionStart', 'LivechatSessionQueued'] : []
  if (!before.servedBy && after.servedBy) events.push('LivechatSessionTaken')
  if (!after.open) events.push('LivechatSession')
  return events
}
