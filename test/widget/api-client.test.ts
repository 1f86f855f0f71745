import { expect, test, vi } from 'vitest'
import { MAX_ATTEMPTS, RETRY_BOUND_MS, createApiClient, retryAfterMs } from '../../widget/src/api-client'
import { postVisitor } from '../../widget/src/register'
import { json, page, stubServer } from './support'

test('failed requests are retried after a random wait of up to 1, 2, 4, 8 s, then up to 15 s', async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  stubServer({ 'GET /api/v1/livechat/config': [...Array(6).fill('network-error'), json({ config: {}, success: true })] })
  const delays: number[] = []
  const result = createApiClient('https://chat.example').config((ms) => void delays.push(ms))
  await vi.advanceTimersByTimeAsync(60_000)
  expect(await result).toEqual({ ok: true, data: { config: {}, success: true } })
  expect(delays).toEqual([500, 1000, 2000, 4000, 7500, 7500])
})

test("a 429 or 503 waits exactly the server's Retry-After", async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  stubServer({
    'GET /api/v1/livechat/config': [
      new Response('{}', { status: 429, headers: { 'retry-after': '3' } }),
      new Response('{}', { status: 503, headers: { 'retry-after': '2' } }),
      json({ config: {}, success: true }),
    ],
  })
  const delays: number[] = []
  const result = createApiClient('https://chat.example').config((ms) => void delays.push(ms))
  await vi.advanceTimersByTimeAsync(5000)
  expect((await result).ok).toBe(true)
  expect(delays).toEqual([3000, 2000])
})

test('a retry callback answering false gives up instead of waiting', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/config': 'network-error' })
  const result = await createApiClient('https://chat.example').config(() => false)
  expect(result).toMatchObject({ ok: false, status: 0 })
  expect(server.sent).toHaveLength(1)
})

test('a 4xx answer is returned with its error and errorType, without retrying', async () => {
  const server = stubServer({
    'POST /api/v1/livechat/visitor': json({ success: false, error: 'Invalid email x [error-invalid-email]', errorType: 'error-invalid-email' }, 400),
  })
  const result = await postVisitor(createApiClient('https://chat.example'), { token: 't', email: 'x' }, () => {
    throw new Error('must not retry')
  })
  expect(result).toEqual({ ok: false, status: 400, error: 'Invalid email x [error-invalid-email]', errorType: 'error-invalid-email' })
  expect(server.sent).toEqual([{ method: 'POST', path: '/api/v1/livechat/visitor', body: { visitor: { token: 't', email: 'x', sourcePage: page() } } }])
})

test('a 500 error-invalid-config is final (the site must fix its configuration); another 500 is retried', async () => {
  const invalidConfig = { success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config' }
  const server = stubServer({
    'POST /api/v1/livechat/visitor': json(invalidConfig, 500),
    'GET /api/v1/livechat/config': [json({ success: false, error: 'boom' }, 500), json({ config: {}, success: true })],
  })
  const client = createApiClient('https://chat.example')
  const retries: number[] = []
  expect(await postVisitor(client, { token: 't' }, (ms) => void retries.push(ms))).toEqual({
    ok: false,
    status: 500,
    error: invalidConfig.error,
    errorType: 'error-invalid-config',
  })
  expect(retries).toEqual([])
  vi.spyOn(Math, 'random').mockReturnValue(0)
  expect((await client.config((ms) => void retries.push(ms))).ok).toBe(true)
  expect(retries).toEqual([0])
  expect(server.sent).toHaveLength(3)
})

// The bound: a server that never recovers ends in a settled `{ok: false, gaveUp: true}`.
const INTERNAL = { success: false, error: 'Internal server error [error-internal]', errorType: 'error-internal' }

/** A reply that records when (ms since the test's start) each request was made. */
function timed(reply: () => Response) {
  const start = Date.now()
  const times: number[] = []
  return { times, reply: () => (times.push(Date.now() - start), reply()) }
}

test('the constants: at most 2 minutes and a handful of attempts', () => {
  expect(RETRY_BOUND_MS).toBe(90_000)
  expect(MAX_ATTEMPTS).toBe(10)
})

test(`a 500 error-internal forever: ${MAX_ATTEMPTS} requests, then it settles gaveUp and sends nothing more`, async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const { times, reply } = timed(() => json(INTERNAL, 500))
  const server = stubServer({ 'POST /api/v1/livechat/visitor': reply })
  let settled: unknown
  void postVisitor(createApiClient('https://chat.example'), { token: 't' }).then((r) => (settled = r))
  // Half of 1, 2, 4, 8 s, then half of 15 s: the attempt cap is reached at 45 s.
  await vi.advanceTimersByTimeAsync(45_000)
  expect(times).toEqual([0, 500, 1500, 3500, 7500, 15000, 22500, 30000, 37500, 45000])
  expect(settled).toEqual({ ok: false, status: 500, error: INTERNAL.error, errorType: 'error-internal', gaveUp: true })
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  expect(server.posts()).toHaveLength(MAX_ATTEMPTS)
  expect(vi.getTimerCount()).toBe(0)
})

test('the time bound: no wait that would end past it is waited, whatever the attempt count', async () => {
  vi.useFakeTimers()
  const { times, reply } = timed(() => new Response('{}', { status: 503, headers: { 'retry-after': '20' } }))
  stubServer({ 'GET /api/v1/livechat/config': reply })
  const result = createApiClient('https://chat.example').config()
  await vi.advanceTimersByTimeAsync(80_000)
  // A fifth wait of 20 s would end at 100 s, past the 90 s bound: it gives up at 80 s instead.
  expect(times).toEqual([0, 20_000, 40_000, 60_000, 80_000])
  expect(await result).toMatchObject({ ok: false, status: 503, gaveUp: true })
  expect(vi.getTimerCount()).toBe(0)
})

test("Retry-After is honoured in full, in seconds (60 s, more than the backoff's 15 s ceiling) or as an HTTP-date", async () => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'))
  stubServer({
    'GET /api/v1/livechat/config': [
      new Response('{}', { status: 429, headers: { 'retry-after': '60' } }),
      new Response('{}', { status: 503, headers: { 'retry-after': 'Tue, 01 Jan 2030 00:01:29 GMT' } }),
      json({ config: {}, success: true }),
    ],
  })
  const delays: number[] = []
  const result = createApiClient('https://chat.example').config((ms) => void delays.push(ms))
  await vi.advanceTimersByTimeAsync(60_000)
  // The second answer came at 00:01:00 and asked for 00:01:29: just inside the 90 s bound.
  expect(delays).toEqual([60_000, 29_000])
  await vi.advanceTimersByTimeAsync(29_000)
  expect((await result).ok).toBe(true)
})

test('a Retry-After beyond the time left gives up at once instead of waiting past the bound', async () => {
  vi.useFakeTimers()
  const server = stubServer({
    'POST /api/v1/livechat/visitor': () => new Response('{"success":false}', { status: 429, headers: { 'retry-after': '3600' } }),
  })
  const retries: number[] = []
  const result = await postVisitor(createApiClient('https://chat.example'), { token: 't' }, (ms) => void retries.push(ms))
  expect(result).toEqual({ ok: false, status: 429, error: 'HTTP 429', errorType: undefined, gaveUp: true })
  expect(retries).toEqual([])
  expect(server.posts()).toHaveLength(1)
  expect(vi.getTimerCount()).toBe(0)
})

test('Retry-After is read only on a 429 or 503: another 5xx backs off, and a 4xx is final', async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const server = stubServer({
    'GET /api/v1/livechat/config': [
      new Response('{}', { status: 502, headers: { 'retry-after': '30' } }),
      json({ config: {}, success: true }),
    ],
    'POST /api/v1/livechat/visitor': new Response('{"error":"Bad request"}', { status: 400, headers: { 'retry-after': '1' } }),
  })
  const client = createApiClient('https://chat.example')
  const delays: number[] = []
  const config = client.config((ms) => void delays.push(ms))
  await vi.advanceTimersByTimeAsync(500)
  expect((await config).ok).toBe(true)
  expect(delays).toEqual([500])
  expect(await postVisitor(client, { token: 't' }, () => void delays.push(-1))).toEqual({ ok: false, status: 400, error: 'Bad request', errorType: undefined })
  expect(delays).toEqual([500])
  expect(server.posts()).toHaveLength(1)
})

test('Retry-After values: delay-seconds, HTTP-dates (a past one means now), and unreadable ones ignored', () => {
  const now = Date.parse('2030-01-01T00:00:00Z')
  expect(retryAfterMs('120', now)).toBe(120_000)
  expect(retryAfterMs('0', now)).toBe(0)
  expect(retryAfterMs('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000)
  expect(retryAfterMs('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0)
  for (const unreadable of [null, '', 'soon', '-5', '1.5e3']) expect(retryAfterMs(unreadable, now)).toBeUndefined()
})

test('a request that never answers is cut off at the bound, and the call settles', async () => {
  vi.useFakeTimers()
  const fetch = vi.fn(
    (_url: string, init: RequestInit) =>
      new Promise<Response>((_, fail) => init.signal!.addEventListener('abort', () => fail(new DOMException('aborted', 'AbortError')))),
  )
  vi.stubGlobal('fetch', fetch)
  let settled: unknown
  void postVisitor(createApiClient('https://chat.example'), { token: 't' }).then((r) => (settled = r))
  await vi.advanceTimersByTimeAsync(RETRY_BOUND_MS - 1)
  expect(settled).toBeUndefined()
  await vi.advanceTimersByTimeAsync(1)
  expect(settled).toEqual({ ok: false, status: 0, error: 'Network error', errorType: undefined, gaveUp: true })
  expect(fetch).toHaveBeenCalledTimes(1)
})
