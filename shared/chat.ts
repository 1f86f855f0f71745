// Live chat's wire shapes, shared by the Worker, the widget and the console: Rocket.Chat's room,
// message and inquiry as its livechat REST endpoints and DDP streams carry them. Free of Workers
// and DOM types.

/** Who wrote a message or closed a room. */
export interface ChatUser {
  _id: string
  username: string
  name?: string
}

/** The visitor as agents see it: never its token, which would let any agent read and write as the
 * visitor (a deliberate difference from Rocket.Chat, whose rooms and inquiries carry `v.token`). */
export interface VisitorRef {
  _id: string
  username: string
}

/** A livechat room (Rocket.Chat's `IOmnichannelRoom`, the fields its livechat clients read), as the
 * visitor's own endpoints answer it. */
export interface Room {
  _id: string
  t: 'l'
  /** The visitor's name, else its username. */
  fname: string
  v: VisitorRef & { token: string }
  open: boolean
  /** ISO 8601. */
  ts: string
  departmentId?: string
  servedBy?: { _id: string; username: string }
  /** Messages in the room, system messages included. */
  msgs: number
  /** ISO 8601, set when the room closes. */
  closedAt?: string
  closedBy?: ChatUser & { type: 'visitor' | 'user' }
  _updatedAt: string
}

/** A room as agents receive it (livechat/rooms): the visitor without its token. */
export type AgentRoom = Omit<Room, 'v'> & { v: VisitorRef }

/** A message as the REST endpoints answer it (`ts` ISO 8601). Over DDP `ts` and `_updatedAt` are
 * `{"$date": ms}` instead. */
export interface Message {
  _id: string
  rid: string
  msg: string
  ts: string
  u: ChatUser
  /** The visitor's token, on the visitor's messages, in the visitor's own answers only (POST
   * livechat/message, messages.history): never in what agents or the streams receive. */
  token?: string
  /** A system message: `livechat-close` when the room closed, `uj` when an agent joined,
   * `livechat_navigation_history` when the visitor opened a page (see `navigation`). */
  t?: 'livechat-close' | 'uj' | 'livechat-started' | 'livechat_navigation_history'
  /** The page of a `livechat_navigation_history` message (Rocket.Chat's, without the visitor's token). */
  navigation?: { page: PageInfo }
  _updatedAt: string
}

/** A page the visitor opened, as Rocket.Chat's widget reports it (POST livechat/page.visited). */
export interface PageInfo {
  change: string
  title: string
  location: { href: string }
}

/** An entry of the agents' queue (Rocket.Chat's `ILivechatInquiryRecord`). */
export interface Inquiry {
  _id: string
  rid: string
  name: string
  message: string
  status: 'queued' | 'taken'
  ts: string
  v: VisitorRef
  department?: string
  _updatedAt: string
}

/** What `agent.info` and the `agentData` event show of an agent. */
export interface AgentInfo {
  _id: string
  username: string
  name?: string
  status: 'available' | 'not-available'
}

export type AgentStatus = AgentInfo['status']

/** Longest message, in characters (Rocket.Chat's default Message_MaxAllowedSize). */
export const MAX_MESSAGE_LENGTH = 5000
