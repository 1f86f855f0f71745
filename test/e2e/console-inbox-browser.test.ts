// The console's inbox in real Chromium against `wrangler dev`, with a visitor on the other side
// speaking plain REST and DDP (test/support/ddp-client.ts): the queue updates live, the agent takes
// the chat and answers, the visitor's socket gets the answer, typing goes both ways, the agent
// closes with a comment and the visitor's socket sees livechat-close; two agents take one inquiry
// and the loser's console says so; axe, keyboard and 375 px on the inbox.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations, startDevAndChromium } from '../support/browser.ts'
import { openInbox } from '../support/console-inbox.ts'
import { DdpClient } from '../support/ddp-client.ts'
import { BIN, ROOT, type WranglerDev } from '../support/wrangler-dev.ts'

const SHOTS = join(ROOT, 'test-output')
const PASSWORDS = { maria: 'correct horse battery staple', alex: 'agent password 1234' }
let dev: WranglerDev
let browser: Browser
const contexts: BrowserContext[] = []
const sockets: DdpClient[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  ;[dev, browser] = await startDevAndChromium()
  for (const [name, role] of [['maria', 'livechat-manager'], ['alex', 'livechat-agent']] as const) {
    execFileSync('npm', ['run', '-s', 'agent', '--', 'create', name, '--role', role, '--password-stdin', '--persist-to', dev.persistTo], {
      cwd: ROOT, input: `${PASSWORDS[name]}\n`, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
    })
  }
})

afterAll(async () => {
  await browser?.close()
  await dev?.stop()
})

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()))
  await Promise.all(contexts.splice(0).map((c) => c.close()))
})

/** An agent's console, signed in, on the inbox, available. */
async function agentInbox(username: keyof typeof PASSWORDS, viewport = { width: 1280, height: 800 }): Promise<Page> {
  // CSP bypassed for axe's injected script only (console-browser.test.ts checks the CSP itself).
  const context = await browser.newContext({ viewport, bypassCSP: true })
  contexts.push(context)
  return openInbox(await context.newPage(), dev.url, username, PASSWORDS[username])
}

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
const post = (path: string, body: unknown) =>
  fetch(`${dev.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`${path} → ${r.status} ${await r.text()}`)
    return r.json()
  })

/** A visitor who registers, opens a room, follows it on its own socket and writes. */
async function visitor(name: string) {
  const token = `tok-${unique()}`
  await post('/api/v1/livechat/visitor', { visitor: { token, name, email: `${unique()}@example.com` } })
  const { room } = await (await fetch(`${dev.url}/api/v1/livechat/room?token=${token}`)).json()
  const ddp = await DdpClient.connect(dev.url)
  sockets.push(ddp)
  const auth = { useCollection: false, args: [{ token, visitorToken: token }] }
  await ddp.subscribe('stream-room-messages', room._id, auth)
  await ddp.subscribe('stream-notify-room', `${room._id}/user-activity`, auth)
  const write = (msg: string) => post('/api/v1/livechat/message', { token, rid: room._id, msg, _id: `v-${unique()}` })
  const messages = () => ddp.changed('stream-room-messages', room._id).map(([m]) => m as { msg: string; t?: string; u: { username: string } })
  return { token, rid: room._id as string, ddp, write, messages }
}

const serious = async (page: Page) => (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')

describe('the inbox in Chromium', () => {
  it('queue live, take, answer, typing both ways, close with a comment; axe, keyboard, screenshot', async () => {
    const page = await agentInbox('maria')
    const name = `Vera ${unique()}`
    const v = await visitor(name)
    await v.write('Hello, I need help')
    // Without a reload: the queue stream brings it.
    const item = page.getByRole('listitem').filter({ hasText: name })
    await item.waitFor()
    await item.getByRole('button', { name: 'Take' }).click()
    await page.getByRole('heading', { level: 2, name }).waitFor()
    await page.getByRole('log', { name: 'Messages' }).getByText('Hello, I need help').waitFor()
    await page.getByRole('complementary', { name: 'Contact' }).getByRole('link', { name: 'Open contact' }).waitFor()

    // Typing, agent → visitor, then the answer.
    const box = page.getByLabel('Message', { exact: true })
    await box.pressSequentially('Hi ')
    await v.ddp.untilChanged('stream-notify-room', `${v.rid}/user-activity`, (events) => events.some(([, a]) => (a as string[]).includes('user-typing')))
    await box.pressSequentially(name.split(' ')[0])
    await page.getByRole('button', { name: 'Send' }).click()
    await v.ddp.untilChanged('stream-room-messages', v.rid, () => v.messages().some((m) => m.msg === `Hi ${name.split(' ')[0]}` && m.u.username === 'maria'))
    await expect.poll(() => page.getByRole('log').getByText('Sending…').count()).toBe(0)

    // Typing, visitor → agent.
    await v.ddp.call('stream-notify-room', `${v.rid}/user-activity`, 'ignored', ['user-typing'], { token: v.token })
    await page.getByText(`${name} is typing…`).waitFor()
    await v.write('Thanks!')
    await page.getByRole('log').getByText('Thanks!').waitFor()
    await expect.poll(() => page.getByText(`${name} is typing…`).count()).toBe(0)

    expect(await serious(page)).toEqual([])
    await page.screenshot({ path: join(SHOTS, 'console-inbox.png'), fullPage: true })

    // Keyboard only: Enter sends from the box.
    await box.focus()
    await page.keyboard.type('Anything else?')
    await page.keyboard.press('Enter')
    await v.ddp.untilChanged('stream-room-messages', v.rid, () => v.messages().some((m) => m.msg === 'Anything else?'))

    // Close with a comment (by keyboard): the visitor's socket sees livechat-close.
    await page.getByLabel(/Closing comment/).fill('Solved, bye')
    await page.getByRole('button', { name: 'Close chat' }).focus()
    await page.keyboard.press('Enter')
    await v.ddp.untilChanged('stream-room-messages', v.rid, () => v.messages().some((m) => m.t === 'livechat-close' && m.msg === 'Solved, bye'))
    await page.getByText('This chat has ended.').waitFor()
    // Each message once.
    expect(await page.getByRole('log').getByText('Thanks!').count()).toBe(1)
  })

  it('two agents take one inquiry: one wins, the loser’s console says so', async () => {
    const [maria, alex] = await Promise.all([agentInbox('maria'), agentInbox('alex')])
    const name = `Duo ${unique()}`
    const v = await visitor(name)
    await v.write('Who will answer?')
    const takes = [maria, alex].map((page) => page.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Take' }))
    await Promise.all(takes.map((t) => t.waitFor()))
    // Both at once, inside the pages: the loser's button must not vanish (queue event) before it is pressed.
    await Promise.all(takes.map((t) => t.evaluate((button: HTMLElement) => button.click())))
    const lost = await Promise.all([maria, alex].map((page) =>
      page.getByRole('alert').filter({ hasText: `Another agent took the chat with ${name} first.` }).waitFor({ timeout: 5_000 }).then(() => true, () => false)))
    expect(lost.filter(Boolean)).toHaveLength(1)
    const winner = lost[0] ? alex : maria
    await winner.getByRole('heading', { level: 2, name }).waitFor()
  })

  it('375 px: the inbox is one column, nothing wider than the screen; axe on the empty inbox', async () => {
    const page = await agentInbox('alex', { width: 375, height: 740 })
    const name = `Narrow ${unique()}`
    const v = await visitor(name)
    await v.write('On a phone')
    await page.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Take' }).click()
    await page.getByLabel('Message', { exact: true }).waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    expect(await serious(page)).toEqual([])
    await page.screenshot({ path: join(SHOTS, 'console-inbox-375.png'), fullPage: true })
  })
})
