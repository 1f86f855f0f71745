import { describe, expect, it } from 'vitest'
import { fetchVisitor, newToken, postVisitor } from './support.ts'
import type { Visitor } from '../../shared/visitor.ts'

const registerAll = async (visitors: Record<string, unknown>[]) =>
  Promise.all(visitors.map(async (visitor) => {
    const response = await postVisitor({ visitor })
    expect(response.status).toBe(200)
    return (await response.json<{ visitor: Visitor }>()).visitor
  }))

describe('concurrent registrations', () => {
  it('give 200 concurrent new visitors 200 distinct usernames and ids', async () => {
    const visitors = await registerAll(Array.from({ length: 200 }, () => ({ token: newToken() })))
    expect(new Set(visitors.map((v) => v.username)).size).toBe(200)
    expect(new Set(visitors.map((v) => v._id)).size).toBe(200)
  })

  it('give 50 concurrent first registrations of one token exactly one _id', async () => {
    const token = newToken()
    const visitors = await registerAll(Array.from({ length: 50 }, (_, i) => ({ token, name: `Tab ${i}` })))
    expect(new Set(visitors.map((v) => v._id)).size).toBe(1)
    expect(new Set(visitors.map((v) => v.username)).size).toBe(1)
    const stored = await fetchVisitor(token)
    expect(stored?._id).toBe(visitors[0]._id)
  })
})
