// Instrumented bindings for the counting phase of `npm run bench` (run in miniflare, never deployed).
// The Worker under test gets CONTACTS, its queue and its Durable Object namespaces as service
// bindings to the entrypoints below, which forward every call to the real KV namespace, queue and
// objects and count it. The Worker and its Durable Objects share one env, so both are counted.
// GET / on this worker answers the counts so far and resets them.
import { RpcTarget, WorkerEntrypoint } from 'cloudflare:workers'

const fresh = () => ({ kv: { get: 0, getWithMetadata: 0, put: 0, delete: 0, list: 0 }, queue: 0, rpc: {} })
let counts = fresh()

/** KVNamespace's methods, each counted then forwarded to the real namespace. */
export class CountingKv extends WorkerEntrypoint {
  get(...args) { counts.kv.get++; return this.env.REAL_KV.get(...args) }
  getWithMetadata(...args) { counts.kv.getWithMetadata++; return this.env.REAL_KV.getWithMetadata(...args) }
  put(...args) { counts.kv.put++; return this.env.REAL_KV.put(...args) }
  delete(...args) { counts.kv.delete++; return this.env.REAL_KV.delete(...args) }
  list(...args) { counts.kv.list++; return this.env.REAL_KV.list(...args) }
}

/** Queue's methods: counted by message, then forwarded. */
export class CountingQueue extends WorkerEntrypoint {
  send(...args) { counts.queue++; return this.env.REAL_QUEUE.send(...args) }
  sendBatch(messages, ...rest) { counts.queue += messages.length; return this.env.REAL_QUEUE.sendBatch(messages, ...rest) }
}

/** A Durable Object stub whose methods are counted by name; the methods are the public methods of
 * the Worker's Durable Object classes (METHODS, read from their source by bench/servers.ts). */
const STUB = Symbol('stub')
class CountingStub extends RpcTarget {
  constructor(stub) { super(); this[STUB] = stub }
}
let installed = false
function install(methods) {
  if (installed) return
  installed = true
  for (const name of methods)
    CountingStub.prototype[name] = function (...args) { counts.rpc[name] = (counts.rpc[name] ?? 0) + 1; return this[STUB][name](...args) }
}

/** DurableObjectNamespace as the Worker uses it: getByName(name) then a method call (pipelined).
 * One entrypoint per wrapped namespace (REAL_DO_1 ... REAL_DO_3). */
class CountingObjects extends WorkerEntrypoint {
  getByName(name) {
    install(JSON.parse(this.env.METHODS))
    return new CountingStub(this.env[this.slot].getByName(name))
  }
}
export class CountingObjects1 extends CountingObjects { slot = 'REAL_DO_1' }
export class CountingObjects2 extends CountingObjects { slot = 'REAL_DO_2' }
export class CountingObjects3 extends CountingObjects { slot = 'REAL_DO_3' }

export default {
  fetch() {
    const body = JSON.stringify(counts)
    counts = fresh()
    return new Response(body, { headers: { 'content-type': 'application/json' } })
  },
}
