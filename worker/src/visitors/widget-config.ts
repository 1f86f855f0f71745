// GET /api/v1/livechat/config: what the widget needs to draw its form (public).
import { setting, visitorFields } from '../config.ts'
import { ok } from '../http/responses.ts'

export function getLivechatConfig(_request: Request, env: Env): Response {
  const { title, ...theme } = setting(env, 'LIVECHAT_THEME')
  return ok({
    config: {
      title,
      theme,
      registrationForm: setting(env, 'LIVECHAT_REGISTRATION_FORM'),
      customFields: visitorFields(env).map(({ _id, label, type, required, regexp, options }) => ({
        _id, label, type, required, regexp, options,
      })),
      departments: setting(env, 'LIVECHAT_DEPARTMENTS').map(({ _id, name }) => ({ _id, name })),
    },
  })
}
