// Sends one event to the gateway shards subscribed to its stream. A shard that reached no socket
// has none left on the stream (they closed or unsubscribed): the caller drops it (lazy pruning).
// A shard that failed (restarting, overloaded) is tried again a few times before the caller's next
// event goes out, so its sockets still get every event in order; a shard that keeps failing keeps
// its place, and the next event tries again. A failure may hide a delivery that happened: the retry
// then sends the event twice, and clients drop an _id they already have.

/** The sender's socket, which must not get its own event back (typing). */
export interface Except {
  gateway: string
  session: string
}

/** Waits before each retry of a failed shard: about 1.4 s in all, then the event is given up. */
const RETRY_DELAYS_MS = [100, 300, 1000]

/** Publishes to every gateway at once; answers the gateways that reached no socket. */
export async function fanout(env: Env, gateways: string[], collection: string, eventName: string, args: unknown[], except?: Except): Promise<string[]> {
  const reached = await Promise.all(gateways.map((gateway) =>
    publishTo(env, gateway, collection, eventName, args, except?.gateway === gateway ? { session: except.session } : undefined)))
  return gateways.filter((_, i) => reached[i] === 0)
}

/** The sockets the gateway reached, or -1 once every attempt failed. */
async function publishTo(env: Env, gateway: string, collection: string, eventName: string, args: unknown[], except?: { session: string }): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await env.DDP_GATEWAY.getByName(gateway).publish(collection, eventName, args, except)
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt]
      console.warn('publish failed', gateway, collection, delay === undefined ? 'giving up' : 'retrying', String(error))
      if (delay === undefined) return -1
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
