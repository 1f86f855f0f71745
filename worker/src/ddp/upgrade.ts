// GET /websocket: Rocket.Chat's real-time endpoint. The Worker checks the upgrade and the browser's
// origin, then hands the request to the gateway shard of the client's network.
import type { IRequest } from 'itty-router'
import { setting } from '../config.ts'
import { enforceOrigin } from '../http/cors.ts'
import { clientNetwork } from '../http/client-network.ts'
import { rateLimitsOn } from '../http/rate-limit.ts'
import { ApiError } from '../http/responses.ts'
import { LIMITS_HEADER, NETWORK_HEADER } from './gateway.ts'
import { shardFor } from './shards.ts'

/** Both the widget's pages and the agents' console open sockets: either list admits an origin. */
function socketOrigins(env: Env): '*' | string[] {
  const widget = setting(env, 'ALLOWED_ORIGINS')
  const agents = setting(env, 'AGENT_ALLOWED_ORIGINS')
  return widget === '*' || agents === '*' ? '*' : [...widget, ...agents]
}

export async function upgradeWebSocket(request: IRequest, env: Env): Promise<Response> {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
    throw ApiError.coded('error-upgrade-required', 'This endpoint takes WebSocket connections only', 426)
  // A page on another site must not open sockets in its visitors' browsers (no Origin: not a browser).
  enforceOrigin({ setting: 'ALLOWED_ORIGINS or AGENT_ALLOWED_ORIGINS', origins: socketOrigins(env), methods: 'GET', headers: '' }, request, new URL(request.url))
  const network = clientNetwork(request)
  const forwarded = new Request(request.url, { headers: request.headers })
  // Overwrites whatever the client sent under these names: only the Worker sets them.
  forwarded.headers.set(NETWORK_HEADER, network)
  forwarded.headers.set(LIMITS_HEADER, rateLimitsOn(env) ? 'on' : 'off')
  const response = await env.DDP_GATEWAY.getByName(shardFor(network)).fetch(forwarded)
  // A refusal (429) comes back with immutable headers: copied, so the router may add its own.
  return response.webSocket ? response : new Response(response.body, response)
}
