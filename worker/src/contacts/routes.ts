// The agents' contact endpoints (auth). Rocket.Chat's order everywhere: authentication, then
// permission, then parameters. The legacy GET reads KV's copy at the edge; the others ask the
// registry, which is strongly consistent and holds the columns to search.
import type { IRequest } from 'itty-router'
import * as v from 'valibot'
import { authenticate, requirePermission } from '../agents/auth.ts'
import { readJsonBody } from '../http/body.ts'
import { setting, visitorFields } from '../config.ts'
import { ContactStore } from '../contact-store.ts'
import { SAFE_KEY_PART } from '../keys.ts'
import type { Permission } from '../../../shared/roles.ts'
import { ApiError, ok } from '../http/responses.ts'
import { parseOrThrow } from '../http/validation.ts'
import { paging, wholeNumber } from '../http/paging.ts'
import type { Criteria } from '../visitors/visitor-table.ts'
import { normalizeEmail } from '../../../shared/visitor-rules.ts'
import { registry } from '../visitors/visitor-registry.ts'
import { agentsView } from './agents-view.ts'
import { parseContactInput } from './contact-input.ts'
import { checkContactManager, contactManagerById } from './contact-manager.ts'
import { parseContactUpdate } from './contact-update.ts'


/** Authenticates and checks the permission; returns the store the check used. */
async function allow(request: Request, env: Env, permission: Permission): Promise<ContactStore> {
  const store = new ContactStore(env.CONTACTS)
  requirePermission(await authenticate(request, store), permission)
  return store
}

const ContactQuery = v.strictObject({ contactId: v.string() })

/** A contactId from the request, checked before it becomes part of a key. */
function validId(id: string): string {
  if (!SAFE_KEY_PART.test(id)) throw ApiError.coded('error-invalid-params', 'Invalid contactId')
  return id
}

/** GET /api/v1/omnichannel/contact?contactId= — 1 KV read for the credentials, 1 for the contact. */
export async function getContact(request: IRequest, env: Env): Promise<Response> {
  const store = await allow(request, env, 'view-l-room')
  const contactId = validId(parseOrThrow(ContactQuery, { ...request.query }).contactId)
  const show = agentsView(env)
  return ok({ contact: show(await store.getVisitor(contactId)) })
}

const contactNotFound = () => ApiError.coded('error-contact-not-found', 'Contact not found')

/** POST /api/v1/omnichannel/contact — create or update by token (and by email only in mode
 * `true`); answers the contact's _id. */
export async function postContact(request: IRequest, env: Env): Promise<Response> {
  const store = await allow(request, env, 'view-l-room')
  const mode = setting(env, 'MATCH_VISITORS_BY_CONTACT')
  const input = parseContactInput(await readJsonBody(request), env)
  if (input.contactManager) await checkContactManager(store, input.contactManager)
  const saved = await registry(env).saveContact(input, mode)
  if ('erased' in saved) throw ApiError.coded('error-contact-erased', 'This token belonged to a contact that was erased')
  return ok({ contact: saved.id })
}

/** POST /api/v1/omnichannel/contacts.update — an edit by _id; never creates a contact. */
export async function updateContact(request: IRequest, env: Env): Promise<Response> {
  const store = await allow(request, env, 'update-livechat-contact')
  const show = agentsView(env)
  const { update, managerId } = parseContactUpdate(await readJsonBody(request), env)
  if (!SAFE_KEY_PART.test(update.contactId)) throw contactNotFound()
  const contactManager = managerId ? await contactManagerById(store, managerId) : update.contactManager
  const contact = await registry(env).updateContact({ ...update, contactManager })
  if (!contact) throw contactNotFound()
  return ok({ contact: show(contact) })
}

const SearchQuery = v.strictObject({ email: v.optional(v.string()), phone: v.optional(v.string()), custom: v.optional(v.string()) })

/** GET /api/v1/omnichannel/contact.search?email=|phone=|custom= — every criterion given must match. */
export async function searchContact(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'view-l-room')
  const query = parseOrThrow(SearchQuery, { ...request.query })
  const email = query.email === undefined ? undefined : normalizeEmail(query.email)
  const { phone } = query
  // A blank value would be a condition that matches every contact, or none: say so instead.
  if (email === '' || phone?.trim() === '') throw ApiError.coded('error-invalid-params', 'Search values must not be blank')
  const custom = parseCustom(query.custom)
  if (!email && !phone && !custom) throw ApiError.coded('error-invalid-params', '')
  const show = agentsView(env)
  const criteria = searchableCriteria(env, { email, phone, custom })
  return ok({ contact: show(criteria && await registry(env).search(criteria)) })
}

/** `custom` as Rocket.Chat takes it: a JSON object; not JSON (or not an object) is refused. */
function parseCustom(custom: string | undefined): Record<string, unknown> | undefined {
  if (!custom) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(custom)
  } catch {
    throw ApiError.coded('error-invalid-params-custom', '')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw ApiError.coded('error-invalid-params-custom', '')
  return Object.keys(parsed).length > 0 ? (parsed as Record<string, unknown>) : undefined
}

/** Null when a custom key is not a searchable field or its value is not text: then nothing matches. */
function searchableCriteria(env: Env, { email, phone, custom }: { email?: string; phone?: string; custom?: Record<string, unknown> }): Criteria | null {
  if (!custom) return { email, phone }
  const searchable = new Set(visitorFields(env).filter((f) => f.searchable).map((f) => f._id))
  const entries = Object.entries(custom)
  if (!entries.every(([key, value]) => searchable.has(key) && typeof value === 'string' && value !== '')) return null
  return { email, phone, custom: Object.fromEntries(entries) as Record<string, string> }
}

const ListQuery = v.object({ term: v.optional(v.string(), ''), count: v.optional(wholeNumber), offset: v.optional(wholeNumber) })

/** GET /api/v1/livechat/visitors.search?term=&count=&offset= — newest first, one page. */
export async function searchVisitors(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'view-l-room')
  const query = parseOrThrow(ListQuery, { ...request.query })
  const { count, offset } = paging(query)
  const show = agentsView(env)
  const { visitors, total } = await registry(env).list(query.term.trim(), count, offset)
  return ok({ visitors: visitors.map(show), count: visitors.length, offset, total })
}

const InfoQuery = v.strictObject({ visitorId: v.string() })

/** GET /api/v1/livechat/visitors.info?visitorId= — from the registry. */
export async function visitorInfo(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'view-l-room')
  const visitorId = parseOrThrow(InfoQuery, { ...request.query }).visitorId
  const show = agentsView(env)
  const visitor = SAFE_KEY_PART.test(visitorId) ? await registry(env).info(visitorId) : null
  if (!visitor) throw ApiError.coded('visitor-not-found', '')
  return ok({ visitor: show(visitor) })
}

const DeleteBody = v.strictObject({ contactId: v.string() })

/** POST /api/v1/omnichannel/contacts.delete — erasure, exactly as DELETE livechat/visitor/:token. */
export async function deleteContact(request: IRequest, env: Env): Promise<Response> {
  await allow(request, env, 'delete-livechat-contact')
  const contactId = validId(parseOrThrow(DeleteBody, await readJsonBody(request)).contactId)
  const erased = await registry(env).eraseById(contactId)
  if (!erased) throw contactNotFound()
  return ok({})
}
