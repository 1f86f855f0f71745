// An unknown X-User-Id must cost what a wrong token for a real one costs: the same hashing and
// the same constant-time comparison. Counted, not timed, so the test cannot flake: the defect
// was a missing user answered before any digest or comparison, which a stopwatch could tell apart.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { countingKv, createAgent, getContact } from './support.ts'

const LOGGED_OUT = {
  success: false,
  error: 'You must be logged in to do this.',
  status: 'error',
  message: 'You must be logged in to do this.',
}

let digest: MockInstance<SubtleCrypto['digest']>
let timingSafeEqual: MockInstance<SubtleCrypto['timingSafeEqual']>

beforeEach(() => {
  // Spies that still call through: the Worker must keep working for real.
  digest = vi.spyOn(crypto.subtle, 'digest')
  timingSafeEqual = vi.spyOn(crypto.subtle, 'timingSafeEqual')
})

afterEach(() => {
  vi.restoreAllMocks()
})

const byteLength = (b: unknown) => (b as ArrayBufferView | ArrayBuffer).byteLength

/** The crypto work and KV reads one contact request makes, and its answer. */
async function work(headers: Record<string, string>) {
  digest.mockClear()
  timingSafeEqual.mockClear()
  const kv = countingKv()
  const response = await getContact('?contactId=gAoxwhBGgEh8cyKx4', headers, kv.env)
  return {
    status: response.status,
    body: await response.json(),
    digests: digest.mock.calls.map(([algorithm, data]) => [algorithm, byteLength(data)]),
    comparisons: timingSafeEqual.mock.calls.map(([a, b]) => [byteLength(a), byteLength(b)]),
    verdicts: timingSafeEqual.mock.results.map((r) => r.value),
    kvReads: kv.counts.get,
  }
}

describe('authentication does the same work whether or not the user exists', () => {
  it('spies on crypto.subtle inside workerd see the calls, and call through', async () => {
    const data = new TextEncoder().encode('abc')
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
    expect(hash.byteLength).toBe(32)
    expect(crypto.subtle.timingSafeEqual(hash, hash)).toBe(true)
    expect(digest).toHaveBeenCalledTimes(1)
    expect(timingSafeEqual).toHaveBeenCalledTimes(1)
    expect(timingSafeEqual).toHaveReturnedWith(true)
  })

  it('a missing user id hashes and compares exactly as a wrong token for an existing one', async () => {
    const { userId, authToken } = await createAgent()
    const wrongToken = authToken.slice(1) + 'x'

    const existing = await work({ 'X-User-Id': userId, 'X-Auth-Token': wrongToken })
    const missing = await work({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': wrongToken })

    for (const result of [existing, missing]) {
      expect(result.status).toBe(401)
      expect(result.body).toEqual(LOGGED_OUT)
    }
    // One SHA-256 of the given token, one comparison of two 64-byte hex hashes, two KV reads (the
    // agent and the session the hash would name): each way.
    expect(existing.digests).toEqual([['SHA-256', wrongToken.length]])
    expect(existing.comparisons).toEqual([[64, 64]])
    expect(existing.kvReads).toBe(2)
    // The comparison said no: a wrong token is refused by the comparison itself.
    expect(existing.verdicts).toEqual([false])
    expect(missing).toEqual(existing)
  })

  it('the right token does the same work, and the comparison is what lets it in', async () => {
    const { authToken, headers } = await createAgent()
    const right = await work(headers)
    const missing = await work({ 'X-User-Id': 'nobodyHere1234567', 'X-Auth-Token': authToken })
    expect(right.status).toBe(200)
    expect(right.body).toEqual({ contact: null, success: true })
    expect(right.verdicts).toEqual([true])
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual(LOGGED_OUT)
    expect(missing.verdicts).toEqual([false])
    expect(missing.digests).toEqual(right.digests)
    expect(missing.comparisons).toEqual(right.comparisons)
    // The contact itself is the one more KV read, after a successful authentication.
    expect([missing.kvReads, right.kvReads]).toEqual([2, 3])
  })
})
