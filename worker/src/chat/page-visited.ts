// POST /api/v1/livechat/page.visited {token, rid?, pageInfo}: Rocket.Chat's widget reports each page
// the visitor opens; with an open room of theirs, the room records it as navigation history
// (`livechat_navigation_history` messages) for the agent. Without a room there is nothing to record:
// Rocket.Chat's widget sends it before any room exists, so that answers `{}` as Rocket.Chat does.
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import { readJsonBody } from '../http/body.ts'
import { enforceRateLimit } from '../http/rate-limit.ts'
import { ok } from '../http/responses.ts'
import { httpUrlText, parseOrThrow, text } from '../http/validation.ts'
import { checkIds, refusal } from './refusals.ts'
import { chatRoom } from './stubs.ts'

/** Rocket.Chat's default `Livechat_history_monitor_type`: only URL changes are history. */
const MONITORED_CHANGE = 'url'

const Body = v.object({
  token: v.string(),
  rid: v.nullish(v.string()),
  pageInfo: v.object({
    change: text(32),
    title: text(256),
    location: v.object({ href: httpUrlText(2048) }),
  }),
})

export async function pageVisited(request: IRequest, env: Env): Promise<Response> {
  // It looks a token up: counted like every such endpoint.
  await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const { token, rid, pageInfo } = parseOrThrow(Body, await readJsonBody(request))
  if (!rid || pageInfo.change !== MONITORED_CHANGE) return ok({})
  checkIds(token, rid)
  const { change, title, location: { href } } = pageInfo
  const visited = await chatRoom(env, rid).visit({ visitorToken: token }, { change, title, location: { href } })
  if ('refused' in visited) throw await refusal(env, visited.refused, token)
  const page = visited.ok
  return ok(page ? { page: { msg: page.msg, navigation: page.navigation } } : {})
}
