import { describe, expect, it } from 'vitest'
import { isSafePattern } from '../../worker/src/pattern-safety.ts'
import { FIELDS, call } from './support.ts'

describe('custom field patterns that could backtrack exponentially', () => {
  for (const pattern of ['^(a+)+$', '^(a*)*$', '^(a|a)*$', '^(ab|a)+$', '^((x|y)z)*$', '^(\\w+\\s?)*$'])
    it(`refuses ${pattern}`, () => expect(isSafePattern(pattern)).toBe(false))

  for (const pattern of ['^[0-9]{5}$', '^[A-Z]{2}-\\d{4}$', '^(foo|bar)$', '^[ab]*$', '^(ab){1,3}$', '^\\S+@\\S+$', '^(?:https?)://\\S+$'])
    it(`accepts ${pattern}`, () => expect(isSafePattern(pattern)).toBe(true))

  it('makes a config with one of them an invalid-config error for the form, not a slow request', async () => {
    const fields = JSON.parse(FIELDS)
    fields[0].regexp = '^(a|a)*$'
    const response = await call('/api/v1/livechat/config', {}, { LIVECHAT_CUSTOM_FIELDS: JSON.stringify(fields) })
    expect(response.status).toBe(500)
  })
})
