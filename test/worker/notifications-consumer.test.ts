// The queue consumer: delivery to a real local receiver, acknowledgement on 2xx, retries with
// exponential backoff, the receiver's timeout, the dead-letter queue, erasure before delivery,
// events switched off, and each destination on its own.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { retryDelay } from '../../worker/src/notifications/consumer.ts'
import { WEBHOOK_TIMEOUT_MS } from '../../worker/src/notifications/webhook.ts'
import { call, countingNamespace, env, newToken, register } from './support.ts'
import { SECRET, consume, emailOn, hookUrl, queued, received, webhookOn } from './notifications-support.ts'

afterEach(() => vi.restoreAllMocks())

const newContact = async (name = 'Ana Lead') => register({ token: newToken(), name, email: `ana.${newToken().toLowerCase()}@example.com` })

/** The real send_email binding, recording each message it is given. */
function recordingEmail() {
  const sent: { from: string; to: string }[] = []
  const binding = { send: (message: EmailMessage) => (sent.push({ from: message.from, to: message.to }), env.LIVECHAT_EMAIL.send(message)) }
  return { sent, env: { LIVECHAT_EMAIL: binding } as unknown as Partial<Env> }
}

describe('a webhook delivery', () => {
  it('posts the payload with the secret header, and is acknowledged on 2xx', async () => {
    const contact = await newContact()
    const url = hookUrl('204')
    const event = queued('LivechatNewContact', 'webhook', { visitorId: contact._id })
    const result = await consume([event], webhookOn(url))
    expect(result.explicitAcks).toEqual(['m0'])
    expect(result.retryMessages).toEqual([])
    const [request, ...more] = await received(url)
    expect(more).toEqual([])
    expect(request.headers['x-rocketchat-livechat-token']).toBe(SECRET)
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.body).toMatchObject({ type: 'LivechatNewContact', eventId: event.eventId, visitor: { _id: contact._id, name: 'Ana Lead' } })
  })

  it('sends no token header when no secret is set', async () => {
    const contact = await newContact()
    const url = hookUrl()
    await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn(url, { LIVECHAT_WEBHOOK_SECRET: '' }))
    expect((await received(url))[0].headers).not.toHaveProperty('x-rocketchat-livechat-token')
  })

  it('is retried on any other answer, with a delay that doubles from 2 s up to an hour', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    for (const [status, attempts, delaySeconds] of [[500, 1, 2], [503, 2, 4], [404, 3, 8], [302, 11, 2048], [429, 12, 3600], [500, 20, 3600]]) {
      const url = hookUrl(String(status))
      const result = await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn(url), { attempts })
      expect(result.explicitAcks).toEqual([])
      expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds }])
      // A redirect is not followed: it could carry the secret elsewhere.
      expect((await received(url)).map((r) => r.answer)).toEqual([status])
    }
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([2, 4, 8, 16])
  })

  it('gives up on a receiver that does not answer within the timeout, and retries', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    const url = hookUrl('hang')
    const started = Date.now()
    const result = await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn(url))
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_MS - 100)
    expect(took).toBeLessThan(WEBHOOK_TIMEOUT_MS + 3000)
    expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
    expect(String(warn.mock.calls[0])).toMatch(/timeout|TimeoutError|abort/i)
  }, 15_000)

  it('is retried when the receiver cannot be reached', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    const result = await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn('http://127.0.0.1:9/hook'))
    expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
  })

  it('of a type switched off by LIVECHAT_WEBHOOK_EVENTS is acknowledged and sends nothing', async () => {
    const contact = await newContact()
    const url = hookUrl()
    const event = queued('LivechatNewContact', 'webhook', { visitorId: contact._id })
    const off = await consume([event], webhookOn(url, { LIVECHAT_WEBHOOK_EVENTS: 'LivechatSession, Message' }))
    expect(off.explicitAcks).toEqual(['m0'])
    expect(await received(url)).toEqual([])
    const on = await consume([event], webhookOn(url, { LIVECHAT_WEBHOOK_EVENTS: 'Message,LivechatNewContact' }))
    expect(on.explicitAcks).toEqual(['m0'])
    expect(await received(url)).toHaveLength(1)
  })

  it('waits in the queue while a setting is broken, and the log names it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    const url = hookUrl()
    const result = await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn(url, { LIVECHAT_WEBHOOK_EVENTS: 'LivechatSesion' }))
    expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
    expect(await received(url)).toEqual([])
    expect(String(error.mock.calls[0])).toMatch(/LIVECHAT_WEBHOOK_EVENTS/)
  })

  it('waits while the secret could not travel as is in a header (a space around it, a control character), and the log names it without it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    for (const secret of [`${SECRET} `, `\t${SECRET}`, `${SECRET}\u0001`, `${SECRET}\n`]) {
      error.mockClear()
      const url = hookUrl()
      const result = await consume([queued('LivechatNewContact', 'webhook', { visitorId: contact._id })], webhookOn(url, { LIVECHAT_WEBHOOK_SECRET: secret }))
      expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
      expect(await received(url)).toEqual([])
      const logged = error.mock.calls.map(String).join('\n')
      expect(logged).toMatch(/LIVECHAT_WEBHOOK_SECRET/)
      expect(logged).not.toContain(SECRET)
    }
  })
})

describe('a contact erased before delivery', () => {
  it('sends nothing: no webhook, no email, nothing to the consoles; every message is acknowledged', async () => {
    const contact = await newContact('Erased Before')
    expect((await call(`/api/v1/livechat/visitor/${contact.token}`, { method: 'DELETE' })).status).toBe(200)
    const url = hookUrl()
    const email = recordingEmail()
    const omni = countingNamespace<Env['OMNICHANNEL']>(env.OMNICHANNEL.getByName('global'))
    const events = (['webhook', 'email', 'console'] as const).map((to) => queued('LivechatNewContact', to, { visitorId: contact._id, origin: 'https://contact.example' }))
    const result = await consume(events, { ...webhookOn(url), ...emailOn, ...email.env, OMNICHANNEL: omni.namespace })
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2'])
    expect(await received(url)).toEqual([])
    expect(email.sent).toEqual([])
    expect(omni.calls).not.toContain('publishNewContact')
  })
})

describe('destinations', () => {
  it('are delivered on their own: a failing webhook does not hold back or resend the email', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    const url = hookUrl('500')
    const email = recordingEmail()
    const [hook, mail] = (['webhook', 'email'] as const).map((to) => queued('LivechatNewContact', to, { visitorId: contact._id, origin: 'https://contact.example' }))
    const result = await consume([hook, mail], { ...webhookOn(url), ...emailOn, ...email.env })
    expect(result.explicitAcks).toEqual(['m1'])
    expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
    // Miniflare's binding parsed and accepted the message.
    expect(email.sent).toEqual([{ from: 'chat@shop.example', to: 'owner@shop.example' }])
  })

  it('the consoles get the new contact through the Omnichannel object', async () => {
    const contact = await newContact()
    const omni = countingNamespace<Env['OMNICHANNEL']>(env.OMNICHANNEL.getByName('global'))
    const result = await consume([queued('LivechatNewContact', 'console', { visitorId: contact._id })], { OMNICHANNEL: omni.namespace })
    expect(result.explicitAcks).toEqual(['m0'])
    expect(omni.calls).toEqual(['publishNewContact'])
  })

  it('email switched off since the event was recorded: acknowledged, nothing sent', async () => {
    const contact = await newContact()
    const email = recordingEmail()
    const result = await consume([queued('LivechatNewContact', 'email', { visitorId: contact._id })], email.env)
    expect(result.explicitAcks).toEqual(['m0'])
    expect(email.sent).toEqual([])
  })

  it('email on without a sender: retried, and the log names LIVECHAT_EMAIL_FROM', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const contact = await newContact()
    const result = await consume([queued('LivechatNewContact', 'email', { visitorId: contact._id })], { LIVECHAT_EMAIL_TO: 'owner@shop.example' } as Partial<Env>)
    expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 2 }])
    expect(String(error.mock.calls[0])).toMatch(/LIVECHAT_EMAIL_FROM/)
  })
})

describe('the dead-letter queue', () => {
  it('logs each dead event by type and id, without personal data, and acknowledges it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const contact = await newContact('Private Person')
    const event = queued('LivechatNewContact', 'webhook', { visitorId: contact._id })
    const url = hookUrl()
    const result = await consume([event], webhookOn(url), { queue: 'livechat-events-dead', attempts: 21 })
    expect(result.explicitAcks).toEqual(['m0'])
    expect(await received(url)).toEqual([])
    const logged = error.mock.calls.map(String).join('\n')
    expect(logged).toContain(`LivechatNewContact ${event.eventId} to webhook`)
    expect(logged).not.toContain('Private Person')
    expect(logged).not.toContain(contact._id)
  })
})
