// The widget in real Chromium, on host pages served from another origin than `wrangler dev`.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Visitor } from '../../shared/visitor.ts'
import { MAX_ATTEMPTS, RETRY_BOUND_MS } from '../../widget/src/api-client.ts'
import { axeViolations, focusedInWidget, hostHtml, serveHostPages, startDevAndChromium } from '../support/browser.ts'
import { ROOT, agentCli, type WranglerDev } from '../support/wrangler-dev.ts'

const SHOTS = join(ROOT, 'test-output')
let dev: WranglerDev
let host: Awaited<ReturnType<typeof serveHostPages>>
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  ;[dev, browser] = await startDevAndChromium()
  const api = dev.url
  // The pre-chat form shows while an agent is available (else the offline form does): one is.
  const [made] = agentCli(dev, 'create', 'widget-agent', '--role', 'livechat-agent')
  const headers = { 'X-User-Id': made.userId, 'X-Auth-Token': made.authToken, 'content-type': 'application/json' }
  await fetch(`${api}/api/v1/livechat/agent.status`, { method: 'POST', headers, body: JSON.stringify({ status: 'available' }) })
  const rocketChatSnippet = `<script>
    (function(w, d, s, u) {
      w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
      var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
      j.async = true; j.src = '${api}/livechat/rocketchat-livechat.min.js?_=201903270000';
      h.parentNode.insertBefore(j, h);
    })(window, document, 'script', '${api}/livechat');
    RocketChat(function() { this.setGuestName('Ana Prefill'); this.setGuestEmail('ana.prefill@example.com'); });
  </script>`
  host = await serveHostPages({
    '/plain.html': { html: hostHtml(`<script async src="${api}/widget.js"></script>`) },
    '/german.html': { html: hostHtml(`<script async src="${api}/widget.js" data-lang="de"></script>`) },
    '/rocketchat.html': { html: hostHtml('', rocketChatSnippet) },
    '/csp.html': {
      html: hostHtml(`<script async src="${api}/widget.js"></script>`),
      headers: { 'content-security-policy': `default-src 'none'; script-src ${api}; connect-src ${api}; style-src ${api}` },
    },
  })
})

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await dev?.stop()
})

afterEach(() => context?.close())

async function open(path: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ viewport })
  const page = await context.newPage()
  await page.goto(`${host.url}${path}`)
  return page
}

const launcher = (page: Page) => page.getByRole('button', { name: /chat/i }).first()
const startChat = (page: Page) => page.getByRole('button', { name: 'Start chat' })
const allSet = (page: Page) => page.getByText(/You're all set/)
const tokenOf = (page: Page) => page.evaluate(() => localStorage.getItem('ecc:token'))

async function storedVisitor(token: string | null): Promise<Visitor | null> {
  const response = await fetch(`${dev.url}/api/v1/livechat/visitor/${token}`)
  return response.ok ? ((await response.json()) as { visitor: Visitor }).visitor : null
}

async function fillForm(page: Page, who: string) {
  await page.getByLabel('Name').fill(`${who} Visitor`)
  await page.getByLabel('Email').fill(` ${who}@Example.com `)
  // A phone of its own: a shared one would match (and update) another test's visitor.
  await page.getByLabel(/^Phone/).fill(`+55 51 ${who}`)
  await page.getByLabel(/^Address/).fill('Rocket.Chat street')
  await page.getByLabel(/^Department/).selectOption({ label: 'Support' })
}

/** The submit button inside the viewport, with the page unscrolled, and not hidden by anything
 * (the panel's own overflow included): the point at its centre is the button. */
async function expectSubmitInView(page: Page, viewport: { width: number; height: number }) {
  const box = (await startChat(page).boundingBox())!
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height)
  const hit = await page.evaluate(
    ({ x, y }) => document.querySelector('ecc-chat')!.shadowRoot!.elementFromPoint(x, y)?.textContent,
    { x: box.x + box.width / 2, y: box.y + box.height / 2 },
  )
  expect(hit).toBe('Start chat')
  expect(await page.evaluate(() => scrollY)).toBe(0)
}

describe('the widget in Chromium', () => {
  it('plain snippet: opens, submits once, and the visitor is stored with every field', async () => {
    const page = await open('/plain.html')
    const posts: string[] = []
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()) })
    await launcher(page).click()
    await fillForm(page, 'plain')
    await page.screenshot({ path: join(SHOTS, 'widget-form.png') })
    await startChat(page).dblclick()
    await allSet(page).waitFor()
    expect(posts).toEqual([`${dev.url}/api/v1/livechat/visitor`])
    const visitor = await storedVisitor(await tokenOf(page))
    expect(visitor).toMatchObject({
      name: 'plain Visitor',
      visitorEmails: [{ address: 'plain@example.com' }],
      phone: [{ phoneNumber: '+55 51 plain' }],
      department: 'support',
      livechatData: { address: 'Rocket.Chat street' },
      username: expect.stringMatching(/^guest-/),
    })
  })

  it('reload: a registered visitor is remembered, not shown a blank form', async () => {
    const page = await open('/plain.html')
    await launcher(page).click()
    await fillForm(page, 'reload')
    await startChat(page).click()
    await allSet(page).waitFor()
    const verified = page.waitForResponse((r) => r.url().includes('/api/v1/livechat/visitor/') && r.request().method() === 'GET')
    await page.reload()
    expect((await verified).status()).toBe(200)
    await launcher(page).click()
    await allSet(page).waitFor()
    expect(await page.getByLabel('Name').count()).toBe(0)
  })

  it("Rocket.Chat's snippet: setGuestName/setGuestEmail prefill the form, registerGuest registers once", async () => {
    const page = await open('/rocketchat.html')
    await launcher(page).click()
    expect(await page.getByLabel('Name').inputValue()).toBe('Ana Prefill')
    expect(await page.getByLabel('Email').inputValue()).toBe('ana.prefill@example.com')

    const posts: string[] = []
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.postData() ?? '') })
    const registerGuest = () => page.evaluate(() => new Promise<void>((done) => {
      const w = window as unknown as { RocketChat(fn: (this: { registerGuest(g: object): unknown }) => void): void }
      w.RocketChat(function () {
        void this.registerGuest({ token: 'rcSnippetToken0001', name: 'Rita', email: 'rita@example.com' })
        done()
      })
    }))
    const registered = page.waitForResponse((r) => r.request().method() === 'POST')
    await registerGuest()
    expect((await registered).status()).toBe(200)
    await registerGuest()
    await page.waitForTimeout(1_000)
    expect(posts).toHaveLength(1)
    expect(await storedVisitor('rcSnippetToken0001')).toMatchObject({ name: 'Rita', visitorEmails: [{ address: 'rita@example.com' }] })
  })

  it('strict CSP page: renders and registers with no CSP violation', async () => {
    context = await browser.newContext()
    const page = await context.newPage()
    const violations: string[] = []
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        ;((window as unknown as { __csp?: string[] }).__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`)
      })
    })
    page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()) })
    await page.goto(`${host.url}/csp.html`)
    await launcher(page).click()
    await fillForm(page, 'csp')
    await startChat(page).click()
    await allSet(page).waitFor()
    const reported = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])
    expect([...reported, ...violations]).toEqual([])
    // Styled: the widget floats over the page and its launcher is round, so the stylesheet applied.
    const style = await page.evaluate(() => {
      const root = document.querySelector('ecc-chat')!.shadowRoot!
      return {
        position: getComputedStyle(root.querySelector('.ecc')!).position,
        radius: getComputedStyle(root.querySelector('.launcher')!).borderRadius,
      }
    })
    expect(style.position).toBe('fixed')
    expect(style.radius).not.toBe('0px')
  })

  it('keyboard only: Tab reaches the launcher, Enter opens into the form, Escape closes and returns focus', async () => {
    const page = await open('/plain.html')
    await launcher(page).waitFor()
    await page.keyboard.press('Tab')
    expect(await focusedInWidget(page)).toMatch(/chat/i)
    await page.keyboard.press('Enter')
    await page.getByLabel('Name').waitFor()
    expect(await focusedInWidget(page)).toBe('Name')
    await page.keyboard.type('Kim Keys')
    await page.keyboard.press('Tab')
    expect(await focusedInWidget(page)).toBe('Email')
    await page.keyboard.type('kim@example.com')
    // Through the remaining optional fields to the submit button, then submit with Enter.
    for (let i = 0; i < 6 && (await focusedInWidget(page)) !== 'button'; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.querySelector('ecc-chat')!.shadowRoot!.activeElement?.textContent)).toBe('Start chat')
    await page.keyboard.press('Enter')
    await allSet(page).waitFor()
    await page.keyboard.press('Escape')
    expect(await page.getByRole('dialog').count()).toBe(0)
    expect(await focusedInWidget(page)).toMatch(/chat/i)
    expect((await storedVisitor(await tokenOf(page)))?.name).toBe('Kim Keys')
  })

  it('axe-core finds no serious or critical violation on the open form', async () => {
    const page = await open('/plain.html')
    await launcher(page).click()
    await page.getByLabel('Name').waitFor()
    // Errors shown, so their aria wiring is checked too.
    await startChat(page).click()
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious).toEqual([])
  })

  it('server down during submit, then up: nothing typed is lost and the submit succeeds', async () => {
    const page = await open('/plain.html')
    await launcher(page).click()
    await fillForm(page, 'outage')
    await dev.kill()
    await startChat(page).click()
    await page.getByText(/Couldn't reach the server/).waitFor()
    expect(await page.getByLabel('Name').inputValue()).toBe('outage Visitor')
    await dev.restart()
    await allSet(page).waitFor({ timeout: 60_000 })
    expect(await storedVisitor(await tokenOf(page))).toMatchObject({ name: 'outage Visitor', livechatData: { address: 'Rocket.Chat street' } })
  }, 120_000)

  it('server answers 500 forever: the submit stops within the bound, keeps the draft, and "Try again" sends again', async () => {
    context = await browser.newContext()
    const page = await context.newPage()
    // The page's clock is Playwright's, so the bound passes in a second or two of real time.
    await page.clock.install()
    // When (page time) each POST left the page.
    await page.addInitScript(() => {
      const w = window as unknown as { __posts: number[] }
      const original = window.fetch
      w.__posts = []
      window.fetch = (input, init) => {
        if (init?.method === 'POST') w.__posts.push(Date.now())
        return original(input, init)
      }
    })
    let answered = 0
    await page.route(`${dev.url}/api/v1/livechat/visitor`, (route) => {
      if (route.request().method() !== 'POST') return route.fallback()
      answered++
      return route.fulfill({
        status: 500,
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': host.url },
        body: JSON.stringify({ success: false, error: 'Internal server error [error-internal]', errorType: 'error-internal' }),
      })
    })
    const postTimes = () => page.evaluate(() => (window as unknown as { __posts: number[] }).__posts)
    await page.goto(`${host.url}/plain.html`)
    await launcher(page).click()
    await fillForm(page, 'down')
    await startChat(page).click()
    await page.getByText("Couldn't reach the server. Retrying…").waitFor()

    const gaveUp = page.getByText("Couldn't reach the server. What you typed is kept.")
    for (let step = 0; step < 150 && !(await gaveUp.isVisible()); step++) await page.clock.runFor(1_000)
    expect(await gaveUp.isVisible()).toBe(true)
    const times = await postTimes()
    expect(times.length).toBeGreaterThan(1)
    expect(times.length).toBeLessThanOrEqual(MAX_ATTEMPTS)
    expect(times.at(-1)! - times[0]).toBeLessThan(RETRY_BOUND_MS)
    expect(answered).toBe(times.length)

    // Given up: five more minutes send nothing.
    await page.clock.runFor(5 * 60_000)
    await page.waitForTimeout(500)
    expect(await postTimes()).toHaveLength(times.length)
    expect(answered).toBe(times.length)

    // The draft is kept, on screen and in storage.
    expect(await page.getByLabel('Name').inputValue()).toBe('down Visitor')
    expect(await page.getByLabel('Email').inputValue()).toBe('down@Example.com') // type=email trims what it shows
    expect(await page.getByLabel(/^Address/).inputValue()).toBe('Rocket.Chat street')
    const draft = await page.evaluate(() => JSON.parse(localStorage.getItem('ecc:draft') ?? 'null'))
    expect(draft).toMatchObject({ name: 'down Visitor', 'cf.address': 'Rocket.Chat street', department: 'support' })

    // The clock stopped: the new attempt's first request, and no retry after it yet (a jittered wait
    // could otherwise send a second one before the count is read).
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000)
    await page.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => answered).toBe(times.length + 1)
    await page.getByText("Couldn't reach the server. Retrying…").waitFor()
  })

  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 667 }]) {
    it(`${viewport.width}×${viewport.height}: with five fields the submit button is in view, without scrolling the page or the panel`, async () => {
      const page = await open('/plain.html', viewport)
      await launcher(page).click()
      await page.getByLabel('Name').waitFor()
      // name, email, phone, the department select and the Address custom field
      expect(await page.locator('ecc-chat .field').count()).toBe(5)
      await expectSubmitInView(page, viewport)
      // Errors make the form taller than the panel, which scrolls: the button stays in view.
      await startChat(page).click()
      const [scrollHeight, clientHeight] = await page.evaluate(() => {
        const body = document.querySelector('ecc-chat')!.shadowRoot!.querySelector('.body')!
        return [body.scrollHeight, body.clientHeight]
      })
      expect(scrollHeight).toBeGreaterThan(clientHeight)
      await expectSubmitInView(page, viewport)
      await page.screenshot({ path: join(SHOTS, `widget-five-fields-${viewport.width}.png`) })
    })
  }

  it('a German page: the form in German, from the language chunk beside widget.js (cross-origin, CORS)', async () => {
    context = await browser.newContext()
    const page = await context.newPage()
    const chunk = page.waitForResponse((r) => r.url() === `${dev.url}/strings-de.js`)
    await page.goto(`${host.url}/german.html`)
    expect((await chunk).status()).toBe(200)
    await page.getByRole('button', { name: 'Chat öffnen' }).click()
    expect(await page.getByLabel('E-Mail').count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Chat starten' }).count()).toBe(1)
  })

  it('the submit chunk comes beside widget.js (cross-origin, CORS) as the form appears, before any submit; the submit shows its texts in German', async () => {
    context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${host.url}/german.html`)
    const chunk = page.waitForResponse((r) => r.url() === `${dev.url}/submit.js`)
    await page.getByRole('button', { name: 'Chat öffnen' }).click()
    await page.getByLabel('E-Mail').waitFor()
    expect((await chunk).status()).toBe(200)
    // How long after the form shows its submit's code is here (a visitor who types first never waits).
    const [shown, loaded] = await page.evaluate(() => {
      const entry = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => e.name.endsWith('/submit.js'))!
      return [entry.startTime, entry.responseEnd]
    })
    console.log(`submit.js: requested ${shown.toFixed(0)} ms after navigation, here ${(loaded - shown).toFixed(0)} ms later`)
    await page.getByRole('button', { name: 'Chat starten' }).click()
    expect(await page.getByText('Dieses Feld ist erforderlich.').count()).toBeGreaterThan(0)
    expect(await page.getByText('Bitte korrigieren Sie die markierten Felder.').count()).toBe(1)
  })

  it('375 px viewport: the panel fills the screen without horizontal scrolling, inputs at 16 px', async () => {
    const page = await open('/plain.html', { width: 375, height: 667 })
    await launcher(page).click()
    await page.getByLabel('Name').waitFor()
    const box = await page.getByRole('dialog').boundingBox()
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 667 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    const fontSize = await page.getByLabel('Name').evaluate((i) => parseFloat(getComputedStyle(i).fontSize))
    expect(fontSize).toBeGreaterThanOrEqual(16)
    await page.screenshot({ path: join(SHOTS, 'widget-375.png') })
  })
})
