import { fireEvent, screen } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { CONFIG, json, mountWidget, stubServer } from './support'

const configRequests = (server: ReturnType<typeof stubServer>) => server.sent.filter((s) => s.path === '/api/v1/livechat/config')

test('a closed widget that cannot load its config gives up after 5 attempts; opening it says chat is unavailable and tries again', async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const server = stubServer({
    'GET /api/v1/livechat/config': [...Array(6).fill('network-error'), json({ config: CONFIG, success: true })],
  })
  mountWidget({ open: false })
  await vi.advanceTimersByTimeAsync(120_000)
  expect(configRequests(server)).toHaveLength(5)

  fireEvent.click(screen.getByRole('button', { name: 'Open chat' }))
  expect(screen.getByText('Chat is unavailable right now.')).toBeTruthy()
  await vi.advanceTimersByTimeAsync(0)
  expect(configRequests(server)).toHaveLength(6)
  expect(screen.getByText("Couldn't reach the server. Retrying…")).toBeTruthy()
  await vi.advanceTimersByTimeAsync(500)
  expect(screen.getByLabelText('Name')).toBeTruthy()
})

test('while the panel is open, loading the config keeps retrying until it succeeds', async () => {
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
  const server = stubServer({
    'GET /api/v1/livechat/config': [...Array(8).fill('network-error'), json({ config: CONFIG, success: true })],
  })
  mountWidget()
  await vi.advanceTimersByTimeAsync(60_000)
  expect(configRequests(server)).toHaveLength(9)
  expect(screen.getByLabelText('Name')).toBeTruthy()
})
