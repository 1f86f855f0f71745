// Issue 14: a Worker whose ALLOWED_ORIGINS leaves this page out answers the config with 403
// error-origin-not-allowed (readable, with CORS headers). The site owner is told in the browser
// console what to add, the visitor that chat is not set up here, and nothing is asked again.
import { fireEvent, screen } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import type { Lang } from '../../widget/src/i18n'
import { json, mountWidget, stubServer } from './support'

const REFUSED = json(
  { success: false, error: 'This origin may not call this endpoint [error-origin-not-allowed]', errorType: 'error-origin-not-allowed' },
  403,
)

const NOT_SET_UP: Record<Lang, string> = {
  en: 'This site is not set up for chat yet.',
  de: 'Der Chat ist auf dieser Website noch nicht eingerichtet.',
  es: 'Este sitio todavía no tiene el chat configurado.',
  'pt-BR': 'Este site ainda não está configurado para o chat.',
}

test.each(Object.keys(NOT_SET_UP) as Lang[])('the visitor reads that chat is not set up here (%s)', async (lang) => {
  stubServer({ 'GET /api/v1/livechat/config': REFUSED })
  vi.spyOn(console, 'error').mockImplementation(() => {})
  mountWidget({ lang })
  expect((await screen.findByText(NOT_SET_UP[lang])).getAttribute('role')).toBe('status')
})

test('the owner is told which origin to add where; opening and closing again asks nothing more', async () => {
  vi.useFakeTimers()
  const server = stubServer({ 'GET /api/v1/livechat/config': REFUSED })
  const error = vi.spyOn(console, 'error').mockImplementation(() => {})
  const { widget } = mountWidget({ open: false })
  await vi.advanceTimersByTimeAsync(0)
  expect(error).toHaveBeenCalledTimes(1)
  expect(error.mock.calls[0][0]).toContain(location.origin)
  expect(error.mock.calls[0][0]).toContain('ALLOWED_ORIGINS')
  for (let i = 0; i < 3; i++) {
    fireEvent.click(screen.getByRole('button', { name: /Open chat/ }))
    expect(screen.getByText('This site is not set up for chat yet.')).toBeTruthy()
    widget.close()
    await vi.advanceTimersByTimeAsync(120_000)
  }
  expect(server.sent).toHaveLength(1)
  expect(error).toHaveBeenCalledTimes(1)
})

test("a remembered visitor keeps their registration: the refusal says nothing about their token, and they are not asked about again", async () => {
  vi.useFakeTimers()
  localStorage.setItem('ecc:token', 'visitor-token-1')
  localStorage.setItem('ecc:visitor', JSON.stringify({ name: 'Ana' }))
  const server = stubServer({ 'GET /api/v1/livechat/config': REFUSED, 'GET /api/v1/livechat/visitor/': REFUSED })
  vi.spyOn(console, 'error').mockImplementation(() => {})
  const { widget } = mountWidget({ open: false })
  await vi.advanceTimersByTimeAsync(0)
  widget.open()
  await vi.advanceTimersByTimeAsync(0)
  // Not "You're all set": the chat cannot work here.
  expect(screen.getByText('This site is not set up for chat yet.')).toBeTruthy()
  await vi.advanceTimersByTimeAsync(120_000)
  expect(server.sent.map((s) => s.path)).toEqual(['/api/v1/livechat/visitor/visitor-token-1', '/api/v1/livechat/config'])
  expect(JSON.parse(localStorage.getItem('ecc:visitor')!)).toEqual({ name: 'Ana' })
})
