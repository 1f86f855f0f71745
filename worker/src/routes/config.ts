// GET /api/v1/livechat/config: what the widget needs to draw its form (public).
import { readConfig, visitorFields } from '../config.ts'
import { ok } from '../responses.ts'

export function getLivechatConfig(_request: Request, env: Env): Response {
  const config = readConfig(env)
  const { title, ...theme } = config.LIVECHAT_THEME
  return ok({
    config: {
      title,
      theme,
      registrationForm: config.LIVECHAT_REGISTRATION_FORM,
      customFields: visitorFields(config).map(({ _id, label, type, required, regexp, options }) => ({
        _id, label, type, required, regexp, options,
      })),
      departments: config.LIVECHAT_DEPARTMENTS.map(({ _id, name }) => ({ _id, name })),
    },
  })
}
