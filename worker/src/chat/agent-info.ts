// What a visitor sees of the agent serving their room (agent.info, config, the agentData event).
import type { AgentInfo, Room } from '../../../shared/chat.ts'
import { ContactStore } from '../contact-store.ts'
import { omnichannel } from './stubs.ts'

/** The agent's public card; null when the agent no longer exists. */
export async function agentInfo(env: Env, servedBy: NonNullable<Room['servedBy']>): Promise<AgentInfo | null> {
  const [agent, status] = await Promise.all([
    new ContactStore(env.CONTACTS).getAgent(servedBy._id),
    omnichannel(env).agentStatus(servedBy._id),
  ])
  return agent && { _id: agent.userId, username: agent.username, ...(agent.name && { name: agent.name }), status }
}
