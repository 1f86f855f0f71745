// Cloudflare Turnstile against spam: with TURNSTILE_SECRET_KEY set, a registration and an offline
// message need a token (header X-Turnstile-Token) that Cloudflare's siteverify vouches for.
// Callers verify after the body's own checks, since a token is single-use: a form error must not
// spend it (the visitor fixes the field and sends again), and a malformed body costs no call. And
// before anything is stored: a refused token leaves no trace.
import * as v from 'valibot'
import { configError, setting } from '../config.ts'
import { ApiError } from './responses.ts'

/** Cloudflare's limit on a token's length. */
const MAX_TOKEN_LENGTH = 2048

/** Siteverify answers in well under a second; a visitor is waiting on the form. */
const VERIFY_TIMEOUT_MS = 5000

/** Cloudflare's test secret keys (1x… passes, 2x… fails, 3x… "already spent"), which vouch for any
 * token without naming the page it was solved on. */
const TEST_SECRET = /^[123]x0{31}AA$/

/** The part of siteverify's answer used here (it also has challenge_ts, action, cdata). */
const Answer = v.object({
  success: v.boolean(),
  'error-codes': v.optional(v.array(v.string()), []),
  hostname: v.optional(v.string()),
})

/** The request header the widget sends the token in. */
export const TURNSTILE_HEADER = 'x-turnstile-token'

export const invalidTurnstile = () => ApiError.coded('error-invalid-turnstile', 'The spam check failed, please try again')

function unavailable(why: string): ApiError {
  console.error(`Turnstile siteverify unavailable: ${why}`)
  return ApiError.coded('error-turnstile-unavailable', 'The spam check is unavailable, please try again later', 503)
}

/** The Turnstile keys, or null when Turnstile is off. One key without the other is a broken
 * configuration: the widget could get no token, or tokens would go unchecked. */
export function turnstileKeys(env: Env): { siteKey: string; secret: string } | null {
  const siteKey = setting(env, 'TURNSTILE_SITE_KEY')
  const secret = setting(env, 'TURNSTILE_SECRET_KEY')
  if (!siteKey && !secret) return null
  if (!siteKey)
    throw configError('TURNSTILE_SITE_KEY', 'is empty while TURNSTILE_SECRET_KEY is set: the widget could get no token and every form would be refused')
  if (!secret)
    throw configError('TURNSTILE_SECRET_KEY', 'is not set while TURNSTILE_SITE_KEY is: tokens would go unchecked (npx wrangler secret put TURNSTILE_SECRET_KEY)')
  return { siteKey, secret }
}

/** Whether Turnstile is on (throws error-invalid-config when half configured). */
export const turnstileOn = (env: Env): boolean => turnstileKeys(env) !== null

/** Refuses the request unless Turnstile is off or its token checks out (400 `error-invalid-turnstile`;
 * 503 `error-turnstile-unavailable` when siteverify cannot say). */
export async function verifyTurnstile(request: Request, env: Env): Promise<void> {
  const keys = turnstileKeys(env)
  if (!keys) return
  const token = request.headers.get(TURNSTILE_HEADER)
  if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidTurnstile()
  const answer = await siteverify(env, keys.secret, token, request.headers.get('cf-connecting-ip'))
  const codes = answer['error-codes']
  if (codes.includes('missing-input-secret') || codes.includes('invalid-input-secret'))
    throw configError('TURNSTILE_SECRET_KEY', 'was refused by siteverify: use the secret key of the widget whose site key is TURNSTILE_SITE_KEY')
  if (codes.includes('internal-error')) throw unavailable('internal-error')
  if (!answer.success) throw invalidTurnstile()
  if (!TEST_SECRET.test(keys.secret)) checkHostname(request, env, answer.hostname)
}

/** Siteverify's answer; anything but a JSON answer in time is "unavailable". */
async function siteverify(env: Env, secret: string, token: string, remoteip: string | null): Promise<v.InferOutput<typeof Answer>> {
  const url = setting(env, 'TURNSTILE_VERIFY_URL')
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret, response: token, ...(remoteip && { remoteip }) }),
      signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
    })
  } catch (error) {
    throw unavailable(error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${VERIFY_TIMEOUT_MS} ms` : String(error))
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw unavailable(`HTTP ${response.status}`)
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw unavailable('the answer is not JSON')
  }
  const answer = v.safeParse(Answer, body)
  if (!answer.success) throw unavailable('the answer is not siteverify\'s')
  return answer.output
}

/** With a list of allowed origins, the token must have been solved on one of their pages (or the
 * Worker's own, which serves the demo page): a token from a page elsewhere is refused. */
function checkHostname(request: Request, env: Env, hostname: string | undefined): void {
  const origins = setting(env, 'ALLOWED_ORIGINS')
  if (origins === '*') return
  const hostnames = [request.url, ...origins].map((o) => new URL(o).hostname)
  if (hostname !== undefined && hostnames.includes(hostname)) return
  console.warn(`Turnstile token solved on ${JSON.stringify(hostname ?? null)}, not a host in ALLOWED_ORIGINS`)
  throw invalidTurnstile()
}
