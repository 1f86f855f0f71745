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
}

/** An agent's credentials as stored: only a hash of the token. */
export interface AgentRecord {
  userId: string
  username: string
  roles: string[]
  tokenHash: string
  createdAt: string
}
