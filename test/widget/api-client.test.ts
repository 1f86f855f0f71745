import { expect, test, vi } from 'vitest'
import { createApiClient } from '../../widget/src/api-client'
import { json, stubServer } from './support'

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
  const result = await createApiClient('https://chat.example').register({ token: 't', email: 'x' }, () => {
    throw new Error('must not retry')
  })
  expect(result).toEqual({ ok: false, status: 400, error: 'Invalid email x [error-invalid-email]', errorType: 'error-invalid-email' })
  expect(server.sent).toEqual([{ method: 'POST', path: '/api/v1/livechat/visitor', body: { visitor: { token: 't', email: 'x' } } }])
})

test('a 500 error-invalid-config is final (the site must fix its configuration); another 500 is retried', async () => {
  const invalidConfig = { success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config' }
  const server = stubServer({
    'POST /api/v1/livechat/visitor': json(invalidConfig, 500),
    'GET /api/v1/livechat/config': [json({ success: false, error: 'boom' }, 500), json({ config: {}, success: true })],
  })
  const client = createApiClient('https://chat.example')
  const retries: number[] = []
  expect(await client.register({ token: 't' }, (ms) => void retries.push(ms))).toEqual({
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
