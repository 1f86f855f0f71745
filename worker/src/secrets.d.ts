// Workers secrets are not in wrangler.toml, so `wrangler types` cannot see them: declared here.
interface __BaseEnv_Env {
  /** HMAC-SHA-256 key for verified visitors (`wrangler secret put VISITOR_IDENTITY_SECRET`). */
  VISITOR_IDENTITY_SECRET?: string
}
