// Which gateway object holds a client's sockets. All sockets of one client network go to one shard,
// so that shard counts them exactly (the per-network socket limit) without asking anyone else.

/** Gateway objects. Each holds every socket of the networks hashed to it; more shards spread load,
 * fewer mean fewer publishes per room event (a room publishes to each shard with a subscriber). */
export const GATEWAY_SHARDS = 16

/** FNV-1a (32 bits): stable across isolates and deploys, so a network keeps its shard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/** The name of the gateway object (`env.DDP_GATEWAY.getByName`) for a client network. */
export const shardFor = (network: string): string => `shard-${fnv1a(network) % GATEWAY_SHARDS}`
