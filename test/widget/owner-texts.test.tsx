// Issue 14: the site owner's texts (LIVECHAT_WIDGET_TEXTS, as config.texts) replace the widget's
// own, per language, in the form and in the chat chunk; languages other than English arrive as a
// chunk of their own, English showing meanwhile or when it cannot be fetched.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { beforeEach, expect, test, vi } from 'vitest'
import { languages } from '../../widget/src/i18n'
import { toList } from '../../widget/src/strings/list'
import { CONFIG, json, mountWidget, stubServer } from './support'
import { stubWebSocket } from './fake-ddp'

const TEXTS = {
  en: { known: 'Thanks! We reply within the hour.', knownAs: 'Thanks, {name}! We reply within the hour.', submit: 'Talk to us', title: 'Ask Example Shop' },
  de: { submit: 'Los geht’s', servedBy: 'Hier schreibt {name} von Example Shop.' },
}
const withTexts = (config = CONFIG) => json({ config: { ...config, texts: TEXTS }, success: true })

beforeEach(() => {
  stubWebSocket()
})

test("the form, its heading and the confirmation use the owner's texts for the visitor's language", async () => {
  stubServer({ 'GET /api/v1/livechat/config': withTexts() })
  mountWidget()
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  // The owner's title for English wins over LIVECHAT_THEME's ("Chat with us").
  expect(screen.getByRole('heading').textContent).toBe('Ask Example Shop')
  // Texts the owner left alone stay the widget's.
  expect(screen.getByText('Tell us who you are and we will connect you with an agent.')).toBeTruthy()
  fireEvent.click(screen.getByRole('button', { name: 'Talk to us' }))
  expect(await screen.findByText('Thanks, Ana! We reply within the hour.')).toBeTruthy()
})

test("another language gets that language's texts, not English ones; the host page's title still wins", async () => {
  stubServer({ 'GET /api/v1/livechat/config': withTexts() })
  const { widget } = mountWidget({ lang: 'de' })
  expect(await screen.findByRole('button', { name: 'Los geht’s' })).toBeTruthy()
  expect(screen.getByRole('heading').textContent).toBe('Chat with us')
  widget.setTheme({ title: 'Host title' })
  await waitFor(() => expect(screen.getByRole('heading').textContent).toBe('Host title'))
  widget.setLanguage('es')
  expect(await screen.findByRole('button', { name: 'Iniciar chat' })).toBeTruthy()
})

test("the chat chunk uses the owner's texts too", async () => {
  localStorage.setItem('ecc:token', 'visitor-token-1')
  localStorage.setItem('ecc:visitor', JSON.stringify({ name: 'Ana' }))
  const agent = { _id: 'A1', username: 'ada', name: 'Ada', status: 'available' }
  const room = { _id: 'R1', t: 'l', fname: 'Ana', v: { _id: 'V1', username: 'guest-1', token: 'visitor-token-1' }, open: true, ts: '2026-01-01T00:00:00.000Z', msgs: 0, _updatedAt: '2026-01-01T00:00:00.000Z', servedBy: agent }
  stubServer({
    'GET /api/v1/livechat/config': withTexts({ ...CONFIG, online: true, room, agent } as typeof CONFIG),
    'GET /api/v1/livechat/messages.history/': json({ messages: [], success: true }),
  })
  mountWidget({ chat: true, lang: 'de' })
  expect(await screen.findByText('Hier schreibt Ada von Example Shop.')).toBeTruthy()
  expect(screen.getByRole('button', { name: 'Senden' })).toBeTruthy()
})

test('a language chunk that cannot be fetched leaves English showing, and is asked for again at the next change', async () => {
  stubServer()
  const load = vi.fn().mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValue({ default: toList({ ...languages.en!, openChat: 'Abrir el chat' }) })
  delete languages.es
  const { widget } = mountWidget({ open: false, loadStrings: load })
  widget.setLanguage('es')
  await waitFor(() => expect(load).toHaveBeenCalledTimes(1))
  expect(screen.getByRole('button', { name: 'Open chat' })).toBeTruthy()
  widget.setTheme({ color: '#005a9c' })
  expect(await screen.findByRole('button', { name: 'Abrir el chat' })).toBeTruthy()
  expect(load).toHaveBeenCalledTimes(2)
  expect(load).toHaveBeenCalledWith('es')
  delete languages.es
})
