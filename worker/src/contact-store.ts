// All KV reads and writes of contacts and agents, on the key shapes of keys.ts.
import { SAFE_KEY_PART, keys, type AgentRecord } from './keys.ts'
import { ApiError } from './responses.ts'
import type { Visitor } from './visitor.ts'

/** Awaits KV writes; KV allows 1 write per second to a key and refuses faster ones with 429. */
async function settled(writes: Promise<unknown>[]): Promise<void> {
  try {
    await Promise.all(writes)
  } catch (error) {
    if (/\b429\b|too many requests/i.test(String(error)))
      throw ApiError.coded('error-too-many-writes', 'This contact was updated a moment ago; try again in a second', 503).retryAfter(1)
    throw error
  }
}

const phoneOf = (v?: Visitor | null) => v?.phone?.[0]?.phoneNumber
const emailOf = (v?: Visitor | null) => v?.visitorEmails?.[0]?.address

export class ContactStore {
  private readonly kv: KVNamespace

  constructor(kv: KVNamespace) {
    this.kv = kv
  }

  getVisitor(id: string): Promise<Visitor | null> {
    return this.kv.get<Visitor>(keys.visitor(id), 'json')
  }

  /** 2 reads: the token index, then the visitor it names (if it still has that token). */
  async findByToken(token: string): Promise<Visitor | null> {
    return this.follow(keys.token(token), (v) => v.token === token)
  }

  /** 2 reads; the index can be stale, so the visitor must still have this phone. */
  async findByPhone(phone: string): Promise<Visitor | null> {
    return this.follow(await keys.phone(phone), (v) => phoneOf(v) === phone)
  }

  /** 2 reads; `email` is already normalised. */
  async findByEmail(email: string): Promise<Visitor | null> {
    return this.follow(await keys.email(email), (v) => emailOf(v) === email)
  }

  private async follow(indexKey: string, stillMatches: (v: Visitor) => boolean): Promise<Visitor | null> {
    const id = await this.kv.get(indexKey)
    if (!id || !SAFE_KEY_PART.test(id)) return null
    const visitor = await this.getVisitor(id)
    return visitor && stillMatches(visitor) ? visitor : null
  }

  /**
   * Writes the visitor, plus only the index entries whose values changed since `previous`
   * (the stored version this update started from, or null for a new visitor).
   */
  async saveVisitor(next: Visitor, previous: Visitor | null): Promise<void> {
    const writes: Promise<unknown>[] = [this.kv.put(keys.visitor(next._id), JSON.stringify(next))]
    if (previous?.token !== next.token) {
      writes.push(this.kv.put(keys.token(next.token), next._id))
      if (previous) writes.push(this.kv.delete(keys.token(previous.token)))
    }
    const phone = phoneOf(next)
    if (phone && phone !== phoneOf(previous)) writes.push(this.kv.put(await keys.phone(phone), next._id))
    const email = emailOf(next)
    if (email && email !== emailOf(previous)) writes.push(this.kv.put(await keys.email(email), next._id))
    await settled(writes)
  }

  /**
   * Removes the visitor and the token, phone and email index entries that still name it (one
   * may have passed to a newer visitor, e.g. the same token registered again after erasure).
   * `foundByToken`: the caller just followed the token index to this visitor, so it is not read again.
   */
  async eraseVisitor(visitor: Visitor, foundByToken = false): Promise<void> {
    const phone = phoneOf(visitor)
    const email = emailOf(visitor)
    const checked = (await Promise.all([!foundByToken && keys.token(visitor.token), phone && keys.phone(phone), email && keys.email(email)]))
      .filter((k): k is string => Boolean(k))
    const owners = await Promise.all(checked.map((k) => this.kv.get(k)))
    await settled([
      this.kv.delete(keys.visitor(visitor._id)),
      ...(foundByToken ? [this.kv.delete(keys.token(visitor.token))] : []),
      ...checked.filter((_, i) => owners[i] === visitor._id).map((k) => this.kv.delete(k)),
    ])
  }

  getAgent(userId: string): Promise<AgentRecord | null> {
    return this.kv.get<AgentRecord>(keys.agent(userId), 'json')
  }
}
