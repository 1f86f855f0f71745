// Agents sign in on a socket as Rocket.Chat's clients do: the method `login` with
// `[{resume: authToken}]`, the token of a sign-in session (POST /api/v1/login). Only sessions: a
// CLI token is found by its user id, which a resume does not give. The session and the agent record
// are read again on each sub and method, so logout, expiry and `passwd` end the socket's access.
import { readSession, sessionSignsIn } from '../agents/sessions.ts'
import { ContactStore } from '../contact-store.ts'
import { sha256Hex } from '../../../shared/ids.ts'
import { SAFE_KEY_PART } from '../keys.ts'
import type { SignedInAgent } from './attachment.ts'

/** Longer than any token this server issues (43 characters). */
const MAX_TOKEN_LENGTH = 256

export interface Resumed {
  agent: SignedInAgent
  /** When the session ends (ms), for `tokenExpires`. */
  expires: number
}

/** The agent the session named by `tokenHash` signs in, as KV has it now; null if none. 2 KV reads. */
export async function signedInBy(kv: KVNamespace, tokenHash: string): Promise<Resumed | null> {
  const session = await readSession(kv, tokenHash)
  const agent = session && SAFE_KEY_PART.test(session.userId) ? await new ContactStore(kv).getAgent(session.userId) : null
  if (!session || !agent || !sessionSignsIn(session, agent)) return null
  const { userId, username, roles } = agent
  return { agent: { userId, username, roles, epoch: session.epoch, tokenHash }, expires: Date.parse(session.expiresAt) }
}

/** The agent a `login` resume token signs in, or null. */
export async function resume(kv: KVNamespace, token: unknown): Promise<Resumed | null> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null
  return signedInBy(kv, await sha256Hex(token))
}
