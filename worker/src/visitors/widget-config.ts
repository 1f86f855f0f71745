// GET /api/v1/livechat/config?token=: what the widget needs to draw its form (public), whether an
// agent is available, and for a known visitor its open room and that room's agent.
import type { IRequest } from 'itty-router'
import { setting, visitorFields } from '../config.ts'
import { enforceRateLimit } from '../http/rate-limit.ts'
import { ok } from '../http/responses.ts'
import { omnichannel } from '../chat/stubs.ts'
import { visitorChat } from '../chat/visitor-routes.ts'

export async function getLivechatConfig(request: IRequest, env: Env): Promise<Response> {
  const { title, ...theme } = setting(env, 'LIVECHAT_THEME')
  const { token } = request.query
  // A token is looked up: counted like every token lookup, before it. Without one, nothing is.
  if (typeof token === 'string') await enforceRateLimit(request, env, env.VISITOR_READ_RATE_LIMIT)
  const [online, chat] = await Promise.all([
    omnichannel(env).online(),
    typeof token === 'string' ? visitorChat(env, token) : {},
  ])
  return ok({
    config: {
      title,
      theme,
      registrationForm: setting(env, 'LIVECHAT_REGISTRATION_FORM'),
      customFields: visitorFields(env).map(({ _id, label, type, required, regexp, options }) => ({
        _id, label, type, required, regexp, options,
      })),
      departments: setting(env, 'LIVECHAT_DEPARTMENTS').map(({ _id, name }) => ({ _id, name })),
      // Without it Rocket.Chat's widget hides "finish this chat".
      settings: { visitorsCanCloseChat: true },
      online,
      ...chat,
    },
  })
}
