// What happens that someone outside may want to hear of, where each event goes, and what a queue
// message carries: ids only, never personal data. The payload is built at delivery from the
// objects that hold the data (payloads.ts), so an erased contact's events send nothing and no
// copy of its data waits in a queue.
import { setting } from '../config.ts'
import type { EventType } from './event-types.ts'

export type { EventType }

/** The site owner's receiver, the owner's mailbox, the agents' open consoles. */
export type Destination = 'webhook' | 'email' | 'console'

/** What an event is about. */
export interface EventRefs {
  visitorId?: string
  rid?: string
  messageId?: string
  /** The Worker's public origin, for links to the console. */
  origin?: string
}

/** One queue message: one event for one destination, so each is retried on its own. `eventId` is
 * the same for every destination and every retry. */
export interface QueuedEvent extends EventRefs {
  eventId: string
  type: EventType
  /** When it happened (ISO 8601). */
  at: string
  to: Destination
}

/** The types the owner is emailed about. */
const EMAILED = new Set<EventType>(['LivechatNewContact', 'LivechatOfflineMessage'])

const DESTINATIONS: Destination[] = ['webhook', 'email', 'console']

/** Whether `to` takes events of this type with these settings; throws on a broken setting. */
export function wants(env: Env, type: EventType, to: Destination): boolean {
  switch (to) {
    case 'webhook':
      return setting(env, 'LIVECHAT_WEBHOOK_URL') !== '' && setting(env, 'LIVECHAT_WEBHOOK_EVENTS').includes(type)
    case 'email':
      return EMAILED.has(type) && setting(env, 'LIVECHAT_EMAIL_TO') !== ''
    case 'console':
      return type === 'LivechatNewContact'
  }
}

/** Where an event of this type goes, when it happens. A broken setting (logged by `setting`)
 * counts as wanted: the event waits in the queue, retried, until the setting is fixed. */
export function destinations(env: Env, type: EventType): Destination[] {
  return DESTINATIONS.filter((to) => {
    try {
      return wants(env, type, to)
    } catch {
      return true
    }
  })
}
