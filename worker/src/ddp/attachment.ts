// What a socket carries through hibernation (serializeAttachment, at most 16 KiB): everything the
// gateway needs to answer its frames and deliver its events once the object wakes with no memory.
import { STREAMS, type Stream } from './streams.ts'

/** An agent signed in on the socket with `login` (re-checked against KV on each sub and method). */
export interface SignedInAgent {
  userId: string
  username: string
  roles: string[]
  /** The credential generation the session was made under. */
  epoch: string
  /** SHA-256 (hex) of the resume token: to re-read its session; the token itself is never kept. */
  tokenHash: string
}

/** One subscription, in short keys: a socket's 100 must fit the attachment. */
export interface Subscription {
  /** The client's id. */
  id: string
  /** Index in STREAMS. */
  s: number
  /** The event name (a room id, `<rid>/user-activity`, `public`...). */
  e: string
  /** Made as the signed-in agent (ends when its session does), not with a visitor token. */
  a?: 1
}

export interface Attachment {
  session: string
  network: string
  /** False when RATE_LIMITS was off as the socket opened. */
  limits: boolean
  /** The client sent `connect` (Meteor refuses anything else before it). */
  connected: boolean
  agent?: SignedInAgent
  subs: Subscription[]
}

export const read = (ws: WebSocket): Attachment => ws.deserializeAttachment() as Attachment

/** Stores the attachment; throws when it is over the size cap. */
export const write = (ws: WebSocket, attachment: Attachment): void => ws.serializeAttachment(attachment)

export const streamOf = (sub: Subscription): Stream => STREAMS[sub.s]
