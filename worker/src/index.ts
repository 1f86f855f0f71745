// The Worker's entry point: the router, the notifications' queue consumers, and the Durable
// Object classes wrangler.toml binds.
import { router } from './router.ts'
import { consume } from './notifications/consumer.ts'
import type { QueuedEvent } from './notifications/events.ts'

export { VisitorRegistry } from './visitors/visitor-registry.ts'
export { LoginThrottle } from './agents/login-throttle.ts'
export { ChatRoom } from './chat/chat-room.ts'
export { Omnichannel } from './chat/omnichannel.ts'
export { DdpGateway } from './ddp/gateway.ts'

export default { fetch: router.fetch, queue: consume } satisfies ExportedHandler<Env, QueuedEvent>
