// The agents' endpoint: GET /api/v1/omnichannel/contact (auth, `view-l-room`).
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import { authenticate, requirePermission } from '../auth.ts'
import { setting } from '../config.ts'
import { ContactStore } from '../contact-store.ts'
import { SAFE_KEY_PART } from '../keys.ts'
import { ApiError, ok } from '../responses.ts'
import { parseOrThrow } from '../validation.ts'

const Query = v.strictObject({ contactId: v.string() })

/** 1 read for the agent's credentials, then 1 for the contact. */
export async function getContact(request: IRequest, env: Env): Promise<Response> {
  const store = new ContactStore(env.CONTACTS)
  // Rocket.Chat's order: authentication, then permission, then parameters.
  requirePermission(await authenticate(request, store), 'view-l-room')
  const { contactId } = parseOrThrow(Query, { ...request.query })
  if (!SAFE_KEY_PART.test(contactId)) throw ApiError.coded('error-invalid-params', 'Invalid contactId')
  // Read before the lookup, so a broken setting shows on every call, not only when a contact exists.
  const includeToken = setting(env, 'CONTACT_INCLUDE_TOKEN')

  const visitor = await store.getVisitor(contactId)
  if (!visitor) return ok({ contact: null })
  if (includeToken) return ok({ contact: visitor })
  const { token: _omitted, ...contact } = visitor
  return ok({ contact })
}
