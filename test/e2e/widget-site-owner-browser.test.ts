// Issue 14, the widget's side of a real deployment, in Chromium against `wrangler dev`: an origin
// left out of ALLOWED_ORIGINS, Turnstile (Cloudflare's script and siteverify are unreachable here:
// a stand-in script served through Playwright's routing, and a local stand-in siteverify), the
// consent box, the owner's texts, and the page a contact came from.
import { createServer, type Server } from 'node:http'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Visitor } from '../../shared/visitor.ts'
import { hostHtml, serveHostPages, startDevAndChromium } from '../support/browser.ts'
import { agentCli, freePort, type WranglerDev } from '../support/wrangler-dev.ts'

const TURNSTILE_SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'
const CONSENT = 'I agree that Example Shop keeps what I send here to answer me.'
const TEXTS = { en: { submit: 'Talk to us', known: 'Thanks! We reply within the hour.', knownAs: 'Thanks, {name}! We reply within the hour.' } }

/** Cloudflare's api.js, standing in: each render and reset solves the challenge with a fresh token. */
const STAND_IN_SCRIPT = `window.turnstile = {
  render(box, options) {
    this.options = options
    box.textContent = 'stand-in challenge for ' + options.sitekey
    this.solve()
    return 'w1'
  },
  solve() { setTimeout(() => this.options.callback('token-' + crypto.randomUUID())) },
  reset() { this.solve() },
  remove() {},
}`

/** Siteverify, standing in: a token is good once; `refuseNext` refuses the next one as Cloudflare
 * does an expired token. Records every token it was asked about. */
function standInSiteverify() {
  const seen: string[] = []
  let refuseNext = false
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      const token = String(JSON.parse(body).response)
      const fresh = !seen.includes(token) && !refuseNext
      refuseNext = false
      seen.push(token)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ success: fresh, 'error-codes': fresh ? [] : ['timeout-or-duplicate'], hostname: '127.0.0.1' }))
    })
  })
  return {
    seen,
    refuseNext: () => (refuseNext = true),
    listen: async () => {
      const port = await freePort()
      await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok))
      return `http://127.0.0.1:${port}/siteverify`
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}

let dev: WranglerDev
let browser: Browser
let context: BrowserContext
let shop: Awaited<ReturnType<typeof serveHostPages>>
let elsewhere: Awaited<ReturnType<typeof serveHostPages>>
const siteverify = standInSiteverify()

beforeAll(async () => {
  // Two host sites: the shop is in ALLOWED_ORIGINS, the other one (another port) is not.
  const page = { html: '' }
  shop = await serveHostPages({ '/pricing.html': page })
  elsewhere = await serveHostPages({ '/pricing.html': page })
  ;[dev, browser] = await startDevAndChromium({
    vars: {
      ALLOWED_ORIGINS: shop.url,
      TURNSTILE_SITE_KEY: '1x00000000000000000000AA',
      TURNSTILE_SECRET_KEY: 'stand-in-secret',
      TURNSTILE_VERIFY_URL: await siteverify.listen(),
      LIVECHAT_CONSENT_TEXT: CONSENT,
      LIVECHAT_WIDGET_TEXTS: JSON.stringify(TEXTS),
    },
  })
  page.html = hostHtml(`<script async src="${dev.url}/widget.js"></script>`).replace('<title>Host page</title>', '<title>Pricing | Example Shop</title>')
})

afterAll(async () => {
  await browser?.close()
  await shop?.close()
  await elsewhere?.close()
  await siteverify.close()
  await dev?.stop()
})

afterEach(() => context?.close())

/** A page of `site`, with Cloudflare's script standing in; `apiRequests` lists the Worker's API calls. */
async function open(site: { url: string }) {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await context.route(TURNSTILE_SCRIPT, (route) => route.fulfill({ contentType: 'text/javascript', body: STAND_IN_SCRIPT }))
  const page = await context.newPage()
  const apiRequests: { url: string; method: string; turnstile?: string }[] = []
  const errors: string[] = []
  page.on('request', (r) => {
    if (r.url().startsWith(`${dev.url}/api/`)) apiRequests.push({ url: r.url(), method: r.method(), turnstile: r.headers()['x-turnstile-token'] })
  })
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await page.goto(`${site.url}/pricing.html`)
  return { page, apiRequests, errors }
}

const launcher = (page: Page) => page.getByRole('button', { name: /chat/i }).first()

/** `submit` with the consent box unticked: the error is on the box and nothing is sent; ticked, the error goes. */
async function consentRequired(page: Page, submit: Locator, apiRequests: { method: string }[]) {
  const consent = page.getByLabel(CONSENT)
  await submit.click()
  expect(await consent.getAttribute('aria-invalid')).toBe('true')
  expect(apiRequests.filter((r) => r.method === 'POST')).toEqual([])
  await consent.check()
  expect(await consent.getAttribute('aria-invalid')).toBeNull()
}

async function storedVisitor(page: Page): Promise<Visitor> {
  const token = await page.evaluate(() => localStorage.getItem('ecc:token'))
  return ((await (await fetch(`${dev.url}/api/v1/livechat/visitor/${token}`)).json()) as { visitor: Visitor }).visitor
}

describe('a site owner\'s first day, in Chromium', () => {
  it('an origin left out of ALLOWED_ORIGINS: the owner reads what to add in the console, the visitor that chat is not set up, and nothing is retried', async () => {
    const { page, apiRequests, errors } = await open(elsewhere)
    await launcher(page).click()
    await page.getByText('This site is not set up for chat yet.').waitFor()
    for (let i = 0; i < 3; i++) {
      await launcher(page).click()
      await launcher(page).click()
    }
    await page.waitForTimeout(5_000)
    expect(apiRequests.map((r) => r.url)).toEqual([`${dev.url}/api/v1/livechat/config`])
    const told = errors.filter((e) => e.includes('ALLOWED_ORIGINS'))
    expect(told).toHaveLength(1)
    expect(told[0]).toContain(elsewhere.url)
    // Never Cloudflare's script either: the config that would ask for it was refused.
    expect(await page.evaluate(() => 'turnstile' in window)).toBe(false)
  })

  it('no agent online: the offline form asks for consent, renders the challenge and sends its token once', async () => {
    const { page, apiRequests } = await open(shop)
    await launcher(page).click()
    await page.getByLabel('Message').waitFor()
    await page.getByText('stand-in challenge for 1x00000000000000000000AA').waitFor()
    await page.getByLabel('Name').fill('Olga Offline')
    await page.getByLabel('Email').fill('olga@example.com')
    await page.getByLabel('Message').fill('Call me back, please')
    // The offline message stores a contact too: the same box, required.
    const send = page.getByRole('button', { name: 'Send message' })
    await consentRequired(page, send, apiRequests)
    const sent = page.waitForRequest((r) => r.url().endsWith('/livechat/offline.message'))
    await send.click()
    await page.getByText('Thank you! Your message has been sent.').waitFor()
    expect((await sent).postDataJSON()).toMatchObject({ name: 'Olga Offline', consent: true })
    const posts = apiRequests.filter((r) => r.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0].turnstile).toMatch(/^token-/)
    expect(siteverify.seen).toContain(posts[0].turnstile)
  })

  it('an agent online: the consent box with the owner\'s text, Turnstile, the owner\'s texts; the contact keeps its consent and page', async () => {
    const [made] = agentCli(dev, 'create', 'owner-day-agent', '--role', 'livechat-agent')
    const headers = { 'X-User-Id': made.userId, 'X-Auth-Token': made.authToken, 'content-type': 'application/json' }
    await fetch(`${dev.url}/api/v1/livechat/agent.status`, { method: 'POST', headers, body: JSON.stringify({ status: 'available' }) })

    const { page, apiRequests } = await open(shop)
    await launcher(page).click()
    await page.getByLabel(CONSENT).waitFor()
    await page.getByLabel('Name').fill('Carla Consent')
    await page.getByLabel('Email').fill('carla@example.com')
    const submit = page.getByRole('button', { name: 'Talk to us' })
    await consentRequired(page, submit, apiRequests)

    // The first token is refused (expired, say): the visitor is asked again, the challenge resets,
    // and the next submit carries a new token.
    siteverify.refuseNext()
    await submit.click()
    await page.getByText('Please complete the security check.').waitFor()
    await submit.click()
    await page.getByText('Thanks, Carla Consent! We reply within the hour.').waitFor()
    const tokens = apiRequests.filter((r) => r.method === 'POST').map((r) => r.turnstile)
    expect(tokens).toHaveLength(2)
    expect(new Set(tokens).size).toBe(2)

    const visitor = await storedVisitor(page)
    expect(visitor).toMatchObject({
      name: 'Carla Consent',
      consent: { text: CONSENT, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      sourcePage: { url: `${shop.url}/pricing.html`, title: 'Pricing | Example Shop' },
    })
  })
})
