// A room's record as it starts, and what the Omnichannel index keeps of it: built here only, so
// the room and the index never disagree on a new room.
import type { AgentRoom, Inquiry, Room, VisitorRef } from '../../../shared/chat.ts'

/** The visitor as a room needs it (from the registry's record). */
export interface RoomVisitor {
  _id: string
  token: string
  username: string
  name?: string
  department?: string
}

/** What a new room is made from: the Omnichannel index decides `rid` and `ts`. */
export interface Seed {
  rid: string
  visitor: RoomVisitor
  /** ms. */
  ts: number
  /** An offline message: the room starts closed, holding it. */
  offline?: string
}

/** The room's state the index keeps, newest `version` wins. */
export interface Summary {
  room: Room
  version: number
  /** The visitor's first message (the inquiry's `message`), '' before it. */
  message: string
}

export function newRoom({ rid, visitor, ts }: Seed): Room {
  const iso = new Date(ts).toISOString()
  return {
    _id: rid,
    t: 'l',
    fname: visitor.name || visitor.username,
    v: { _id: visitor._id, token: visitor.token, username: visitor.username },
    open: true,
    ts: iso,
    ...(visitor.department && { departmentId: visitor.department }),
    msgs: 0,
    _updatedAt: iso,
  }
}

/** The visitor without its token: what agents get (the token would let them act as the visitor). */
const visitorRef = ({ _id, username }: Room['v']): VisitorRef => ({ _id, username })

/** The room as agents receive it. */
export const agentRoom = (room: Room): AgentRoom => ({ ...room, v: visitorRef(room.v) })

/** The room is in the queue while open and served by nobody. */
export const isQueued = (room: Room): boolean => room.open && !room.servedBy

/** The room's inquiry (its id is the room's), as Rocket.Chat's queue shows it, for agents only. */
export function inquiryOf({ room, message }: Omit<Summary, 'version'>): Inquiry {
  return {
    _id: room._id,
    rid: room._id,
    name: room.fname,
    message,
    status: room.servedBy ? 'taken' : 'queued',
    ts: room.ts,
    v: visitorRef(room.v),
    ...(room.departmentId && { department: room.departmentId }),
    _updatedAt: room._updatedAt,
  }
}
