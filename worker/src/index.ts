// The Worker's entry point: the router, and the Durable Object classes wrangler.toml binds.
import { router } from './router.ts'

export { VisitorRegistry } from './visitors/visitor-registry.ts'
export { LoginThrottle } from './agents/login-throttle.ts'
export { ChatRoom } from './chat/chat-room.ts'
export { Omnichannel } from './chat/omnichannel.ts'
export { DdpGateway } from './ddp/gateway.ts'

export default { fetch: router.fetch } satisfies ExportedHandler<Env>
