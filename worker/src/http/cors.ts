// CORS and origin checks per route group, from the configured origins. itty-router's cors() is
// configured once at module load and sends no `Vary: Origin`; ours reads env per request and does both.
import type { Origins } from '../config.ts'
import { ApiError } from './responses.ts'

export interface CorsPolicy {
  /** The setting(s) the origins come from, named in the log when an origin is refused. */
  setting: string
  origins: Origins
  methods: string
  headers: string
}

/** Whether a browser on the request's `Origin` may call: no Origin (not a browser's cross-site
 * call), the Worker's own origin, or a listed one. `url`: the request's, parsed. */
function originAllowed(policy: CorsPolicy, request: Request, url: URL): boolean {
  const origin = request.headers.get('origin')
  return policy.origins === '*' || origin === null || origin === url.origin || policy.origins.includes(origin)
}

/**
 * Refuses, before anything is read or written, a browser call from an origin not on the list:
 * CORS alone only hides the answer from the page, and some requests need no preflight. The refusal
 * itself is readable by that origin, so the widget can tell the site owner which origin to add,
 * and the log names it for the operator.
 */
export function enforceOrigin(policy: CorsPolicy, request: Request, url: URL): void {
  if (originAllowed(policy, request, url)) return
  const origin = request.headers.get('origin')!
  // JSON-quoted: the header is the client's. No path: some carry a visitor's token.
  console.warn(`Refused origin ${JSON.stringify(origin)}: not in ${policy.setting}`)
  const error = ApiError.coded('error-origin-not-allowed', 'This origin may not call this endpoint', 403)
  // Not for "null" (sandboxed frames, file:): allowing it would let any such page read answers.
  error.headers = origin === 'null' ? { vary: 'Origin' } : { 'access-control-allow-origin': origin, vary: 'Origin' }
  throw error
}

// Browsers hide every other header from a cross-origin page: the widget needs Retry-After.
const EXPOSED = { 'access-control-expose-headers': 'Retry-After' }

function allowOrigin(policy: CorsPolicy, request: Request, url: URL): Record<string, string> {
  if (policy.origins === '*') return { 'access-control-allow-origin': '*', ...EXPOSED }
  const origin = request.headers.get('origin')
  // Vary even when refusing: a cache must not hand one origin's answer to another.
  return origin && originAllowed(policy, request, url)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', ...EXPOSED }
    : { vary: 'Origin' }
}

/** The answer to an OPTIONS preflight. */
export function preflight(policy: CorsPolicy, request: Request, url: URL): Response {
  const headers = allowOrigin(policy, request, url)
  if (headers['access-control-allow-origin']) {
    Object.assign(headers, {
      'access-control-allow-methods': policy.methods,
      'access-control-allow-headers': policy.headers,
      'access-control-max-age': '86400',
    })
  }
  return new Response(null, { status: 204, headers })
}

/** Sets the policy's headers on a response. For a refused origin that is `Vary` alone, so its 403
 * keeps the `Access-Control-Allow-Origin` enforceOrigin gave it. */
export function withCors(policy: CorsPolicy, request: Request, response: Response, url: URL): Response {
  const headers = Object.entries(allowOrigin(policy, request, url))
  const add = (target: Response) => {
    for (const [name, value] of headers) target.headers.set(name, value)
    return target
  }
  // Our own responses take the headers in place; a fetched one's are immutable: it is copied.
  try {
    return add(response)
  } catch {
    return add(new Response(response.body, response))
  }
}
