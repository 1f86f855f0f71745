// Every KV key shape, in one place. Ids and tokens must match SAFE_KEY_PART before they
// become part of a key; phones and emails enter keys only as SHA-256 hashes. Free of
// Workers types so the agent CLI (Node) writes exactly the keys the Worker reads.
import { sha256Hex } from './ids.ts'

export const SAFE_KEY_PART = /^[A-Za-z0-9_-]{1,128}$/

function part(value: string): string {
  // Callers validate first and answer with a proper 4xx; this is the last line of defence.
  if (!SAFE_KEY_PART.test(value)) throw new Error('unsafe key part')
  return value
}

export const keys = {
  /** The visitor record (JSON), by `_id`. */
  visitor: (id: string) => `visitor:${part(id)}`,
  /** Token index: the `_id` of the visitor with this token. */
  token: (token: string) => `token:${part(token)}`,
  /** Phone index: the `_id` of a visitor with this phone (verified on read: it can be stale). */
  phone: async (phone: string) => `phone:${await sha256Hex(phone)}`,
  /** Email index, like the phone index. */
  email: async (email: string) => `email:${await sha256Hex(email)}`,
  /** An agent's credentials (JSON), by user id. */
  agent: (userId: string) => `agent:${part(userId)}`,
  agentPrefix: 'agent:',
}

/** An agent's credentials as stored: only a hash of the token. */
export interface AgentRecord {
  userId: string
  username: string
  roles: string[]
  tokenHash: string
  createdAt: string
}
