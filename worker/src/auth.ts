// Rocket.Chat's REST auth: `X-User-Id` + `X-Auth-Token`, checked against a stored hash.
import type { ContactStore } from './contact-store.ts'
import { sha256Hex } from './ids.ts'
import { SAFE_KEY_PART, type AgentRecord } from './keys.ts'
import { forbidden, unauthorized } from './responses.ts'
import { PERMISSIONS, type Permission } from './roles.ts'

const bytes = (hex: string) => new TextEncoder().encode(hex)

/** One KV read. Throws 401 unless both headers name a stored agent and the token's hash matches. */
export async function authenticate(request: Request, store: ContactStore): Promise<AgentRecord> {
  const userId = request.headers.get('x-user-id')
  const token = request.headers.get('x-auth-token')
  if (!userId || !token || !SAFE_KEY_PART.test(userId)) throw unauthorized()
  const agent = await store.getAgent(userId)
  if (!agent) throw unauthorized()
  const given = bytes(await sha256Hex(token))
  const stored = bytes(agent.tokenHash)
  // Equal lengths are public (both are SHA-256 hex); the comparison itself takes constant time.
  if (given.byteLength !== stored.byteLength || !crypto.subtle.timingSafeEqual(given, stored)) throw unauthorized()
  return agent
}

/** Throws 403 unless one of the agent's roles grants `permission`. */
export function requirePermission(agent: AgentRecord, permission: Permission): void {
  const granted: readonly string[] = PERMISSIONS[permission]
  if (!agent.roles.some((role) => granted.includes(role))) throw forbidden()
}
