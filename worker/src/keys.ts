// Every KV key shape, in one place. Ids must match SAFE_KEY_PART before they become part of a
// key. Free of Workers types so the agent CLI (Node) writes exactly the keys the Worker reads.

export const SAFE_KEY_PART = /^[A-Za-z0-9_-]{1,128}$/

function part(value: string): string {
  // Callers validate first and answer with a proper 4xx; this is the last line of defence.
  if (!SAFE_KEY_PART.test(value)) throw new Error('unsafe key part')
  return value
}

export const keys = {
  /** The visitor record (JSON), by `_id`: the registry's copy, for agents' reads. */
  visitor: (id: string) => `visitor:${part(id)}`,
  /** An agent's credentials (JSON), by user id. */
  agent: (userId: string) => `agent:${part(userId)}`,
  agentPrefix: 'agent:',
  /** An agent's userId, by username lowercased (usernames are unique regardless of case). */
  agentName: (username: string) => `agent-name:${encodeURIComponent(username.toLowerCase())}`,
  /** A sign-in session (JSON), by the SHA-256 (hex) of its token: the token itself is never stored. */
  session: (tokenHash: string) => {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error('not a SHA-256 hex digest')
    return `session:${tokenHash}`
  },
}

/** The usernames the agent CLI accepts; any other name cannot belong to an agent. */
export const USERNAME = /^[A-Za-z0-9._-]{1,64}$/

/** An agent's credentials as stored: only a hash of the token. */
export interface AgentRecord {
  userId: string
  username: string
  /** A display name, when one was given. */
  name?: string
  roles: string[]
  tokenHash: string
  createdAt: string
  /** Set by `npm run agent -- passwd` (or `create --password-stdin`): the agent may sign in. */
  password?: PasswordRecord
  /** The credential generation (16 random bytes, hex): written by `create`, replaced by `passwd`.
   * A session is valid only while it carries the current one; records made before it existed
   * have none, which counts as ''. */
  epoch?: string
}

/** A password as stored: PBKDF2 over its UTF-8 bytes (see agents/password-kdf.ts), salt and hash in hex. */
export interface PasswordRecord {
  kdf: 'PBKDF2-SHA-256'
  iterations: number
  salt: string
  hash: string
}

/** A sign-in session, under `session:<sha256 of its token>`; KV also expires it at `expiresAt`. */
export interface SessionRecord {
  userId: string
  /** The agent record's epoch when the session was made ('' if it had none). */
  epoch: string
  createdAt: string
  expiresAt: string
}
