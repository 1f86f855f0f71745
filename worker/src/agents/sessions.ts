// Sign-in sessions: each login makes a random token; KV keeps only its SHA-256, as
// `session:<hex>` = {userId, epoch, createdAt, expiresAt}, and expires the key at the same time.
// A session is bound to the credential generation (the agent record's epoch) it was made under:
// `passwd` replaces the epoch, and every request compares the session's epoch with the agent
// record it reads. No clock decides it, so neither the CLI's clock nor a login served from a
// stale copy of the record (KV caches it for about 60 s) yields a session that outlives `passwd`.
import { sha256Hex } from '../../../shared/ids.ts'
import { keys, type AgentRecord, type SessionRecord } from '../keys.ts'

const DAY_MS = 86_400_000

/** 32 random bytes, base64url: 43 characters, the shape `npm run agent -- create` prints. */
export function newSessionToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The epoch an agent record stands for: records made before epochs existed have ''. */
const epochOf = (agent: AgentRecord): string => agent.epoch ?? ''

/** 1 KV write. Returns the token, which exists only in this answer from now on. */
export async function startSession(kv: KVNamespace, agent: AgentRecord, days: number, now = Date.now()): Promise<string> {
  const token = newSessionToken()
  const session: SessionRecord = {
    userId: agent.userId,
    epoch: epochOf(agent),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + days * DAY_MS).toISOString(),
  }
  await kv.put(keys.session(await sha256Hex(token)), JSON.stringify(session), { expirationTtl: days * 86_400 })
  return token
}

/** 1 KV read. */
export const readSession = (kv: KVNamespace, tokenHash: string): Promise<SessionRecord | null> =>
  kv.get<SessionRecord>(keys.session(tokenHash), 'json')

/** 1 KV delete. */
export const endSession = (kv: KVNamespace, tokenHash: string): Promise<void> => kv.delete(keys.session(tokenHash))

/** A session signs `agent` in: made for it, not expired (KV's own expiry may lag), and made under
 * the agent's current epoch. A session stored before epochs existed has none and is refused. */
export function sessionSignsIn(session: SessionRecord | null, agent: AgentRecord | null, now = Date.now()): boolean {
  if (!session || !agent || session.userId !== agent.userId) return false
  if (!(Date.parse(session.expiresAt) > now)) return false
  return typeof session.epoch === 'string' && session.epoch === epochOf(agent)
}
