// The Worker's KV reads: visitors as the registry copied them there, and agents' credentials.
import { SAFE_KEY_PART, keys, type AgentRecord } from './keys.ts'
import type { Visitor } from './visitor.ts'

export class ContactStore {
  // Public for authenticate(), which also reads the session a token names.
  readonly kv: KVNamespace

  constructor(kv: KVNamespace) {
    this.kv = kv
  }

  getVisitor(id: string): Promise<Visitor | null> {
    return this.kv.get<Visitor>(keys.visitor(id), 'json')
  }

  getAgent(userId: string): Promise<AgentRecord | null> {
    return this.kv.get<AgentRecord>(keys.agent(userId), 'json')
  }

  /** 2 reads: the username index, then the agent it names. */
  async getAgentByUsername(username: string): Promise<AgentRecord | null> {
    const userId = await this.kv.get(keys.agentName(username))
    return userId && SAFE_KEY_PART.test(userId) ? this.getAgent(userId) : null
  }
}
