// A contact as agents read it, from both places they read it: KV's copy (omnichannel/contact) and
// the registry (livechat/visitors.info).
import type { Visitor } from '../../shared/visitor.ts'
import { expectStatus } from './chat-support.ts'
import { call, createAgent, getContact } from './support.ts'

export async function agentsRead(id: string): Promise<Visitor[]> {
  const { headers } = await createAgent()
  const { contact } = await expectStatus<{ contact: Visitor }>(await getContact(`?contactId=${id}`, headers), 200)
  const { visitor } = await expectStatus<{ visitor: Visitor }>(await call(`/api/v1/livechat/visitors.info?visitorId=${id}`, { headers }), 200)
  return [contact, visitor]
}
