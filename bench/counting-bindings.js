// Instrumented bindings for the counting phase of `npm run bench` (run in miniflare, never deployed).
// The Worker under test gets CONTACTS and its registry binding as service bindings to the
// entrypoints below, which forward every call to the real KV namespace and Durable Object and
// count it. The Worker and its Durable Object share one env, so both are counted.
// GET / on this worker answers the counts so far and resets them.
import { RpcTarget, WorkerEntrypoint } from 'cloudflare:workers'

const fresh = () => ({ kv: { get: 0, getWithMetadata: 0, put: 0, delete: 0, list: 0 }, rpc: {} })
let counts = fresh()

/** KVNamespace's methods, each counted then forwarded to the real namespace. */
export class CountingKv extends WorkerEntrypoint {
  get(...args) { counts.kv.get++; return this.env.REAL_KV.get(...args) }
  getWithMetadata(...args) { counts.kv.getWithMetadata++; return this.env.REAL_KV.getWithMetadata(...args) }
  put(...args) { counts.kv.put++; return this.env.REAL_KV.put(...args) }
  delete(...args) { counts.kv.delete++; return this.env.REAL_KV.delete(...args) }
  list(...args) { counts.kv.list++; return this.env.REAL_KV.list(...args) }
}

/** A Durable Object stub whose methods are counted by name: only the methods the Worker calls. */
class CountingStub extends RpcTarget {
  #stub
  constructor(stub) { super(); this.#stub = stub }
  #call(name, args) { counts.rpc[name] = (counts.rpc[name] ?? 0) + 1; return this.#stub[name](...args) }
  register(...args) { return this.#call('register', args) }
  find(...args) { return this.#call('find', args) }
  erase(...args) { return this.#call('erase', args) }
}

/** DurableObjectNamespace as the Worker uses it: getByName(name) then a method call (pipelined). */
export class CountingRegistry extends WorkerEntrypoint {
  getByName(name) { return new CountingStub(this.env.REAL_DO.getByName(name)) }
}

export default {
  fetch() {
    const body = JSON.stringify(counts)
    counts = fresh()
    return new Response(body, { headers: { 'content-type': 'application/json' } })
  },
}
