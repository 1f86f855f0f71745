import { setting } from '../config.ts'
import { clientNetwork } from './client-network.ts'
import { tooManyRequests } from './responses.ts'

/** The period configured for the binding in wrangler.toml, for the 429 message. */
const PERIOD_SECONDS = 60

/** False when RATE_LIMITS is `off` (load tests, bulk imports: never in production). */
export const rateLimitsOn = (env: Env): boolean => setting(env, 'RATE_LIMITS') === 'on'

/** Throws 429 once `key` has used up its requests of `limiter` for the period, unless rate limits
 * are off (and then the key is not even computed). */
export async function enforceKeyedRateLimit(env: Env, limiter: RateLimit, key: () => string | Promise<string>): Promise<void> {
  if (!rateLimitsOn(env)) return
  const { success } = await limiter.limit({ key: await key() })
  if (!success) throw tooManyRequests(PERIOD_SECONDS)
}

/** Throws 429 once this client's network (its IPv4 address, or its IPv6 /64) has used up its
 * requests of `limiter` for the period, unless rate limits are off. */
export const enforceRateLimit = (request: Request, env: Env, limiter: RateLimit): Promise<void> =>
  enforceKeyedRateLimit(env, limiter, () => clientNetwork(request))
