// The Worker's KV reads: visitors as the registry copied them there, and agents' credentials.
import { keys, type AgentRecord } from './keys.ts'
import type { Visitor } from './visitor.ts'

export class ContactStore {
  private readonly kv: KVNamespace

  constructor(kv: KVNamespace) {
    this.kv = kv
  }

  getVisitor(id: string): Promise<Visitor | null> {
    return this.kv.get<Visitor>(keys.visitor(id), 'json')
  }

  getAgent(userId: string): Promise<AgentRecord | null> {
    return this.kv.get<AgentRecord>(keys.agent(userId), 'json')
  }
}
