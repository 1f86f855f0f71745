// Elimination variants (node bench/eliminate-chat.ts): our whole Worker with its ChatRoom class
// swapped for one with a single step of a message's work left out (or, for SenderIndexRoom, put
// back). What a variant gains over ours is what that step costs; measurements, not proposals (each
// step is there for a reason).
import { ChatRoom } from '../../worker/src/chat/chat-room.ts'

export { default, VisitorRegistry, LoginThrottle, Omnichannel, DdpGateway } from '../../worker/src/index.ts'
export { ChatRoom }

/** The room's private parts a variant replaces (TypeScript-private only). */
type Parts = {
  messages: { create(): void }
  subscribers: { publish(...args: unknown[]): Promise<void> }
  scheduleSummary(): void
}
const parts = (room: ChatRoom) => room as unknown as Parts

/** Runs `sql` on the messages table each time the room makes it. */
function afterCreate(room: ChatRoom, ctx: DurableObjectState, sql: string): void {
  const { messages } = parts(room)
  const create = messages.create.bind(messages)
  messages.create = () => {
    create()
    ctx.storage.sql.exec(sql)
  }
}

/** Without the `updated` index (what sync pages by): one b-tree less to write per message. */
export class NoUpdatedIndexRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    afterCreate(this, ctx, 'DROP INDEX IF EXISTS messages_updated')
  }
}

/** With the (sender, ts) index rooms had before its queries went (the first words are read once
 * per start, navigation history by a partial index). */
export class SenderIndexRoom extends ChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    afterCreate(this, ctx, 'CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender, ts)')
  }
}

/** Without publishing to the room's subscribers (none here: the gateways are known in memory). */
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
