// The event types, apart from events.ts so config.ts can validate LIVECHAT_WEBHOOK_EVENTS
// against them without an import cycle.

/** Rocket.Chat's Livechat webhook types, plus `LivechatNewContact` for a contact made by the
 * widget's registration form. */
export const EVENT_TYPES = [
  'LivechatNewContact',
  'LivechatOfflineMessage',
  'LivechatSessionStart',
  'LivechatSessionQueued',
  'LivechatSessionTaken',
  'LivechatSession',
  'Message',
] as const
export type EventType = (typeof EVENT_TYPES)[number]
