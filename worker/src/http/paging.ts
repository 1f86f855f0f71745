// Query-string numbers and paging, as Rocket.Chat's getPaginationItems reads them.
import * as v from 'valibot'

/** A whole number in a query string. */
export const wholeNumber = v.pipe(v.string(), v.regex(/^\d{1,9}$/, 'must be a whole number'), v.transform(Number))

/** `count` defaults to 50 and is capped at 100; `offset` defaults to 0. */
export function paging(query: { offset?: number; count?: number }): { offset: number; count: number } {
  return { offset: query.offset ?? 0, count: Math.min(query.count ?? 50, 100) }
}
