// The widget's endpoints: /api/v1/livechat/visitor (no auth, as in Rocket.Chat). Every one asks
// the registry, the authority on visitors: KV may lag, the registry never does.
import type { IRequest } from 'itty-router'
import { readJsonBody } from '../http/body.ts'
import { setting } from '../config.ts'
import { enforceRateLimit } from '../http/rate-limit.ts'
import { ApiError, ok } from '../http/responses.ts'
import { TURNSTILE_HEADER, invalidTurnstile, turnstileOn, verifyTurnstile } from '../http/turnstile.ts'
import { parseVisitorInput } from './visitor-input.ts'
import { isValidToken } from '../../../shared/visitor-rules.ts'
import { registry } from './visitor-registry.ts'
import { visitorView } from './visitor-view.ts'

const invalidToken = () => ApiError.coded('invalid-token', '')

export async function postVisitor(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_RATE_LIMIT)
  const mode = setting(env, 'MATCH_VISITORS_BY_CONTACT')
  const input = await parseVisitorInput(await readJsonBody(request), env)
  // Spam protection is about new contacts: an update of the visitor its token (or signed identity)
  // names may come without a Turnstile token, as the host page's own calls do; the registry
  // refuses anything else then.
  let humanChecked = true
  if (turnstileOn(env) && !request.headers.has(TURNSTILE_HEADER)) humanChecked = false
  else await verifyTurnstile(request, env)
  const visitor = await registry(env).register(input, mode, new URL(request.url).origin, humanChecked)
  if (!visitor) throw invalidTurnstile()
  return ok({ visitor: visitorView(visitor, env) })
}

/** The token in the path; a malformed one is as unknown as a missing one. */
function tokenOfPath(request: IRequest): string {
  const { token } = request.params
  if (!isValidToken(token)) throw invalidToken()
  return token
}

// Rate-limited per client network, so guessable tokens cannot be scanned or mass-erased.
export async function getVisitor(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const visitor = await registry(env).find(tokenOfPath(request))
  if (!visitor) throw invalidToken()
  return ok({ visitor: visitorView(visitor, env) })
}

export async function deleteVisitor(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env, env.VISITOR_ERASE_RATE_LIMIT)
  const erased = await registry(env).erase(tokenOfPath(request))
  if (!erased) throw invalidToken()
  return ok({ visitor: { _id: erased._id, ts: new Date().toISOString() } })
}
