// Notifications over `wrangler dev`'s local Queues and send_email: visitors register from another
// origin and leave an offline message; a real local receiver that fails twice, then holds a
// delivery past the Worker's timeout, then answers, gets each event delivered successfully exactly
// once, signed; the site owner's emails are written where wrangler dev puts them.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { ROOT, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

const SECRET = 'e2e-webhook-secret'
const HOST_PAGE_ORIGIN = 'http://shop.localhost:8080'
/** Where wrangler dev writes each message the send_email binding sends (one .eml each). */
const EMAIL_DIR = join(ROOT, '.wrangler/tmp/email')

let receiver: WebhookReceiver
let dev: WranglerDev
const started = Date.now()

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  dev = await startWranglerDev({
    vars: {
      LIVECHAT_WEBHOOK_URL: `${receiver.url}/hook?plan=500,500,hang,200`,
      LIVECHAT_WEBHOOK_SECRET: SECRET,
      LIVECHAT_WEBHOOK_EVENTS: 'LivechatNewContact,LivechatOfflineMessage',
      LIVECHAT_EMAIL_TO: 'owner@shop.example',
      LIVECHAT_EMAIL_FROM: 'chat@shop.example',
      RATE_LIMITS: 'off',
    },
  })
})
afterAll(async () => {
  await dev?.stop()
  await receiver?.close()
})

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Every .eml wrangler dev wrote since this file started. */
function emails(): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name)
      if (name.isDirectory()) walk(path)
      else if (name.name.endsWith('.eml') && statSync(path).mtimeMs >= started - 1000) found.push(readFileSync(path, 'utf8'))
    }
  }
  try {
    walk(EMAIL_DIR)
  } catch {
    // Not there yet.
  }
  return found
}

const bodyOf = (eml: string) => Buffer.from(eml.split('\r\n\r\n')[1].replace(/\s+/g, ''), 'base64').toString('utf8')

const post = (path: string, body: unknown) => fetch(`${dev.url}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json', origin: HOST_PAGE_ORIGIN }, body: JSON.stringify(body),
})

describe('notifications through wrangler dev', () => {
  it('deliver each event once, signed, through failures and a timeout, and email the owner', async () => {
    const run = Math.random().toString(36).slice(2, 8)
    const names = [`Lena Lead ${run}`, `Tom Trial ${run}`]
    const contacts: { _id: string }[] = []
    for (const name of names) {
      const response = await post('/api/v1/livechat/visitor', { visitor: { token: `e2e-${run}-${name.length}-${contacts.length}`, name, email: `lead.${run}.${contacts.length}@example.com` } })
      expect(response.status).toBe(200)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      contacts.push(((await response.json()) as { visitor: { _id: string } }).visitor)
    }
    const offline = await post('/api/v1/livechat/offline.message', { name: `Olga ${run}`, email: `olga.${run}@example.com`, message: 'Please call me back' })
    expect(offline.status).toBe(200)

    // Three events, each tried four times: 500, 500, no answer within 5 s, 200 (2 s, 4 s, 8 s apart).
    const delivered = await waitFor('three events delivered', () => {
      const ok = receiver.received.filter((r) => r.answer === 200)
      return ok.length >= 3 ? ok : undefined
    }, 60_000)
    // Anything more would come in the next retry's window: wait it out.
    await new Promise((r) => setTimeout(r, 3000))

    const byEvent = new Map<string, Received[]>()
    for (const r of receiver.received) byEvent.set(r.body.eventId!, [...(byEvent.get(r.body.eventId!) ?? []), r])
    expect(byEvent.size).toBe(3)
    for (const [eventId, tries] of byEvent) {
      expect(tries.map((t) => t.answer), eventId).toEqual([500, 500, 'hang', 200])
      expect(tries.filter((t) => t.answer === 200)).toHaveLength(1)
      for (const t of tries) {
        expect(t.headers['x-rocketchat-livechat-token']).toBe(SECRET)
        expect(t.body.eventId).toBe(eventId)
      }
      // Backoff: each wait longer than the one before.
      const gaps = tries.slice(1).map((t, i) => t.at - tries[i].at)
      expect(gaps[0]).toBeGreaterThanOrEqual(1500)
      expect(gaps[1]).toBeGreaterThanOrEqual(3500)
      expect(gaps[2]).toBeGreaterThanOrEqual(5000 + 7000)
    }
    const newContacts = delivered.filter((r) => r.body.type === 'LivechatNewContact')
    expect(newContacts.map((r) => (r.body.visitor as { _id: string })._id).sort()).toEqual(contacts.map((c) => c._id).sort())
    expect(newContacts.map((r) => (r.body.visitor as { name: string }).name).sort()).toEqual([...names].sort())
    const [offlinePayload] = delivered.filter((r) => r.body.type === 'LivechatOfflineMessage')
    expect(offlinePayload.body).toMatchObject({ visitor: { name: `Olga ${run}`, email: `olga.${run}@example.com` }, message: 'Please call me back' })

    // The owner's emails: one per new contact and one for the offline message.
    const mine = await waitFor('three emails', () => {
      const found = emails().filter((eml) => bodyOf(eml).includes(run))
      return found.length >= 3 ? found : undefined
    }, 20_000)
    expect(mine).toHaveLength(3)
    for (const [i, name] of names.entries()) {
      const eml = mine.find((m) => m.includes(`Subject: New contact: ${name}`))!
      expect(eml).toContain('From: chat@shop.example\r\n')
      expect(eml).toContain('To: owner@shop.example\r\n')
      expect(bodyOf(eml)).toContain(`Open it in the console: ${dev.url}/agent/#/contacts/${contacts[i]._id}`)
    }
    const offlineEmail = mine.find((m) => m.includes(`Subject: Offline message from Olga ${run}`))!
    expect(bodyOf(offlineEmail)).toContain('Please call me back')
  }, 120_000)
})
