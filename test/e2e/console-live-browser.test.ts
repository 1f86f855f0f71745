// The agent console in real Chromium against `wrangler dev`: a contact registered through the API
// reaches the open console without a reload (registry → notifications queue → consumer →
// Omnichannel's stream-livechat-contacts → the console's socket), the title counts arrivals while
// the tab is hidden, and the page's favicon loads under its CSP.
import { execFileSync } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startDevAndChromium } from '../support/browser.ts'
import { BIN, ROOT, type WranglerDev } from '../support/wrangler-dev.ts'

const AGENT = { username: 'lena', password: 'live updates password 1' }
/** Queue delivery under wrangler dev waits for its batch: seconds, not milliseconds. */
const DELIVERY_MS = 20_000

let dev: WranglerDev
let browser: Browser

beforeAll(async () => {
  ;[dev, browser] = await startDevAndChromium()
  execFileSync('npm', ['run', '-s', 'agent', '--', 'create', AGENT.username, '--role', 'livechat-agent', '--password-stdin', '--persist-to', dev.persistTo], {
    cwd: ROOT, input: `${AGENT.password}\n`, encoding: 'utf8', env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
})

afterAll(async () => {
  await browser?.close()
  await dev?.stop()
})

/** A visitor fills the form (the widget's request, from a customer's site). */
async function register(name: string): Promise<void> {
  const token = `live-${name.replace(/\W/g, '')}-${Date.now()}`
  const response = await fetch(`${dev.url}/api/v1/livechat/visitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    body: JSON.stringify({ visitor: { token, name, email: `${token}@example.com` } }),
  })
  expect(response.status, await response.clone().text()).toBe(200)
}

/** The console, signed in, its socket subscribed to the contacts stream (as its frames show). */
async function openConsole(): Promise<{ page: Page; cspErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const cspErrors: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text())
  })
  const frames: string[] = []
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(`> ${f.payload}`))
    ws.on('framereceived', (f) => frames.push(`< ${f.payload}`))
  })
  await page.goto(`${dev.url}/agent/`)
  await page.getByLabel('Username').fill(AGENT.username)
  await page.getByLabel('Password').fill(AGENT.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  await expect.poll(() => {
    const sub = frames.map((f) => f.startsWith('> ') && JSON.parse(f.slice(2))).find((f) => f?.msg === 'sub' && f.name === 'stream-livechat-contacts')
    return !!sub && frames.some((f) => f.startsWith('< ') && JSON.parse(f.slice(2)).subs?.includes(sub.id))
  }, { timeout: 10_000 }).toBe(true)
  return { page, cspErrors }
}

it('shows a new contact without a reload, counts arrivals in the title while hidden, and has a favicon', async () => {
  const { page, cspErrors } = await openConsole()
  // Gone if the page reloads.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }))
  await register('Live Ada')
  await page.getByRole('link', { name: 'Live Ada' }).waitFor({ timeout: DELIVERY_MS })
  await page.getByText('New contact: Live Ada.').waitFor()
  expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true)
  expect(await page.title()).toBe('Contacts — Agent console')

  // Headless Chromium keeps every page visible (a second tab in front, a minimised window: both
  // still "visible"), so the page is told it is hidden as a browser would tell it.
  const setVisibility = (state: string) =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { value, configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    }, state)
  await setVisibility('hidden')
  await register('Live Grace')
  await register('Live Alan')
  await expect.poll(() => page.title(), { timeout: DELIVERY_MS }).toBe('(2) Contacts — Agent console')
  await setVisibility('visible')
  expect(await page.title()).toBe('Contacts — Agent console')
  // Both listed too (in the order the queue delivered them).
  expect((await page.getByRole('link', { name: /^Live / }).allTextContents()).sort()).toEqual(['Live Ada', 'Live Alan', 'Live Grace'])

  const icon = await page.locator('link[rel="icon"]').getAttribute('href')
  const response = await page.request.get(new URL(icon!, dev.url).href)
  expect(response.status()).toBe(200)
  expect(response.headers()['content-type']).toMatch(/^image\/svg\+xml/)
  expect(cspErrors).toEqual([])
  await page.context().close()
})
