// The Worker's KV reads: visitors as the registry copied them there, and agents' credentials.
import { SAFE_KEY_PART, USERNAME, keys, type AgentRecord } from './keys.ts'

// Looked up in place of a missing user. The CLI never makes an empty username nor an id this long.
const NO_NAME = ''
const NO_USER_ID = '-'.repeat(128)
import type { Visitor } from '../../shared/visitor.ts'

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

  /** Always 2 reads, the username's index entry, then the agent it names: an unknown name costs
   * what a known one does (sign-in must not tell which exist). */
  async getAgentByUsername(username: string): Promise<AgentRecord | null> {
    const userId = await this.kv.get(keys.agentName(USERNAME.test(username) ? username : NO_NAME))
    const agent = await this.getAgent(userId && SAFE_KEY_PART.test(userId) ? userId : NO_USER_ID)
    // An index entry left behind by a removed or renamed agent names nobody.
    return agent && agent.username.toLowerCase() === username.toLowerCase() ? agent : null
  }
}
