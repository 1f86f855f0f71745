// Who makes a `sub` or a typing call, as ChatRoom authorises it: a visitor by the token inside the
// frame (Rocket.Chat's livechat client sends it with every sub and method), else the agent signed
// in on the socket.
import type { Who } from '../chat/access.ts'
import type { SignedInAgent } from './attachment.ts'

/** Longer than any visitor token the API accepts. */
const MAX_TOKEN_LENGTH = 256

const tokenIn = (value: unknown): string | null => {
  if (typeof value !== 'object' || value === null) return null
  const { token, visitorToken } = value as Record<string, unknown>
  const found = typeof token === 'string' && token ? token : visitorToken
  return typeof found === 'string' && found && found.length <= MAX_TOKEN_LENGTH ? found : null
}

/** The visitor token of a `sub`'s second parameter, `{useCollection, args: [{token, visitorToken}]}`. */
export const subToken = (options: unknown): string | null =>
  typeof options === 'object' && options !== null && Array.isArray((options as { args?: unknown }).args)
    ? tokenIn((options as { args: unknown[] }).args[0])
    : null

/** The visitor token of a method's last parameter, `{token}` (an agent sends `{}`). */
export const methodToken = tokenIn

/** A visitor when the frame carries a token, else the socket's agent, else nobody. */
export function whoOf(token: string | null, agent: SignedInAgent | undefined): Who | null {
  if (token) return { visitorToken: token }
  return agent ? { agent: { userId: agent.userId, username: agent.username, roles: agent.roles } } : null
}
