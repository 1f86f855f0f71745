// A contact as agents see it, everywhere agents read one (REST answers, the console's live stream):
// with the visitor's token only when CONTACT_INCLUDE_TOKEN says so.
import { setting } from '../config.ts'
import type { Visitor } from '../../../shared/visitor.ts'

export type AgentsContact = Visitor | Omit<Visitor, 'token'>

/** Reads CONTACT_INCLUDE_TOKEN first, so a broken value shows on every call, not only on a hit. */
export function agentsView(env: Env): (visitor: Visitor | null) => AgentsContact | null {
  const includeToken = setting(env, 'CONTACT_INCLUDE_TOKEN')
  return (visitor) => {
    if (!visitor || includeToken) return visitor
    const { token: _omitted, ...rest } = visitor
    return rest
  }
}
