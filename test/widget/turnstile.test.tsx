// @vitest-environment-options {"settings": {"disableJavaScriptFileLoading": true, "handleDisabledFileLoadingAsSuccess": true}}
// Issue 14: Cloudflare Turnstile in the forms, only on sites that turn it on. Cloudflare's script
// cannot be fetched here: happy-dom reports it loaded without fetching it, and `window.turnstile`
// is a stand-in that hands out tokens (the browser tests run the glue against a stand-in script).
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { CONFIG, json, mountWidget, stubServer } from './support'
import { stubWebSocket } from './fake-ddp'

const SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'
const WITH_TURNSTILE = { ...CONFIG, settings: { turnstileSiteKey: '1x00000000000000000000AA' } }
const INVALID = json({ success: false, error: 'The spam check failed, please try again [error-invalid-turnstile]', errorType: 'error-invalid-turnstile' }, 400)

/** Cloudflare's API as the forms use it: render() solves at once, reset() solves again. */
function fakeTurnstile() {
  const rendered: { sitekey: string; container: HTMLElement }[] = []
  let issued = 0
  let solve = (_token: string) => {}
  window.turnstile = {
    render(container: HTMLElement, options: any) {
      rendered.push({ sitekey: options.sitekey, container })
      solve = options.callback
      solve(`token-${++issued}`)
      return 'w1'
    },
    reset() {
      solve(`token-${++issued}`)
    },
    remove() {},
  }
  return { rendered, issued: () => issued }
}

const scripts = () => [...document.head.querySelectorAll('script')].map((s) => s.src)
const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))

beforeEach(() => {
  stubWebSocket()
})

afterEach(() => {
  delete window.turnstile
})

test('off (no site key): no script, no box, no header', async () => {
  const server = stubServer()
  mountWidget()
  fill(/^Name/, (await screen.findByLabelText(/^Name/), 'Ana'))
  fill(/^Email/, 'ana@example.com')
  submit()
  await screen.findByText(/You're all set/)
  expect(scripts()).toEqual([])
  expect(document.querySelector('.turnstile')).toBeNull()
  expect(server.posts()[0]).not.toHaveProperty('turnstile')
})

test("on: Cloudflare's script renders the challenge in the form; the token goes in X-Turnstile-Token, once", async () => {
  const turnstile = fakeTurnstile()
  const server = stubServer({
    'GET /api/v1/livechat/config': json({ config: WITH_TURNSTILE, success: true }),
    'POST /api/v1/livechat/visitor': [INVALID, (req) => json({ visitor: { name: req.body.visitor.name }, success: true })],
  })
  mountWidget()
  await screen.findByLabelText(/^Name/)
  await waitFor(() => expect(turnstile.rendered).toHaveLength(1))
  expect(scripts()).toEqual([SCRIPT])
  expect(turnstile.rendered[0].sitekey).toBe('1x00000000000000000000AA')
  expect(turnstile.rendered[0].container.className).toBe('turnstile')
  fill(/^Name/, 'Ana')
  fill(/^Email/, 'ana@example.com')

  // Refused (say, expired meanwhile): the visitor is asked to pass the check again, and the
  // challenge is reset for a new token, which the next submit carries.
  submit()
  await screen.findByText('Please complete the security check.')
  expect(turnstile.issued()).toBe(2)
  submit()
  await screen.findByText(/You're all set/)
  expect(server.posts().map((p) => p.turnstile)).toEqual(['token-1', 'token-2'])
})

test('no token yet: the form says so and sends nothing', async () => {
  window.turnstile = { render: () => 'w1', reset() {}, remove() {} }
  const server = stubServer({ 'GET /api/v1/livechat/config': json({ config: WITH_TURNSTILE, success: true }) })
  mountWidget()
  fill(/^Name/, (await screen.findByLabelText(/^Name/), 'Ana'))
  fill(/^Email/, 'ana@example.com')
  submit()
  expect(await screen.findByText('Please complete the security check.')).toBeTruthy()
  expect(server.posts()).toHaveLength(0)
})

test('the offline form carries a token too', async () => {
  const turnstile = fakeTurnstile()
  const server = stubServer({
    'GET /api/v1/livechat/config': json({ config: { ...WITH_TURNSTILE, online: false }, success: true }),
    'POST /api/v1/livechat/offline.message': json({ message: 'ok', success: true }),
  })
  mountWidget({ chat: true })
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Call me back' } })
  await waitFor(() => expect(turnstile.rendered).toHaveLength(1))
  fireEvent.click(screen.getByRole('button', { name: 'Send message' }))
  await screen.findByText('Thank you! Your message has been sent.')
  expect(server.posts()).toMatchObject([{ path: '/api/v1/livechat/offline.message', turnstile: 'token-1' }])
})
