// A contact's manager must be an agent with the livechat-agent role, as in Rocket.Chat.
import type { ContactStore } from '../contact-store.ts'
import { ApiError } from '../http/responses.ts'

export async function checkContactManager(store: ContactStore, username: string): Promise<void> {
  const agent = await store.getAgentByUsername(username)
  if (!agent) throw ApiError.coded('error-contact-manager-not-found', `No user found with username ${username}`)
  if (!agent.roles.includes('livechat-agent'))
    throw ApiError.coded('error-invalid-contact-manager', 'The contact manager must have the role "livechat-agent"')
}
