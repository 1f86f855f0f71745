// Rocket.Chat's REST auth: `X-User-Id` + `X-Auth-Token`, checked against a stored hash.
import type { ContactStore } from './contact-store.ts'
import { sha256Hex } from './ids.ts'
import { SAFE_KEY_PART, type AgentRecord } from './keys.ts'
import { forbidden, unauthorized } from './responses.ts'
import { PERMISSIONS, type Permission } from './roles.ts'

const bytes = (hex: string) => new TextEncoder().encode(hex)

// Compared against when the user does not exist, so that case does the same work as a wrong token.
const NO_AGENT_HASH = '0'.repeat(64)

/** One KV read. Throws 401 unless both headers name a stored agent and the token's hash matches. */
export async function authenticate(request: Request, store: ContactStore): Promise<AgentRecord> {
  const userId = request.headers.get('x-user-id')
  const token = request.headers.get('x-auth-token')
  if (!userId || !token || !SAFE_KEY_PART.test(userId)) throw unauthorized()
  const [agent, hash] = await Promise.all([store.getAgent(userId), sha256Hex(token)])
  const given = bytes(hash)
  const stored = bytes(agent?.tokenHash ?? NO_AGENT_HASH)
  // Equal lengths are public (both are SHA-256 hex); the comparison itself takes constant time.
  const matches = given.byteLength === stored.byteLength && crypto.subtle.timingSafeEqual(given, stored)
  if (!agent || !matches) throw unauthorized()
  return agent
}

/** Throws 403 unless one of the agent's roles grants `permission`. */
export function requirePermission(agent: AgentRecord, permission: Permission): void {
  const granted: readonly string[] = PERMISSIONS[permission]
  if (!agent.roles.some((role) => granted.includes(role))) throw forbidden()
}
