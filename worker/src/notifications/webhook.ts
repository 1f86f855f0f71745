// One webhook delivery, as Rocket.Chat's Livechat sendRequest makes it: a JSON POST to
// LIVECHAT_WEBHOOK_URL with the secret in X-RocketChat-Livechat-Token. Any answer but a 2xx, or
// none within the timeout, is a failure the queue retries.
import { setting } from '../config.ts'
import type { Payload } from './payloads.ts'

/** Rocket.Chat's default Livechat_http_timeout. */
export const WEBHOOK_TIMEOUT_MS = 5000

export async function postWebhook(env: Env, payload: Payload): Promise<void> {
  const secret = setting(env, 'LIVECHAT_WEBHOOK_SECRET')
  const response = await fetch(setting(env, 'LIVECHAT_WEBHOOK_URL'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret && { 'X-RocketChat-Livechat-Token': secret }) },
    body: JSON.stringify(payload),
    // A redirect could carry the secret to another host.
    redirect: 'manual',
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  })
  await response.body?.cancel()
  if (response.status < 200 || response.status > 299) throw new Error(`the webhook answered ${response.status}`)
}
