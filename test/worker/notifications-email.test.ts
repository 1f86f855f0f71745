// The site owner's email: its headers, the contact's details, the link to the contact in the
// console, nothing a visitor typed able to add a header, and nothing for an erased contact.
import { describe, expect, it } from 'vitest'
import { ownerMail } from '../../worker/src/notifications/email.ts'
import { buildMime, type Mail } from '../../worker/src/notifications/mime.ts'
import { call, env, newToken, postVisitor, register } from './support.ts'
import { post } from './chat-support.ts'
import { consume, emailOn, outboxOf, queued, recordingQueue } from './notifications-support.ts'

const ORIGIN = 'https://contact.example'
const settings = { ...env, ...emailOn }

/** Headers (unfolded, encoded words decoded) and the decoded body of a MIME message. */
function parse(mime: string) {
  const [head, ...rest] = mime.split('\r\n\r\n')
  const lines = head.replace(/\r\n[ \t]/g, ' ').split('\r\n')
  const decode = (value: string) => value
    .replace(/\?= =\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_m, b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))))
  const headers = lines.map((line) => [line.slice(0, line.indexOf(':')), decode(line.slice(line.indexOf(':') + 2))] as const)
  const body = new TextDecoder().decode(Uint8Array.from(atob(rest.join('\r\n\r\n').replace(/\r\n/g, '')), (c) => c.charCodeAt(0)))
  return { raw: head, lines, headers: Object.fromEntries(headers), names: headers.map(([name]) => name), body }
}

async function newContactMail(visitor: Record<string, unknown>) {
  const contact = await register({ token: newToken(), ...visitor })
  const event = queued('LivechatNewContact', 'email', { visitorId: contact._id, origin: ORIGIN })
  return { contact, event, mail: (await ownerMail(settings, event))! }
}

describe('the email for a new contact', () => {
  it('goes from LIVECHAT_EMAIL_FROM to LIVECHAT_EMAIL_TO with the details and a link to the contact', async () => {
    const { contact, event, mail } = await newContactMail({
      name: 'Nina New', email: 'nina@example.com', phone: '+1 555 0103', department: 'sales',
      customFields: [{ key: 'address', value: 'Main St 1', overwrite: true }],
      sourcePage: { url: 'https://shop.example/pricing', title: 'Pricing' },
    })
    const { headers, names, body } = parse(buildMime(mail))
    expect(names).toEqual(['From', 'To', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'])
    expect(headers).toMatchObject({
      From: 'chat@shop.example', To: 'owner@shop.example', 'Reply-To': 'nina@example.com', Subject: 'New contact: Nina New',
      'Message-ID': `<${event.eventId}@shop.example>`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'base64',
    })
    expect(Date.parse(headers.Date)).toBeGreaterThan(Date.now() - 60_000)
    expect(body.split('\n')).toEqual([
      'Someone filled in the chat form on your site.',
      '',
      'Name: Nina New',
      'Email: nina@example.com',
      'Phone: +1 555 0103',
      'Department: Sales',
      'Address: Main St 1',
      'Came from: Pricing https://shop.example/pricing',
      '',
      `Open it in the console: ${ORIGIN}/agent/#/contacts/${contact._id}`,
    ].join('\r\n').split('\n'))
  })

  it('cannot get a header from a name with line breaks: refused at registration, and cleaned here', async () => {
    expect((await postVisitor({ visitor: { token: newToken(), name: 'Eve\r\nBcc: victim@example.net' } })).status).toBe(400)
    const mail: Mail = {
      from: 'chat@shop.example', to: 'owner@shop.example', replyTo: 'eve@example.com\r\nCc: victim@example.net',
      subject: 'New contact: Eve\r\nBcc: victim@example.net\nX-Spam: yes', text: 'Body\r\n.\r\nBcc: x@example.net', id: 'event-1',
    }
    const { lines, headers, names, body } = parse(buildMime(mail))
    expect(names).toEqual(['From', 'To', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'])
    expect(lines.filter((l) => /^Subject:/.test(l))).toHaveLength(1)
    expect(headers.Subject).toBe('New contact: Eve Bcc: victim@example.net X-Spam: yes')
    expect(headers['Reply-To']).toBe('eve@example.com Cc: victim@example.net')
    expect(body).toBe('Body\r\n.\r\nBcc: x@example.net')
  })

  it('encodes a name in any script as RFC 2047 words of at most 75 characters', async () => {
    const name = 'Zoë 田中 Ümit Ελένη Ярослава 😀 '.repeat(3).trim()
    const { mail } = await newContactMail({ name })
    const mime = buildMime(mail)
    const { raw, headers } = parse(mime)
    expect(headers.Subject).toBe(`New contact: ${name}`)
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78)
    expect(raw).toMatch(/^[\x20-\x7e\r\n]*$/)
  })

  it('uses the username when there is no name, and has no link without an origin', async () => {
    const contact = await register({ token: newToken() })
    const mail = (await ownerMail(settings, queued('LivechatNewContact', 'email', { visitorId: contact._id })))!
    expect(mail.subject).toBe(`New contact: ${contact.username}`)
    expect(mail.replyTo).toBeUndefined()
    expect(mail.text).not.toContain('console')
  })

  it('is not written for a contact erased before delivery', async () => {
    const { contact, event } = await newContactMail({ name: 'Gone' })
    await call(`/api/v1/livechat/visitor/${contact.token}`, { method: 'DELETE' })
    expect(await ownerMail(settings, event)).toBeNull()
  })
})

describe('the email for an offline message', () => {
  it('has the message, the department by name and a link to the contact', async () => {
    const { queue, sent } = recordingQueue()
    const { restore } = await outboxOf(env.OMNICHANNEL.getByName('global'), { queue, settings: emailOn })
    try {
      await post('/api/v1/livechat/offline.message', { name: 'Olga', email: 'olga@example.com', message: 'Please call\nme back', department: 'support' })
    } finally {
      await restore()
    }
    const [event] = sent
    expect(event).toMatchObject({ type: 'LivechatOfflineMessage', to: 'email', origin: ORIGIN })
    const mail = (await ownerMail(settings, event))!
    expect(mail.subject).toBe('Offline message from Olga')
    expect(mail.replyTo).toBe('olga@example.com')
    expect(mail.text).toContain('Department: Support')
    expect(mail.text).toContain('Message:\nPlease call\nme back')
    expect(mail.text).toContain(`${ORIGIN}/agent/#/contacts/${event.visitorId}`)
  })
})

it('Cloudflare\'s send_email binding (miniflare\'s) accepts the message', async () => {
  const contact = await register({ token: newToken(), name: 'Sent For Real' })
  const result = await consume([queued('LivechatNewContact', 'email', { visitorId: contact._id, origin: ORIGIN })], emailOn)
  expect(result.explicitAcks).toEqual(['m0'])
  expect(result.retryMessages).toEqual([])
})

it('a long text body is split into base64 lines of 76 characters', () => {
  const mail: Mail = { from: 'a@b.example', to: 'c@d.example', subject: 's', text: 'x'.repeat(500), id: 'id1' }
  const [, body] = buildMime(mail).split('\r\n\r\n')
  const lines = body.split('\r\n').filter(Boolean)
  expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true)
  expect(parse(buildMime(mail)).body).toBe('x'.repeat(500))
})
