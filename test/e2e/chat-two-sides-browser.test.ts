// Both sides of a chat through real clients against one `wrangler dev`: a visitor in the widget
// (Chromium, a host page of another origin) with an agent in the console's inbox (another Chromium
// context), then Rocket.Chat's own visitor client (`LivechatClientImpl`, in Node) with the console,
// so the console is shown compatible with Rocket.Chat's client and not only with our widget.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { LivechatClientImpl } from '@rocket.chat/ddp-client'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hostHtml, serveHostPages, startDevAndChromium } from '../support/browser.ts'
import { openInbox } from '../support/console-inbox.ts'
import { eventually } from '../support/eventually.ts'
import { BIN, ROOT, type WranglerDev } from '../support/wrangler-dev.ts'

const SHOTS = join(ROOT, 'test-output')
const AGENT = { username: 'sam', password: 'two sides passphrase' }
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
let dev: WranglerDev
let host: Awaited<ReturnType<typeof serveHostPages>>
let browser: Browser
const contexts: BrowserContext[] = []
const sdks: LivechatClientImpl[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  ;[dev, browser] = await startDevAndChromium({ vars: { RATE_LIMITS: 'off' } })
  host = await serveHostPages({ '/plain.html': { html: hostHtml(`<script async src="${dev.url}/widget.js"></script>`) } })
  execFileSync('npm', ['run', '-s', 'agent', '--', 'create', AGENT.username, '--role', 'livechat-agent', '--password-stdin', '--persist-to', dev.persistTo], {
    cwd: ROOT, input: `${AGENT.password}\n`, env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
})

afterEach(async () => {
  for (const sdk of sdks.splice(0)) (sdk.connection.close(), sdk.timeoutControl.stop())
  await Promise.allSettled(contexts.splice(0).map((c) => c.close()))
})

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await dev?.stop()
})

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport })
  contexts.push(context)
  return context.newPage()
}

/** The agent's console, signed in, on the inbox, available, its live updates connected. */
const agentInbox = async (): Promise<Page> => openInbox(await newPage(), dev.url, AGENT.username, AGENT.password)

/** Takes the queued inquiry of `name` from the inbox; the conversation opens. */
async function take(inbox: Page, name: string) {
  await inbox.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Take' }).click()
  await inbox.getByRole('heading', { level: 2, name }).waitFor()
}

const inboxLog = (inbox: Page) => inbox.getByRole('log', { name: 'Messages' })
const inboxBox = (inbox: Page) => inbox.getByLabel('Message', { exact: true })


describe('both sides of a chat', () => {
  it('a visitor in the widget and an agent in the inbox: queue live, take, answers and typing both ways, the agent closes', async () => {
    // The agent first: the pre-chat form is shown only while someone is available.
    const inbox = await agentInbox()
    const visitor = await newPage()
    await visitor.goto(`${host.url}/plain.html`)
    const name = `Wanda ${unique()}`
    const widgetBox = visitor.getByRole('textbox', { name: 'Message' })
    const widgetLog = visitor.getByRole('log')
    await visitor.getByRole('button', { name: /chat/i }).first().click()
    await visitor.getByLabel('Name').fill(name)
    await visitor.getByLabel('Email').fill(`wanda-${unique()}@example.com`)
    await visitor.getByRole('button', { name: 'Start chat' }).click()
    await widgetBox.fill('Hello, I need help')
    await widgetBox.press('Enter')

    // The inbox was never reloaded: the queue stream brings the inquiry.
    await take(inbox, name)
    await inboxLog(inbox).getByText('Hello, I need help').waitFor()

    // Visitor → agent typing, then agent → visitor typing.
    await widgetBox.pressSequentially('My order')
    await inbox.getByText(`${name} is typing…`).waitFor()
    await inboxBox(inbox).pressSequentially('Hi Wanda')
    await visitor.getByText(`${AGENT.username} is typing…`).waitFor()

    // The agent answers: the visitor sees the answer, who sent it, and whom they are chatting with.
    await inbox.getByRole('button', { name: 'Send' }).click()
    await widgetLog.getByText('Hi Wanda').waitFor()
    await visitor.getByText(`You're chatting with ${AGENT.username}.`).waitFor()
    expect(await widgetLog.locator('.msg.theirs .who').allTextContents()).toEqual([AGENT.username])
    await expect.poll(() => visitor.getByText('is typing…').count()).toBe(0)

    // The visitor sends what they were typing: the agent's typing line clears, the message shows.
    await widgetBox.press('Enter')
    await inboxLog(inbox).getByText('My order').waitFor()
    await expect.poll(() => inbox.getByText(`${name} is typing…`).count()).toBe(0)
    await expect.poll(() => inbox.getByText('Sending…').count()).toBe(0)
    await expect.poll(() => widgetLog.getByText('Sending…').count()).toBe(0)

    // Each message once, in order, on both sides.
    const conversation = ['Hello, I need help', 'Hi Wanda', 'My order']
    expect(await widgetLog.locator('.msg .text').allTextContents()).toEqual(conversation)
    for (const text of conversation) expect(await inboxLog(inbox).getByText(text, { exact: true }).count()).toBe(1)

    await visitor.screenshot({ path: join(SHOTS, 'chat-two-sides-widget.png') })
    await inbox.screenshot({ path: join(SHOTS, 'chat-two-sides-inbox.png'), fullPage: true })

    // The agent closes with a comment: both sides show the end; the visitor can start again.
    await inbox.getByLabel(/Closing comment/).fill('Solved')
    await inbox.getByRole('button', { name: 'Close chat' }).click()
    await visitor.getByText('This chat has ended.').first().waitFor()
    await visitor.getByRole('button', { name: 'Start a new chat' }).waitFor()
    expect(await widgetBox.count()).toBe(0)
    await inbox.getByText('This chat has ended.').waitFor()
    expect(await inboxBox(inbox).count()).toBe(0)
  })

  it("Rocket.Chat's LivechatClientImpl as the visitor, the console as the agent", async () => {
    const inbox = await agentInbox()
    const name = `Rocco ${unique()}`
    const token = `tok-${unique()}`
    const sdk = LivechatClientImpl.create(dev.url, { retryCount: 3, retryTime: 300 })
    sdks.push(sdk)
    await sdk.connection.connect()
    const { visitor } = await sdk.grantVisitor({ visitor: { token, name } })
    const received: { msg: string; t?: string; u: { username: string } }[] = []
    const typing: [string, string[]][] = []
    sdk.onMessage((m) => received.push(m as unknown as (typeof received)[number]))
    sdk.onUserActivity((username, activities) => typing.push([username, activities]))
    const room = await sdk.room({ token })
    const before = new Set(sdk.client.subscriptions.keys())
    void sdk.subscribeRoom(room._id)
    // Its subscriptions are registered at once, answered later; a refused one leaves the map.
    const subs = [...sdk.client.subscriptions.keys()].filter((id) => !before.has(id))
    await eventually(() => subs.every((id) => {
      const sub = sdk.client.subscriptions.get(id)
      if (!sub) throw new Error(`subscription ${id} refused`)
      return sub.isReady
    }), 'the room subscriptions')
    const write = (msg: string) => sdk.sendMessage({ rid: room._id, msg, _id: `v-${unique()}`, token })
    await write('Hello from the SDK')

    // The inquiry shows in the console without a reload; the agent takes it and sees the message.
    await take(inbox, name)
    await inboxLog(inbox).getByText('Hello from the SDK').waitFor()

    // Typing both ways, then the agent's answer reaches the SDK.
    await inboxBox(inbox).pressSequentially('Hi Rocco')
    await eventually(() => typing.some(([who, a]) => who === AGENT.username && a.includes('user-typing')), "the agent's typing")
    await inbox.getByRole('button', { name: 'Send' }).click()
    const answer = await eventually(() => received.find((m) => m.msg === 'Hi Rocco'), 'the answer')
    expect(answer.u.username).toBe(AGENT.username)
    await sdk.notifyVisitorActivity(room._id, visitor.username, ['user-typing'])
    await inbox.getByText(`${name} is typing…`).waitFor()

    // The SDK's next message appears in the open conversation, once.
    await write('Thanks, that works')
    await inboxLog(inbox).getByText('Thanks, that works').waitFor()
    await expect.poll(() => inbox.getByText(`${name} is typing…`).count()).toBe(0)
    for (const text of ['Hello from the SDK', 'Hi Rocco', 'Thanks, that works']) {
      expect(await inboxLog(inbox).getByText(text, { exact: true }).count()).toBe(1)
    }
    expect(received.filter((m) => m.msg === 'Hi Rocco')).toHaveLength(1)

    // The agent closes: the SDK receives livechat-close with the comment.
    await inbox.getByLabel(/Closing comment/).fill('Bye')
    await inbox.getByRole('button', { name: 'Close chat' }).click()
    await eventually(() => received.find((m) => m.t === 'livechat-close' && m.msg === 'Bye'), 'livechat-close')
    await inbox.getByText('This chat has ended.').waitFor()
  })
})
