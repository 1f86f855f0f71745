// Sends one event to the gateway shards subscribed to its stream. A shard that reached no socket
// has none left on the stream (they closed or unsubscribed): the caller drops it (lazy pruning).
// A shard that failed keeps its place: the failure may be passing, and the next event tries again.

/** The sender's socket, which must not get its own event back (typing). */
export interface Except {
  gateway: string
  session: string
}

/** Publishes to every gateway at once; answers the gateways that reached no socket. */
export async function fanout(env: Env, gateways: string[], collection: string, eventName: string, args: unknown[], except?: Except): Promise<string[]> {
  const reached = await Promise.all(gateways.map(async (gateway) => {
    try {
      return await env.DDP_GATEWAY.getByName(gateway).publish(collection, eventName, args, except?.gateway === gateway ? { session: except.session } : undefined)
    } catch (error) {
      console.warn('publish failed', gateway, collection, String(error))
      return -1
    }
  }))
  return gateways.filter((_, i) => reached[i] === 0)
}
