// Parameter checks, reported in the words of Rocket.Chat's `check()` ("Match error: ..."),
// always naming the field.
import * as v from 'valibot'
import { ApiError } from './responses.ts'
import { LIMITS, hasControlCharacters, hasLoneSurrogates, isValidToken, usernameProblem } from '../../../shared/visitor-rules.ts'

const kindOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x)

function describe(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((p) => String(p.key)) ?? []
  const field = path.join('.')
  const parent = path.slice(0, -1).join('.')
  if (issue.expected === 'never') return `Match error: Unknown key in field ${field}`
  if (issue.input === undefined && issue.expected?.startsWith('"'))
    return `Match error: Missing key '${path.at(-1)}'${parent ? ` in field ${parent}` : ''}`
  if (issue.kind === 'schema') {
    const where = field ? ` in field ${field}` : ''
    return `Match error: Expected ${issue.expected?.toLowerCase()}, got ${kindOf(issue.input)}${where}`
  }
  return `Match error: ${field} ${issue.message}`
}

/** Parses `input` or throws a 400 naming the first offending field. */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true })
  if (!result.success) throw new ApiError(400, describe(result.issues[0]))
  return result.output
}

/** A single-line string of at most `max` characters. */
export const text = (max: number) =>
  v.pipe(
    v.string(),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => !hasControlCharacters(s), 'must not contain control characters'),
    v.check((s) => !hasLoneSurrogates(s), 'must be valid Unicode text'),
  )

/** An absolute http(s) URL of at most `max` characters, such as a page a visitor was on: shown to
 * agents as a link, so no other scheme (javascript:, data:) gets through. */
export const httpUrlText = (max: number) =>
  v.pipe(
    text(max),
    v.check((s) => { try { return /^https?:$/.test(new URL(s).protocol) } catch { return false } }, 'must be an http(s) URL'),
  )

/** A username asked for by a visitor or an agent: no invisible characters, no spaces at either end
 * (refused rather than cleaned, so nobody ends up with a name they did not send). */
export const usernameText = v.pipe(
  text(LIMITS.username),
  v.check((s) => usernameProblem(s) === null, (issue) => usernameProblem(issue.input as string)!),
)

/** Custom field values as an agent sends them, `{<field id>: value}`. Not v.record, which skips
 * keys such as `__proto__` and `constructor`: here they are plain field ids, read with Object.hasOwn. */
export const fieldValues = v.pipe(
  v.unknown(),
  v.check((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be an object'),
  v.transform((x) => x as Record<string, unknown>),
)

/** Rocket.Chat's `Match.Maybe`: null is as good as absent. */
export const maybe = <S extends v.GenericSchema>(schema: S) => v.nullish(schema)

/** An email, normalised (trimmed, lowercased) before its length is checked, so surrounding spaces
 * never make it too long. */
export const emailText = v.pipe(v.string(), v.trim(), v.toLowerCase(), text(LIMITS.email))

/** Throws 400 `[error-invalid-token]` unless the token fits the token rule (it becomes part of keys). */
export function checkTokenShape(token: string): void {
  if (!isValidToken(token))
    throw ApiError.coded('error-invalid-token', `Token must be 1-${LIMITS.token} letters, digits, '-' or '_'`)
}
