// Elimination variants (node bench/eliminate-chat.ts): our whole Worker with its ChatRoom class
// swapped for one with a single step of a message's work left out. What a variant gains over ours
// is what that step costs; measurements, not proposals (each step is there for a reason).
import { ChatRoom } from '../../worker/src/chat/chat-room.ts'

export { default, VisitorRegistry, LoginThrottle, Omnichannel, DdpGateway } from '../../worker/src/index.ts'
export { ChatRoom }

/** The room's private parts a variant replaces (TypeScript-private only). */
type Parts = {
  messages: { firstFrom(sender: string): string }
  subscribers: { publish(...args: unknown[]): Promise<void> }
  save(room: object): object
  room: object
  scheduleSummary(): void
}
const parts = (room: ChatRoom) => room as unknown as Parts

/** Without the "first words?" query (SELECT of the sender's first message) on each visitor message. */
export class NoFirstWordsRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    parts(this).messages.firstFrom = () => 'said before'
  }
}

/** Without rewriting the room's record (its message count and _updatedAt) on each message. */
export class NoRoomSaveRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    parts(this).save = (room) => (parts(this).room = room)
  }
}

/** Without publishing to the room's subscribers (a SELECT of the gateways, none here). */
export class NoPublishRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    parts(this).subscribers.publish = async () => {}
  }
}

/** Without the summary alarm for the rooms index. */
export class NoSummaryRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    parts(this).scheduleSummary = () => {}
  }
}
