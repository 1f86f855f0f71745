// The widget's endpoints: /api/v1/livechat/visitor (no auth, as in Rocket.Chat).
import type { IRequest } from 'itty-router'
import { readJsonBody } from '../body.ts'
import { readConfig } from '../config.ts'
import { ContactStore } from '../contact-store.ts'
import type { Visitor } from '../visitor.ts'
import { enforceRateLimit } from '../rate-limit.ts'
import { registerVisitor } from '../register-visitor.ts'
import { ApiError, ok } from '../responses.ts'
import { parseVisitorInput } from '../visitor-input.ts'
import { isValidToken } from '../visitor-rules.ts'

const registry = (env: Env) => env.VISITOR_REGISTRY.getByName('global')

export async function postVisitor(request: IRequest, env: Env): Promise<Response> {
  await enforceRateLimit(request, env.VISITOR_RATE_LIMIT)
  const config = readConfig(env)
  const input = parseVisitorInput(await readJsonBody(request), config)
  const visitor = await registerVisitor(input, new ContactStore(env.CONTACTS), registry(env), config.matchVisitorsByContact)
  return ok({ visitor })
}

/** The visitor whose token is in the path; a malformed token is as unknown as a missing one. */
async function visitorOfPath(request: IRequest, store: ContactStore): Promise<Visitor> {
  const { token } = request.params
  const visitor = isValidToken(token) ? await store.findByToken(token) : null
  if (!visitor) throw ApiError.coded('invalid-token', '')
  return visitor
}

export async function getVisitor(request: IRequest, env: Env): Promise<Response> {
  return ok({ visitor: await visitorOfPath(request, new ContactStore(env.CONTACTS)) })
}

export async function deleteVisitor(request: IRequest, env: Env): Promise<Response> {
  const store = new ContactStore(env.CONTACTS)
  const visitor = await visitorOfPath(request, store)
  // Free the token first: if erasing then fails, a retried DELETE still finds the visitor.
  await registry(env).release(visitor.token, visitor._id)
  await store.eraseVisitor(visitor, true)
  return ok({ visitor: { _id: visitor._id, ts: new Date().toISOString() } })
}
