// Verified visitors: the site's backend signs `${identifier}.${expires}` with HMAC-SHA-256 under
// VISITOR_IDENTITY_SECRET, and the widget passes the signature on. Unlike Chatwoot's identity
// hashes, ours expire, so a leaked one cannot be replayed for long.
import { setting } from '../config.ts'
import { fromHex } from '../../../shared/ids.ts'
import { ApiError } from '../http/responses.ts'
import { IDENTITY_MAX_LIFETIME_S, type VisitorIdentity } from '../../../shared/visitor-rules.ts'

const invalid = (reason: string) => ApiError.coded('error-invalid-identity', reason)


/** Checks the signature in constant time and returns the identifier it vouches for. */
export async function verifyIdentity(identity: VisitorIdentity, env: Env, now = Date.now()): Promise<string> {
  // Read first: without a secret no signature can be checked, and that is the operator's to fix.
  const secret = setting(env, 'VISITOR_IDENTITY_SECRET')
  const { identifier, expires, signature } = identity
  const nowS = Math.floor(now / 1000)
  if (expires <= nowS) throw invalid('The visitor identity has expired')
  if (expires > nowS + IDENTITY_MAX_LIFETIME_S)
    throw invalid(`The visitor identity must expire within ${IDENTITY_MAX_LIFETIME_S} seconds`)
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  // subtle.verify compares in constant time.
  const genuine = await crypto.subtle.verify('HMAC', key, fromHex(signature), new TextEncoder().encode(`${identifier}.${expires}`))
  if (!genuine) throw invalid('The visitor identity signature is not valid')
  return identifier
}
