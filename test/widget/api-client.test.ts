import { expect, test, vi } from 'vitest'
import { createApiClient } from '../../widget/src/api-client'
import { json, stubServer } from './support'

test('failed requests are retried after 1, 2, 4, 8 s, then every 15 s', async () => {
  vi.useFakeTimers()
  stubServer({ 'GET /api/v1/livechat/config': [...Array(6).fill('network-error'), json({ config: {}, success: true })] })
  const delays: number[] = []
  const result = createApiClient('https://chat.example').config((ms) => delays.push(ms))
  await vi.advanceTimersByTimeAsync(60_000)
  expect(await result).toEqual({ ok: true, data: { config: {}, success: true } })
  expect(delays).toEqual([1000, 2000, 4000, 8000, 15000, 15000])
})

test("a 429 waits for the server's Retry-After", async () => {
  vi.useFakeTimers()
  stubServer({
    'GET /api/v1/livechat/config': [new Response('{}', { status: 429, headers: { 'retry-after': '3' } }), json({ config: {}, success: true })],
  })
  const delays: number[] = []
  const result = createApiClient('https://chat.example').config((ms) => delays.push(ms))
  await vi.advanceTimersByTimeAsync(3000)
  expect((await result).ok).toBe(true)
  expect(delays).toEqual([3000])
})

test('a 4xx answer is returned with its error and errorType, without retrying', async () => {
  const server = stubServer({
    'POST /api/v1/livechat/visitor': json({ success: false, error: 'Invalid email x [error-invalid-email]', errorType: 'error-invalid-email' }, 400),
  })
  const result = await createApiClient('https://chat.example').register({ token: 't', email: 'x' }, () => {
    throw new Error('must not retry')
  })
  expect(result).toEqual({ ok: false, status: 400, error: 'Invalid email x [error-invalid-email]', errorType: 'error-invalid-email' })
  expect(server.sent).toEqual([{ method: 'POST', path: '/api/v1/livechat/visitor', body: { visitor: { token: 't', email: 'x' } } }])
})
