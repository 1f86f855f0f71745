// The agent console in real Chromium against `wrangler dev`: agents created with the CLI sign in
// with a password, find the contact the widget just created, edit it (by id, through
// contacts.update), export CSV and erase it.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Visitor } from '../../shared/visitor.ts'
import { firstScreenFiles } from '../../console/scripts/first-screen.ts'
import { ASSETS_DIR, CONSOLE_SUBDIR } from '../../scripts/assets.ts'
import { axeViolations, startDevAndChromium } from '../support/browser.ts'
import { BIN, ROOT, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

const SHOTS = join(ROOT, 'test-output')
const PASSWORDS = { maria: 'correct horse battery staple', alex: 'agent password 1234' }
let dev: WranglerDev
let browser: Browser
let context: BrowserContext
/** CLI tokens of the agents, for checking through the API what the console did. */
let manager: Record<string, string>
let agent: Record<string, string>

/** `npm run agent -- create <name> --role <role> --password-stdin`, the password piped in. */
function createAgent(username: keyof typeof PASSWORDS, role: string, on = dev): Record<string, string> {
  const out = execFileSync(
    'npm',
    ['run', '-s', 'agent', '--', 'create', username, '--role', role, '--password-stdin', '--persist-to', on.persistTo],
    { cwd: ROOT, input: `${PASSWORDS[username]}\n`, encoding: 'utf8', env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` } },
  )
  const { userId, authToken } = JSON.parse(out.trim().split('\n').at(-1)!)
  return { 'X-User-Id': userId, 'X-Auth-Token': authToken }
}

/** An agent available, so that the widget shows its pre-chat form (else its offline form). */
async function makeAvailable(headers: Record<string, string>, on = dev) {
  const response = await fetch(`${on.url}/api/v1/livechat/agent.status`, {
    method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'available' }),
  })
  expect(response.status).toBe(200)
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  ;[dev, browser] = await startDevAndChromium()
  manager = createAgent('maria', 'livechat-manager')
  agent = createAgent('alex', 'livechat-agent')
  await makeAvailable(agent)
})

afterAll(async () => {
  await browser?.close()
  await dev?.stop()
})

afterEach(() => context?.close())

async function open(options: { viewport?: { width: number; height: number }; bypassCSP?: boolean; on?: WranglerDev } = {}): Promise<Page> {
  context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, bypassCSP: options.bypassCSP })
  const page = await context.newPage()
  await page.goto(`${(options.on ?? dev).url}/agent`)
  return page
}

async function signIn(page: Page, username: keyof typeof PASSWORDS) {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORDS[username])
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
}

/** Types `term` into the search box and waits for the list's answer to that very term. */
async function search(page: Page, term: string) {
  await page.getByLabel('Search contacts').fill(term)
  await page.getByRole('status').filter({ hasText: `“${term}”` }).first().waitFor()
}

/** A contact created by the widget on the demo page, as a visitor would. */
async function widgetContact(name: string, on = dev): Promise<string> {
  const visitorContext = await browser.newContext()
  try {
    const page = await visitorContext.newPage()
    await page.goto(`${on.url}/`)
    await page.getByRole('button', { name: /chat/i }).first().click()
    await page.getByLabel('Name').fill(name)
    await page.getByLabel('Email').fill(`${name.split(' ')[0].toLowerCase()}@example.com`)
    await page.getByLabel(/^Phone/).fill('+55 51 4321')
    await page.getByLabel(/^Address/).fill('Widget street 1')
    await page.getByRole('button', { name: 'Start chat' }).click()
    await page.getByText(/You're all set/).waitFor()
    return (await page.evaluate(() => localStorage.getItem('ecc:token')))!
  } finally {
    await visitorContext.close()
  }
}

async function api<T>(path: string, headers = manager, on = dev): Promise<{ status: number; body: T }> {
  const response = await fetch(`${on.url}${path}`, { headers })
  return { status: response.status, body: (await response.json()) as T }
}

async function post<T>(path: string, body: unknown, headers = manager, on = dev): Promise<{ status: number; body: T }> {
  const response = await fetch(`${on.url}${path}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as T }
}

/** The one contact a search finds (the test's names are unique). */
async function findContact(term: string, headers = manager, on = dev): Promise<Visitor> {
  const { body } = await api<{ visitors: Visitor[]; total: number }>(`/api/v1/livechat/visitors.search?term=${encodeURIComponent(term)}`, headers, on)
  expect(body.total).toBe(1)
  return body.visitors[0]
}

/** Opens the contact named `name` from the list and its edit form. */
async function editContact(page: Page, name: string) {
  await search(page, name)
  await page.getByRole('link', { name }).click()
  await page.getByRole('heading', { level: 1, name }).waitFor()
  await page.getByRole('button', { name: 'Edit' }).click()
}

const serious = async (page: Page) =>
  (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')

describe('the agent console in Chromium', () => {
  it('/agent serves the console under a strict CSP, uncached, with no violation', async () => {
    const page = await open()
    expect(page.url()).toBe(`${dev.url}/agent/`)
    const response = await fetch(`${dev.url}/agent/`)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/)
    const violations: string[] = []
    page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()) })
    await page.reload()
    await signIn(page, 'maria')
    expect(violations).toEqual([])
    // Styled: the stylesheet loaded under the CSP.
    expect(await page.getByRole('button', { name: 'Sign out' }).evaluate((b) => getComputedStyle(b).borderRadius)).not.toBe('0px')
  })

  it('the first screen fetches only what size.ts counts; the contact view and the inbox bring their chunks (and styles) under the CSP', async () => {
    await widgetContact('Chunk Checker')
    const dir = join(ASSETS_DIR, CONSOLE_SUBDIR)
    const first = firstScreenFiles(dir, CONSOLE_SUBDIR).sort()
    /** The built file whose name starts with `chunk` and ends with `ext`, content hash between. */
    const built = (chunk: string, ext: string) => `assets/${readdirSync(join(dir, 'assets')).find((f) => f.startsWith(`${chunk}-`) && f.endsWith(ext))}`
    const violations: string[] = []
    /** A page in a new context (nothing cached) and the console's files it fetches, taken in turn. */
    const watched = async (session?: string) => {
      context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const page = await context.newPage()
      if (session) await page.addInitScript((value) => sessionStorage.setItem('ecc-console:session', value), session)
      const fetched: string[] = []
      page.on('request', (request) => {
        const { pathname } = new URL(request.url())
        // The favicon is the browser's, not the app's.
        if (pathname.startsWith(`/${CONSOLE_SUBDIR}/`) && !pathname.endsWith('.svg')) fetched.push(pathname.slice(CONSOLE_SUBDIR.length + 2) || 'index.html')
      })
      page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()) })
      await page.goto(`${dev.url}/agent/`)
      return { page, seen: () => [...fetched].sort(), take: () => fetched.splice(0).sort() }
    }
    const live = built('live', '.js')

    // The sign-in screen, then the list: nothing more but the live connection's chunk, which follows it.
    const { page, seen, take } = await watched()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await expect.poll(seen).toEqual(first)
    take()
    await signIn(page, 'maria')
    await page.getByRole('link', { name: 'Chunk Checker' }).waitFor()
    await expect.poll(seen).toEqual([live])
    take()
    // A contact: its chunk; styled by the first screen's stylesheet.
    await page.getByRole('link', { name: 'Chunk Checker' }).click()
    await page.getByRole('heading', { level: 1, name: 'Chunk Checker' }).waitFor()
    expect(take()).toEqual([built('ContactView', '.js')])
    expect(await page.locator('.fields').first().evaluate((dl) => getComputedStyle(dl).borderRadius)).toBe('8px')
    // The inbox: its chunk and its stylesheet, in place before it shows.
    await page.getByRole('link', { name: 'Inbox' }).click()
    await page.locator('.inbox-grid').waitFor()
    expect(take()).toEqual([built('Inbox', '.css'), built('Inbox', '.js')])
    expect(await page.locator('.inbox-grid').evaluate((grid) => getComputedStyle(grid).display)).toBe('grid')

    // A signed-in agent landing on the list (a reload, the session kept): the same first screen.
    const session = (await page.evaluate(() => sessionStorage.getItem('ecc-console:session')))!
    await context.close()
    const again = await watched(session)
    await again.page.getByRole('link', { name: 'Chunk Checker' }).waitFor()
    await expect.poll(again.seen).toEqual([...first, live].sort())
    expect(violations).toEqual([])
  })

  it('a wrong password is refused; the right one signs in, keeping the token in sessionStorage only', async () => {
    const page = await open()
    await page.getByLabel('Username').fill('maria')
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor()
    await signIn(page, 'maria')
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('ecc-console:session'), local: localStorage.length }))
    expect(JSON.parse(stored.session!)).toMatchObject({ authToken: expect.any(String), me: { username: 'maria', roles: ['livechat-manager'] } })
    expect(stored.local).toBe(0)
  })

  it('manager: finds the contact the widget created, edits it, exports CSV, erases it', async () => {
    const token = await widgetContact('Bruna Browser')
    const page = await open()
    await signIn(page, 'maria')

    // Found: newest first in the list, and by search as you type.
    await page.getByRole('link', { name: 'Bruna Browser' }).waitFor()
    await search(page, 'bruna@')
    expect(await page.getByRole('list').getByRole('link').allTextContents()).toEqual(['Bruna Browser'])
    await page.screenshot({ path: join(SHOTS, 'console-list.png') })

    // Every field, livechatData included.
    await page.getByRole('link', { name: 'Bruna Browser' }).click()
    await page.getByRole('heading', { level: 1, name: 'Bruna Browser' }).waitFor()
    const details = await page.locator('dl').first().innerText()
    expect(details).toMatch(/bruna@example\.com/)
    expect(details).toMatch(/\+55 51 4321/)
    expect(details).toContain(token)
    expect(await page.locator('dl').nth(1).innerText()).toMatch(/Address\s+Widget street 1/)
    await page.screenshot({ path: join(SHOTS, 'console-detail.png'), fullPage: true })
    const contactId = decodeURIComponent(new URL(page.url()).hash.replace('#/contacts/', ''))

    // Edit, checked through the API.
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel('Name').fill('Bruna "B" Edited')
    await page.getByLabel(/^Email/).fill(' Bruna.Edited@Example.COM ')
    await page.getByLabel(/^Phone/).fill('')
    await page.getByLabel(/^Address/).fill('=SUM(1,2), "quoted"')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Changes saved.').waitFor()
    await page.getByRole('heading', { level: 1, name: 'Bruna "B" Edited' }).waitFor()
    const { body: info } = await api<{ visitor: Visitor }>(`/api/v1/livechat/visitors.info?visitorId=${contactId}`)
    expect(info.visitor).toMatchObject({ _id: contactId, token, name: 'Bruna "B" Edited', visitorEmails: [{ address: 'bruna.edited@example.com' }], livechatData: { address: '=SUM(1,2), "quoted"' } })
    expect(info.visitor.phone).toBeUndefined()

    // Export CSV of the current search.
    await page.getByRole('link', { name: '← All contacts' }).click()
    await search(page, 'bruna')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    expect(download.suggestedFilename()).toMatch(/^contacts-bruna-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync((await download.path())!, 'utf8')
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[0]).toBe('"ID","Username","Name","Email","Phone","Department","Status","Verified","Created","Updated","Address"')
    expect(lines[1]).toMatch(new RegExp(`^"${contactId}","guest-\\d+","Bruna ""B"" Edited","bruna\\.edited@example\\.com","","","online","no",`))
    expect(lines[1].endsWith(`,"'=SUM(1,2), ""quoted"""`)).toBe(true)
    expect(csv).not.toContain(token)
    expect(lines.slice(2)).toEqual([''])

    // Erase, after a confirmation.
    await page.getByRole('link', { name: 'Bruna "B" Edited' }).click()
    await page.getByRole('button', { name: 'Erase' }).click()
    const dialog = page.getByRole('alertdialog', { name: /Erase Bruna/ })
    await dialog.getByRole('button', { name: 'Erase for good' }).click()
    await page.getByText('Bruna "B" Edited was erased.').waitFor()
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    // Gone from the list (the search is kept: "bruna") and from a fresh search.
    await page.getByRole('status').filter({ hasText: 'No contacts match “bruna”.' }).waitFor()
    await page.getByLabel('Search contacts').fill('')
    await page.getByRole('status').filter({ hasText: /Showing|No contacts yet/ }).waitFor()
    expect(await page.getByRole('link', { name: /Bruna/ }).count()).toBe(0)
    await search(page, 'Edited')
    await page.getByRole('status').filter({ hasText: 'No contacts match “Edited”.' }).waitFor()
    // And through the API.
    const { body: found } = await api<{ total: number }>(`/api/v1/livechat/visitors.search?term=bruna`)
    expect(found.total).toBe(0)
    const gone = await api<{ error: string }>(`/api/v1/livechat/visitors.info?visitorId=${contactId}`)
    expect(gone.status).toBe(400)
  })

  it('Save edits the contact by its id: the same _id changes, the contact manager set through the API is kept', async () => {
    const token = await widgetContact('Gina Byid')
    const { _id: contactId } = await findContact('Gina Byid')
    const managed = await post<{ contact: Visitor }>('/api/v1/omnichannel/contacts.update', { contactId, contactManager: agent['X-User-Id'] })
    expect(managed.body.contact.contactManager).toEqual({ username: 'alex' })
    const page = await open()
    await signIn(page, 'maria')
    await editContact(page, 'Gina Byid')
    await page.getByLabel('Name').fill('Gina Edited')
    await page.getByLabel(/^Phone/).fill('+55 51 7777')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Changes saved.').waitFor()
    await page.getByRole('heading', { level: 1, name: 'Gina Edited' }).waitFor()
    const { body } = await api<{ visitor: Visitor }>(`/api/v1/livechat/visitors.info?visitorId=${contactId}`)
    expect(body.visitor).toMatchObject({
      _id: contactId,
      token,
      name: 'Gina Edited',
      phone: [{ phoneNumber: '+55 51 7777' }],
      visitorEmails: [{ address: 'gina@example.com' }],
      livechatData: { address: 'Widget street 1' },
      contactManager: { username: 'alex' },
    })
    expect((await findContact('Gina'))._id).toBe(contactId)
  })

  it('Save on a contact erased while the form is open: a clear message, the typed values kept, nothing stored', async () => {
    const token = await widgetContact('Hana Erasedmeanwhile')
    const { _id: contactId } = await findContact('Hana Erasedmeanwhile')
    const page = await open()
    await signIn(page, 'maria')
    await editContact(page, 'Hana Erasedmeanwhile')
    await page.getByLabel('Name').fill('Hana Revived')
    await page.getByLabel(/^Email/).fill('hana.revived@example.com')
    expect((await post('/api/v1/omnichannel/contacts.delete', { contactId })).status).toBe(200)
    const everyone = async () => (await api<{ total: number }>('/api/v1/livechat/visitors.search?term=')).body.total
    const total = await everyone()

    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('alert').filter({ hasText: 'This contact was erased or no longer exists. Nothing was saved.' }).waitFor()
    expect(await page.getByLabel('Name').inputValue()).toBe('Hana Revived')
    expect(await page.getByLabel(/^Email/).inputValue()).toBe('hana.revived@example.com')
    // Nothing came back: not under the old token, not by id, not as a new contact.
    expect((await fetch(`${dev.url}/api/v1/livechat/visitor/${token}`)).status).toBe(400)
    expect((await api(`/api/v1/livechat/visitors.info?visitorId=${contactId}`)).status).toBe(400)
    expect(await everyone()).toBe(total)
    for (const term of ['Hana', 'hana.revived@']) {
      expect((await api<{ total: number }>(`/api/v1/livechat/visitors.search?term=${encodeURIComponent(term)}`)).body.total).toBe(0)
    }
  })

  it('agent (livechat-agent): can open and edit a contact, is offered no Erase', async () => {
    await widgetContact('Carla Agentview')
    const page = await open()
    await signIn(page, 'alex')
    await search(page, 'Carla')
    await page.getByRole('link', { name: 'Carla Agentview' }).click()
    await page.getByRole('heading', { level: 1, name: 'Carla Agentview' }).waitFor()
    expect(await page.getByRole('button', { name: 'Edit' }).isVisible()).toBe(true)
    expect(await page.getByRole('button', { name: 'Erase' }).count()).toBe(0)
  })

  it('keyboard only: sign in, search, open a contact, edit and save', async () => {
    await widgetContact('Dora Keyboard')
    const page = await open()
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      return el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent ?? el.id : el.textContent
    })
    await page.keyboard.press('Tab')
    expect(await focused()).toBe('Username')
    await page.keyboard.type('maria')
    await page.keyboard.press('Tab')
    expect(await focused()).toBe('Password')
    await page.keyboard.type(PASSWORDS.maria)
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    // Focus moves in an effect after the first paint: wait for it rather than race it.
    await expect.poll(focused).toBe('Search contacts')
    await page.keyboard.type('Dora')
    await page.getByRole('status').filter({ hasText: 'matching “Dora”' }).waitFor()
    await page.keyboard.press('Tab')
    expect(await focused()).toBe('Dora Keyboard')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: 'Dora Keyboard' }).waitFor()
    for (let i = 0; i < 5 && (await focused()) !== 'Edit'; i++) await page.keyboard.press('Tab')
    expect(await focused()).toBe('Edit')
    await page.keyboard.press('Enter')
    expect(await focused()).toBe('Name')
    await page.keyboard.press('End')
    await page.keyboard.type(' Saved')
    for (let i = 0; i < 10 && (await focused()) !== 'Save'; i++) await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: 'Dora Keyboard Saved' }).waitFor()
    expect(await focused()).toBe('Edit')
  })

  it('axe-core: no serious or critical violation on sign-in, list, contact, edit form and erase confirmation', async () => {
    await widgetContact('Erica Axe')
    const page = await open({ bypassCSP: true }) // axe is injected as an inline script
    // With an error showing, so its wiring is checked too.
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    expect(await serious(page)).toEqual([])
    await signIn(page, 'maria')
    await page.getByRole('link', { name: 'Erica Axe' }).waitFor()
    expect(await serious(page)).toEqual([])
    await page.getByRole('link', { name: 'Erica Axe' }).click()
    await page.getByRole('heading', { level: 1, name: 'Erica Axe' }).waitFor()
    expect(await serious(page)).toEqual([])
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel(/^Email/).fill('not an email')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText(/Enter a valid email address/).waitFor()
    expect(await serious(page)).toEqual([])
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('button', { name: 'Erase' }).click()
    await page.getByRole('alertdialog').waitFor()
    expect(await serious(page)).toEqual([])
  })

  it('375 px: list and contact without horizontal scrolling, 16 px inputs', async () => {
    await widgetContact('Fabiana Small-Screen Withaverylongname')
    const page = await open({ viewport: { width: 375, height: 667 } })
    await signIn(page, 'maria')
    await page.getByRole('link', { name: /Fabiana/ }).waitFor()
    const noScroll = () => page.evaluate(() => document.documentElement.scrollWidth)
    expect(await noScroll()).toBeLessThanOrEqual(375)
    expect(await page.getByLabel('Search contacts').evaluate((i) => parseFloat(getComputedStyle(i).fontSize))).toBeGreaterThanOrEqual(16)
    await page.screenshot({ path: join(SHOTS, 'console-list-375.png') })
    await page.getByRole('link', { name: /Fabiana/ }).click()
    await page.getByRole('button', { name: 'Edit' }).waitFor()
    expect(await noScroll()).toBeLessThanOrEqual(375)
    await page.screenshot({ path: join(SHOTS, 'console-detail-375.png'), fullPage: true })
    await page.getByRole('button', { name: 'Edit' }).click()
    expect(await noScroll()).toBeLessThanOrEqual(375)
  })

  it('Sign out revokes the token; a 401 anywhere returns to sign-in with a message', async () => {
    const page = await open()
    await signIn(page, 'maria')
    const { authToken, userId } = JSON.parse((await page.evaluate(() => sessionStorage.getItem('ecc-console:session')))!)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You have signed out.').waitFor()
    expect((await api('/api/v1/me', { 'X-User-Id': userId, 'X-Auth-Token': authToken })).status).toBe(401)
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)

    // Signed in again; the session is revoked behind the console's back, then the agent searches.
    await signIn(page, 'maria')
    const again = JSON.parse((await page.evaluate(() => sessionStorage.getItem('ecc-console:session')))!)
    const revoked = await fetch(`${dev.url}/api/v1/logout`, { method: 'POST', headers: { 'X-User-Id': again.userId, 'X-Auth-Token': again.authToken } })
    expect(revoked.status).toBe(200)
    await page.getByLabel('Search contacts').fill('anything')
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor()
    expect(await page.getByLabel('Username').isVisible()).toBe(true)
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
  })
})

describe('the console with CONTACT_INCLUDE_TOKEN=false (tokens hidden from agents)', () => {
  let hidden: WranglerDev
  let maria: Record<string, string>

  beforeAll(async () => {
    hidden = await startWranglerDev({ vars: { CONTACT_INCLUDE_TOKEN: 'false' } })
    maria = createAgent('maria', 'livechat-manager', hidden)
    await makeAvailable(maria, hidden)
  })

  afterAll(() => hidden?.stop())

  it('shows no token and still saves an edit, by id', async () => {
    await widgetContact('Ines Notoken', hidden)
    const page = await open({ on: hidden })
    await signIn(page, 'maria')
    await search(page, 'Ines')
    await page.getByRole('link', { name: 'Ines Notoken' }).click()
    await page.getByRole('heading', { level: 1, name: 'Ines Notoken' }).waitFor()
    expect(await page.locator('dl').first().innerText()).toMatch(/Token\s+Not set/)
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel('Name').fill('Ines Saved')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Changes saved.').waitFor()
    const contact = await findContact('Ines', maria, hidden)
    expect(contact).toMatchObject({ name: 'Ines Saved', visitorEmails: [{ address: 'ines@example.com' }] })
    expect(contact).not.toHaveProperty('token')
  })
})
