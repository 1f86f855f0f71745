// GET /api/v1/livechat/config?token=: what the widget needs to draw its form (public), whether an
// agent is available, and for a known visitor its open room and that room's agent.
import type { IRequest } from 'itty-router'
import { setting, visitorFields } from '../config.ts'
import { enforceRateLimit } from '../http/rate-limit.ts'
import { ok } from '../http/responses.ts'
import { turnstileKeys } from '../http/turnstile.ts'
import { omnichannel } from '../chat/stubs.ts'
import { visitorChat } from '../chat/visitor-routes.ts'

export async function getLivechatConfig(request: IRequest, env: Env): Promise<Response> {
  const { title, ...theme } = setting(env, 'LIVECHAT_THEME')
  const consentText = setting(env, 'LIVECHAT_CONSENT_TEXT')
  const turnstileSiteKey = turnstileKeys(env)?.siteKey
  const texts = setting(env, 'LIVECHAT_WIDGET_TEXTS')
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
      settings: {
        visitorsCanCloseChat: true,
        // Rocket.Chat's names; each only when configured, so the widget draws nothing extra otherwise.
        ...(consentText && { forceAcceptDataProcessingConsent: true }),
        ...(turnstileSiteKey && { turnstileSiteKey }),
      },
      ...(consentText && { messages: { dataProcessingConsentText: consentText } }),
      // The owner's widget texts (LIVECHAT_WIDGET_TEXTS), only when there are some.
      ...(Object.keys(texts).length && { texts }),
      online,
      ...chat,
    },
  })
}
