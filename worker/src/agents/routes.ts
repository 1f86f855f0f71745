// Sign-in as Rocket.Chat clients do it: POST /api/v1/login, POST (or GET) /api/v1/logout, GET /api/v1/me.
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import { authenticate, authenticateCaller } from './auth.ts'
import { readJsonBody } from '../http/body.ts'
import { setting } from '../config.ts'
import { ContactStore } from '../contact-store.ts'
import type { AgentRecord } from '../keys.ts'
import { clientNetwork } from '../http/client-network.ts'
import { rateLimitsOn } from '../http/rate-limit.ts'
import { ApiError, json, ok, tooManyRequests } from '../http/responses.ts'
import { parseOrThrow } from '../http/validation.ts'
import { verifyPassword } from './passwords.ts'
import { endSession, startSession } from './sessions.ts'

// Rocket.Chat's login answers in its own envelope, `status` instead of `success`.
const UNAUTHORIZED = { status: 'error', error: 'Unauthorized', message: 'Unauthorized' }

// Rocket.Chat also takes `email` and a pre-hashed `{digest, algorithm}` password: not here.
const LoginBody = v.looseObject({
  user: v.optional(v.string()),
  username: v.optional(v.string()),
  password: v.string(),
})

/** What `me` shows of an agent, in Rocket.Chat's shape. */
const profile = (agent: AgentRecord) => ({
  _id: agent.userId,
  username: agent.username,
  ...(agent.name !== undefined && { name: agent.name }),
  roles: agent.roles,
})

/** The throttle, unless rate limits are off. */
function throttle(request: Request, env: Env) {
  if (!rateLimitsOn(env)) return null
  return { stub: env.LOGIN_THROTTLE.getByName('global'), network: clientNetwork(request) }
}

/**
 * POST /api/v1/login {user|username, password}. 1 throttle call, 2 KV reads, 1 PBKDF2 derivation
 * whether or not the user exists; a success adds 1 KV write (the session) and 1 throttle call.
 */
export async function login(request: IRequest, env: Env): Promise<Response> {
  const input = await readJsonBody(request)
  // valibot's objects take arrays as objects with missing keys: name the real problem.
  if (Array.isArray(input)) throw new ApiError(400, 'Match error: Expected object, got array')
  const body = parseOrThrow(LoginBody, input)
  const name = body.user ?? body.username
  if (name === undefined) throw new ApiError(400, "Match error: Missing key 'user'")
  // Before any read or write: a broken setting fails every login the same way and changes nothing.
  const days = setting(env, 'AGENT_SESSION_DAYS')
  const limiter = throttle(request, env)
  if (limiter) {
    const verdict = await limiter.stub.admit(name, limiter.network)
    if (!verdict.admitted) throw tooManyRequests(verdict.retryAfter)
  }

  const store = new ContactStore(env.CONTACTS)
  const agent = await store.getAgentByUsername(name)
  const passwordMatches = await verifyPassword(body.password, agent?.password)
  if (!agent || !passwordMatches) return json(401, UNAUTHORIZED)

  const authToken = await startSession(env.CONTACTS, agent, days)
  if (limiter) await limiter.stub.succeeded(name, limiter.network)
  return json(200, { status: 'success', data: { userId: agent.userId, authToken, me: profile(agent) } })
}

/** POST /api/v1/logout (auth): ends the session whose token made the call. 2 KV reads, 1 delete.
 * GET too, as Rocket.Chat's Restivus did: @rocket.chat/sdk 0.2.9's api.logout() sends a GET. */
export async function logout(request: IRequest, env: Env): Promise<Response> {
  const caller = await authenticateCaller(request, new ContactStore(env.CONTACTS))
  if (caller.via === 'cli') {
    throw ApiError.coded('error-cli-token',
      'A token made by the agent CLI cannot be logged out: revoke the agent with npm run agent -- revoke <userId>')
  }
  await endSession(env.CONTACTS, caller.tokenHash)
  return json(200, { status: 'success', data: { message: "You've been logged out!" } })
}

/** GET /api/v1/me (auth): 2 KV reads. */
export async function me(request: IRequest, env: Env): Promise<Response> {
  return ok(profile(await authenticate(request, new ContactStore(env.CONTACTS))))
}
