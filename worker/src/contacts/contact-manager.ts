// A contact's manager must be an agent with the livechat-agent role, as in Rocket.Chat.
import type { ContactStore } from '../contact-store.ts'
import { ApiError } from '../http/responses.ts'
import { SAFE_KEY_PART, type AgentRecord } from '../keys.ts'

function checkRole(agent: AgentRecord | null, who: string): AgentRecord {
  if (!agent) throw ApiError.coded('error-contact-manager-not-found', `No user found with ${who}`)
  if (!agent.roles.includes('livechat-agent'))
    throw ApiError.coded('error-invalid-contact-manager', 'The contact manager must have the role "livechat-agent"')
  return agent
}

/** POST omnichannel/contact names the manager by username. */
export async function checkContactManager(store: ContactStore, username: string): Promise<void> {
  checkRole(await store.getAgentByUsername(username), `username ${username}`)
}

/** contacts.update names the manager by user id, as Rocket.Chat does; answers its username. */
export async function contactManagerById(store: ContactStore, userId: string): Promise<string> {
  const agent = SAFE_KEY_PART.test(userId) ? await store.getAgent(userId) : null
  return checkRole(agent, `id ${userId}`).username
}
