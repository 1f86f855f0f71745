// Rocket.Chat's REST auth: `X-User-Id` + `X-Auth-Token`. The token is either the one
// `npm run agent -- create` printed (its hash is in the agent record) or one that
// POST /api/v1/login made (its hash names a session in KV).
import { readSession, sessionSignsIn } from './sessions.ts'
import type { ContactStore } from '../contact-store.ts'
import { sha256Hex } from '../../../shared/ids.ts'
import { SAFE_KEY_PART, type AgentRecord } from '../keys.ts'
import { forbidden, unauthorized } from '../http/responses.ts'
import { PERMISSIONS, type Permission } from '../../../shared/roles.ts'

const utf8 = new TextEncoder()
const bytes = (hex: string) => utf8.encode(hex)

// Compared against when the user does not exist, so that case does the same work as a wrong token.
const NO_AGENT_HASH = '0'.repeat(64)

export interface Caller {
  agent: AgentRecord
  /** SHA-256 (hex) of the token that made the call. */
  tokenHash: string
  /** `cli`: the agent's own token from `npm run agent -- create`; `session`: a login's token. */
  via: 'cli' | 'session'
}

/**
 * Two KV reads, in parallel, whatever the headers name: the agent record and the session the
 * token's hash would name. Always one SHA-256 and one constant-time comparison. Throws 401 unless
 * the token is the agent's own or a live session of that same user.
 */
export async function authenticateCaller(request: Request, store: ContactStore): Promise<Caller> {
  const userId = request.headers.get('x-user-id')
  const token = request.headers.get('x-auth-token')
  if (!userId || !token || !SAFE_KEY_PART.test(userId)) throw unauthorized()
  const tokenHash = await sha256Hex(token)
  const [agent, session] = await Promise.all([store.getAgent(userId), readSession(store.kv, tokenHash)])
  const given = bytes(tokenHash)
  const stored = bytes(agent?.tokenHash ?? NO_AGENT_HASH)
  // Equal lengths are public (both are SHA-256 hex); the comparison itself takes constant time.
  const isAgentToken = given.byteLength === stored.byteLength && crypto.subtle.timingSafeEqual(given, stored)
  // The session's key is the token's hash: finding it is the check; its userId and epoch must match.
  const isSession = sessionSignsIn(session, agent)
  if (!agent || !(isAgentToken || isSession)) throw unauthorized()
  return { agent, tokenHash, via: isAgentToken ? 'cli' : 'session' }
}

/** Throws 401 unless both headers name a stored agent and its token or one of its live sessions. */
export async function authenticate(request: Request, store: ContactStore): Promise<AgentRecord> {
  return (await authenticateCaller(request, store)).agent
}

/** Throws 403 unless one of the agent's roles grants `permission`. */
export function requirePermission(agent: AgentRecord, permission: Permission): void {
  const granted: readonly string[] = PERMISSIONS[permission]
  if (!agent.roles.some((role) => granted.includes(role))) throw forbidden()
}
