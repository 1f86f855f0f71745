// Issue 14: Rocket.Chat's data processing consent in the pre-chat form, and the page the form was
// filled on (visitor.sourcePage) sent with each registration, within the Worker's limits.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { afterEach, expect, test, vi } from 'vitest'
import { sourcePage } from '../../widget/src/visitor-payload'
import { CONFIG, json, mountWidget, page, stubServer, tick } from './support'

const TEXT = 'I agree that Example Shop keeps what I send to answer me.'
const WITH_CONSENT = {
  ...CONFIG,
  settings: { forceAcceptDataProcessingConsent: true },
  messages: { dataProcessingConsentText: TEXT },
}

const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))

afterEach(() => {
  document.title = ''
})

test('without the setting there is no consent box and no consent is sent', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText(/^Name/)
  fill(/^Name/, 'Ana')
  fill(/^Email/, 'ana@example.com')
  expect(screen.queryByRole('checkbox')).toBeNull()
  submit()
  await screen.findByText(/You're all set/)
  expect(server.posts()[0].body.visitor).not.toHaveProperty('consent')
})

test("the owner's text labels a required box; unticked, the form says so on the box and sends nothing", async () => {
  const server = stubServer({ 'GET /api/v1/livechat/config': json({ config: WITH_CONSENT, success: true }) })
  mountWidget()
  const box = (await screen.findByLabelText(TEXT)) as HTMLInputElement
  expect([box.type, box.required, box.checked]).toEqual(['checkbox', true, false])
  fill(/^Name/, 'Ana')
  fill(/^Email/, 'ana@example.com')
  submit()
  await waitFor(() => expect(box.getAttribute('aria-invalid')).toBe('true'))
  const error = document.getElementById(box.getAttribute('aria-describedby')!)!
  expect(error.textContent).toBe('This field is required.')
  expect(server.posts()).toHaveLength(0)

  // Ticking it clears the error at once, before any submit.
  tick(box)
  await waitFor(() => expect(box.getAttribute('aria-invalid')).toBeNull())
  expect(screen.queryByText('This field is required.')).toBeNull()
  submit()
  await screen.findByText(/You're all set/)
  expect(server.posts()[0].body.visitor).toMatchObject({ name: 'Ana', consent: true })
})

test('consent given once goes along with the host page\'s later updates of this visitor', async () => {
  const server = stubServer({ 'GET /api/v1/livechat/config': json({ config: WITH_CONSENT, success: true }) })
  const { widget } = mountWidget()
  await screen.findByLabelText(/^Name/)
  fill(/^Name/, 'Ana')
  fill(/^Email/, 'ana@example.com')
  tick((await screen.findByLabelText(TEXT)) as HTMLInputElement)
  submit()
  await screen.findByText(/You're all set/)
  widget.setGuest({ phone: '+55 11 5555-0000' })
  await waitFor(() => expect(server.posts()).toHaveLength(2))
  expect(server.posts()[1].body.visitor).toMatchObject({ phone: '+55 11 5555-0000', consent: true })
})

test('each registration tells the page it was made on: its URL and title', async () => {
  document.title = 'Pricing | Example Shop'
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText(/^Name/)
  fill(/^Name/, 'Ana')
  fill(/^Email/, 'ana@example.com')
  submit()
  await screen.findByText(/You're all set/)
  expect(server.posts()[0].body.visitor.sourcePage).toEqual({ url: location.href, title: 'Pricing | Example Shop' })
  expect(page().title).toBe('Pricing | Example Shop')
})

test('a long title is cut to 256 characters without splitting a character', () => {
  document.title = `${'a'.repeat(255)}😀 and more`
  expect(sourcePage()!.title).toBe('a'.repeat(255))
  document.title = 'é'.repeat(300)
  expect(sourcePage()!.title).toBe('é'.repeat(256))
})

test('a page the Worker would refuse sends no sourcePage rather than failing the registration', () => {
  document.title = 'Shop'
  vi.stubGlobal('location', { href: 'file:///home/ana/shop.html' })
  expect(sourcePage()).toBeUndefined()
  vi.stubGlobal('location', { href: `https://shop.example/?q=${'x'.repeat(2048)}` })
  expect(sourcePage()).toBeUndefined()
  vi.stubGlobal('location', { href: 'https://shop.example/pricing' })
  expect(sourcePage()).toEqual({ url: 'https://shop.example/pricing', title: 'Shop' })
  document.title = 'Shop \ud800 broken'
  expect(sourcePage()).toBeUndefined()
})
