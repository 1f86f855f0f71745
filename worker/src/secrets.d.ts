// Workers secrets are not in wrangler.toml, so `wrangler types` cannot see them: declared here.
interface __BaseEnv_Env {
  /** HMAC-SHA-256 key for verified visitors (`wrangler secret put VISITOR_IDENTITY_SECRET`). */
  VISITOR_IDENTITY_SECRET?: string
  /** Turnstile's secret key; set, registrations and offline messages need a token (`wrangler secret put TURNSTILE_SECRET_KEY`). */
  TURNSTILE_SECRET_KEY?: string
  /** Sent as X-RocketChat-Livechat-Token with each webhook (`wrangler secret put LIVECHAT_WEBHOOK_SECRET`). */
  LIVECHAT_WEBHOOK_SECRET?: string
}
