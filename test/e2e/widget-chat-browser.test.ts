// The widget's chat view in real Chromium, on host pages of another origin than `wrangler dev`,
// with an agent driven from Node (REST, and test/support/ddp-client.ts for its socket): the
// whole conversation, offline then online, a reload, the offline form, strict CSP, axe,
// keyboard only and 375 px.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Inquiry, Message } from '../../shared/chat.ts'
import { axeViolations, focusedInWidget, hostHtml, serveHostPages, startDevAndChromium } from '../support/browser.ts'
import { DdpClient } from '../support/ddp-client.ts'
import { BIN, ROOT, type WranglerDev } from '../support/wrangler-dev.ts'

const SHOTS = join(ROOT, 'test-output')
const PASSWORD = 'widget chat passphrase'
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
let dev: WranglerDev
let host: Awaited<ReturnType<typeof serveHostPages>>
let browser: Browser
let context: BrowserContext | undefined
let agent: Agent

interface Agent {
  userId: string
  username: string
  headers: Record<string, string>
  ddp: DdpClient
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  // Through npm run dev: it builds widget.js and chat.js first. Many messages from one address.
  ;[dev, browser] = await startDevAndChromium({ viaNpm: true, vars: { RATE_LIMITS: 'off' } })
  const api = dev.url
  host = await serveHostPages({
    '/plain.html': { html: hostHtml(`<script async src="${api}/widget.js"></script>`) },
    '/csp.html': {
      html: hostHtml(`<script async src="${api}/widget.js"></script>`),
      // The policy in docs/widget.md: Chromium does not let an http(s) source cover the socket, so ws(s) is listed.
      headers: { 'content-security-policy': `default-src 'none'; script-src ${api}; connect-src ${api} ${api.replace(/^http/, 'ws')}; style-src ${api}` },
    },
  })
  agent = await signIn()
})

afterAll(async () => {
  agent?.ddp.close()
  await browser?.close()
  await host?.close()
  await dev?.stop()
})

afterEach(async () => {
  await context?.close()
  context = undefined
})

async function api<T>(path: string, body?: unknown): Promise<T> {
  const init = body ? { method: 'POST', headers: { ...agent.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) } : { headers: agent.headers }
  const response = await fetch(`${dev.url}/api/v1/${path}`, init)
  const text = await response.text()
  if (!response.ok) throw new Error(`${path} → ${response.status} ${text}`)
  return JSON.parse(text) as T
}

/** An agent made with the real CLI, signed in over REST and over DDP (resume), not yet available. */
async function signIn(): Promise<Agent> {
  const username = `agent-${unique()}`
  const made = spawnSync('npm', ['run', '-s', 'agent', '--', 'create', username, '--role', 'livechat-manager', '--password-stdin', '--persist-to', dev.persistTo], {
    cwd: ROOT, encoding: 'utf8', input: PASSWORD, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
  expect(made.status, made.stderr).toBe(0)
  const login = await fetch(`${dev.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: username, password: PASSWORD }) })
  const { data } = (await login.json()) as { data: { userId: string; authToken: string } }
  const ddp = await DdpClient.connect(dev.url)
  await ddp.login(data.authToken)
  return { userId: data.userId, username, headers: { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken }, ddp }
}

const setAvailable = (available: boolean) => api('livechat/agent.status', { status: available ? 'available' : 'not-available' })

async function open(path: string, viewport = { width: 1280, height: 800 }) {
  context = await browser.newContext({ viewport })
  const page = await context.newPage()
  // Every CSP violation, reported by the page itself and on the console.
  const violations: string[] = []
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused (CSP): ${e.violatedDirective} ${e.blockedURI}`)),
  )
  page.on('console', (m) => { if (/Content.Security.Policy|Refused/i.test(m.text())) violations.push(m.text()) })
  await page.goto(`${host.url}${path}`)
  return { page, violations }
}

const launcher = (page: Page) => page.getByRole('button', { name: /chat/i }).first()
const box = (page: Page) => page.getByRole('textbox', { name: 'Message' })
const log = (page: Page) => page.getByRole('log')

async function startChat(page: Page, who: string) {
  await launcher(page).click()
  await page.getByLabel('Name').fill(`${who} Visitor`)
  await page.getByLabel('Email').fill(`${who}-${unique()}@example.com`)
  await page.getByRole('button', { name: 'Start chat' }).click()
  await box(page).waitFor()
}

async function write(page: Page, text: string) {
  await box(page).fill(text)
  await box(page).press('Enter')
}

/** The agent takes the inquiry of the visitor's first message and follows its room over DDP. */
async function take(): Promise<string> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const { inquiries } = await api<{ inquiries: Inquiry[] }>('livechat/inquiries.queuedForUser')
    if (inquiries[0]) {
      const rid = inquiries.at(-1)!.rid
      await api('livechat/inquiries.take', { inquiryId: inquiries.at(-1)!._id })
      await agent.ddp.subscribe('stream-room-messages', rid, { useCollection: false, args: [] })
      await agent.ddp.subscribe('stream-notify-room', `${rid}/user-activity`, { useCollection: false, args: [] })
      return rid
    }
    if (Date.now() > deadline) throw new Error('no inquiry queued')
    await new Promise((r) => setTimeout(r, 200))
  }
}

const answer = (rid: string, msg: string) => api('chat.sendMessage', { message: { rid, msg, _id: `a-${unique()}` } })
/** The room's stored messages, oldest first, as the agent syncs them. */
const stored = async (rid: string) =>
  (await api<{ result: { updated: Message[] } }>(`chat.syncMessages?roomId=${rid}&lastUpdate=2000-01-01T00:00:00Z`)).result.updated
    .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts))
const texts = async (page: Page) => log(page).locator('.msg .text').allTextContents()

describe('the widget chat view in Chromium', () => {
  it('no agent available: the offline form is shown, its message is stored and appears in the console', async () => {
    await setAvailable(false)
    const { page } = await open('/plain.html')
    await launcher(page).click()
    const email = `offline-${unique()}@example.com`
    await page.getByLabel('Name').fill('Olga Offline')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Message').fill('Please call me back')
    const sent = page.waitForResponse((r) => r.url().endsWith('/livechat/offline.message'))
    await page.getByRole('button', { name: 'Send message' }).click()
    expect((await sent).status()).toBe(200)
    await page.getByText('Your message has been sent').waitFor()
    // Stored: a closed room of a new contact, holding the message, that a manager can read.
    const { rooms } = await api<{ rooms: { _id: string; fname: string; v: { _id: string } }[] }>('livechat/rooms?open=false')
    const room = rooms.find((r) => r.fname === 'Olga Offline')!
    expect((await stored(room._id)).map((m) => m.msg)).toContain('Please call me back')

    // A manager's console shows it under "Offline messages", with a link to the new contact.
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true }) // For axe's script.
    try {
      const inbox = await agentContext.newPage()
      await inbox.goto(`${dev.url}/agent/`)
      await inbox.getByLabel('Username').fill(agent.username)
      await inbox.getByLabel('Password').fill(PASSWORD)
      await inbox.getByRole('button', { name: 'Sign in' }).click()
      await inbox.getByRole('link', { name: 'Inbox' }).click()
      const offline = inbox.getByRole('region', { name: 'Offline messages' })
      const item = offline.getByRole('listitem').filter({ hasText: 'Please call me back' })
      await item.waitFor()
      expect(await item.getByRole('link', { name: 'Olga Offline' }).getAttribute('href')).toBe(`#/contacts/${room.v._id}`)
      expect(await axeViolations(inbox)).toEqual([])
    } finally {
      await agentContext.close()
    }
  })

  it('a whole chat on a strict-CSP page: form, agent takes and answers, typing both ways, offline and back, reload, close; no violation', async () => {
    await setAvailable(true)
    const { page, violations } = await open('/csp.html')
    await startChat(page, 'csp')
    await write(page, 'Hello, I need help')
    const rid = await take()
    // The page the chat started on (POST livechat/page.visited) is in the agent's navigation history.
    const pages = async () => (await stored(rid)).filter((m) => m.t === 'livechat_navigation_history').map((m) => m.navigation?.page)
    const csp = { change: 'url', title: 'Host page', location: { href: `${host.url}/csp.html` } }
    await expect.poll(pages).toEqual([csp])

    // The visitor types: the agent sees it.
    await box(page).pressSequentially('My order')
    await agent.ddp.untilChanged('stream-notify-room', `${rid}/user-activity`, (events) => events.some(([, a]) => (a as string[]).includes('user-typing')))
    // The agent types, then answers: the visitor sees both, and the agent's name.
    await agent.ddp.call('stream-notify-room', `${rid}/user-activity`, agent.username, ['user-typing'], {})
    await page.getByText(`${agent.username} is typing…`).waitFor()
    await answer(rid, 'Hi! How can I help?')
    await log(page).getByText('Hi! How can I help?').waitFor()
    const token = await page.evaluate(() => localStorage.getItem('ecc:token'))
    const info = (await (await fetch(`${dev.url}/api/v1/livechat/agent.info/${rid}/${token}`)).json()) as { agent: { username: string; name?: string } }
    expect(info.agent.username).toBe(agent.username)
    await page.getByText(`You're chatting with ${info.agent.name || agent.username}.`).waitFor()
    expect(await page.getByText('is typing…').count()).toBe(0)

    // Offline: 3 messages shown at once as pending; back online, each arrives once, in order.
    await context!.setOffline(true)
    for (const n of [1, 2, 3]) await write(page, `offline ${n}`)
    expect(await log(page).getByText('Sending…').count()).toBe(3)
    await context!.setOffline(false)
    await expect.poll(() => log(page).getByText('Sending…').count(), { timeout: 30_000 }).toBe(0)
    const visitorTexts = (await stored(rid)).filter((m) => !m.t).map((m) => m.msg)
    expect(visitorTexts.filter((t) => t.startsWith('offline'))).toEqual(['offline 1', 'offline 2', 'offline 3'])
    await agent.ddp.untilChanged('stream-room-messages', rid, (events) => events.filter(([m]) => /^offline/.test((m as Message).msg)).length >= 3)
    const streamed = agent.ddp.changed('stream-room-messages', rid).map(([m]) => (m as Message).msg).filter((t) => t.startsWith('offline'))
    expect(streamed).toEqual(['offline 1', 'offline 2', 'offline 3'])
    const all = ['Hello, I need help', 'Hi! How can I help?', 'offline 1', 'offline 2', 'offline 3']
    expect(await texts(page)).toEqual(all)

    await page.screenshot({ path: join(SHOTS, 'widget-chat.png') })

    // A reload mid-chat: the open room comes back at once, the whole history once. The page view is
    // told again; the Worker records nothing for a reload of the page it just recorded.
    const revisit = page.waitForRequest((r) => r.url().endsWith('/livechat/page.visited'))
    await page.reload()
    expect((await revisit).postDataJSON()).toMatchObject({ rid, pageInfo: csp })
    await launcher(page).click()
    await log(page).getByText('offline 3').waitFor()
    expect(await texts(page)).toEqual(all)
    expect(await pages()).toEqual([csp])

    // The agent closes: the visitor sees it ended, and can start again.
    await api('livechat/room.closeByUser', { rid, comment: 'Solved' })
    await page.getByText('This chat has ended.').waitFor()
    await page.getByRole('button', { name: 'Start a new chat' }).waitFor()
    expect(await box(page).count()).toBe(0)
    expect(violations).toEqual([])
  })

  it('keyboard only at 375 px: open, fill the form, chat with Enter (Shift+Enter for a new line), end the chat', async () => {
    await setAvailable(true)
    const { page } = await open('/plain.html', { width: 375, height: 667 })
    await launcher(page).waitFor()
    // Opened before the config arrives, the panel focuses its close button: wait for the form's config.
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/livechat/config')))).toBe(true)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.getByLabel('Name').waitFor()
    expect(await focusedInWidget(page)).toBe('Name')
    await page.keyboard.type('Kim Keys')
    await page.keyboard.press('Tab')
    await page.keyboard.type(`kim-${unique()}@example.com`)
    for (let i = 0; i < 8 && (await focusedInWidget(page)) !== 'button'; i++) await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await box(page).waitFor()
    expect(await focusedInWidget(page)).toBe('Message')
    await page.keyboard.type('first line')
    await page.keyboard.press('Shift+Enter')
    await page.keyboard.type('second line')
    await page.keyboard.press('Enter')
    await log(page).getByText('second line').waitFor()
    expect(await texts(page)).toEqual(['first line\nsecond line'])
    // axe on the chat view (here: the strict-CSP page refuses axe's inline script).
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious).toEqual([])

    // Full screen, no horizontal scrolling, the message box at 16 px.
    expect(await page.getByRole('dialog').boundingBox()).toMatchObject({ x: 0, y: 0, width: 375, height: 667 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    expect(await box(page).evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16)
    const end = page.getByRole('button', { name: 'End chat' })
    await end.waitFor()
    const focusedText = () => page.evaluate(() => document.querySelector('ecc-chat')!.shadowRoot!.activeElement?.textContent)
    for (let i = 0; i < 6 && (await focusedText()) !== 'End chat'; i++) await page.keyboard.press('Tab')
    expect(await focusedText()).toBe('End chat')
    await page.keyboard.press('Enter')
    await page.getByText('This chat has ended.').waitFor()
    await page.screenshot({ path: join(SHOTS, 'widget-chat-375.png') })
  })
})
