import { tooManyRequests } from './responses.ts'

/** The period configured for the binding in wrangler.toml, for the 429 message. */
const PERIOD_SECONDS = 60

/** Throws 429 once this client IP has used up its registrations for the period. */
export async function enforceRateLimit(request: Request, limiter: RateLimit): Promise<void> {
  const key = request.headers.get('cf-connecting-ip') ?? 'unknown'
  const { success } = await limiter.limit({ key })
  if (!success) throw tooManyRequests(PERIOD_SECONDS)
}
