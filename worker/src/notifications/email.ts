// The site owner's email for a new contact or an offline message, built at delivery from the
// registry (nothing for an erased contact), with a link to the contact in the agent console, and
// sent through the `send_email` binding (Email Routing: to the owner's verified address).
import { EmailMessage } from 'cloudflare:email'
import { configError, contactFields, setting } from '../config.ts'
import { chatRoom } from '../chat/stubs.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { registry } from '../visitors/visitor-registry.ts'
import type { QueuedEvent } from './events.ts'
import { buildMime, type Mail } from './mime.ts'

/** The owner's email about this event, or null when its contact (or room) is gone. */
export async function ownerMail(env: Env, event: QueuedEvent): Promise<Mail | null> {
  const to = setting(env, 'LIVECHAT_EMAIL_TO')
  const from = setting(env, 'LIVECHAT_EMAIL_FROM')
  if (!from) throw configError('LIVECHAT_EMAIL_FROM', 'must be set when LIVECHAT_EMAIL_TO is')
  const contact = event.visitorId === undefined ? null : await registry(env).info(event.visitorId)
  if (!contact) return null
  const content = event.type === 'LivechatOfflineMessage' ? await offlineMail(env, event, contact) : newContactMail(env, event, contact)
  return content && { ...content, from, to, id: event.eventId }
}

export function sendMail(env: Env, mail: Mail): Promise<EmailSendResult> {
  return env.LIVECHAT_EMAIL.send(new EmailMessage(mail.from, mail.to, buildMime(mail)))
}

type Content = Pick<Mail, 'subject' | 'text' | 'replyTo'>

function newContactMail(env: Env, event: QueuedEvent, contact: Visitor): Content {
  return {
    subject: `New contact: ${nameOf(contact)}`,
    replyTo: contact.visitorEmails?.[0]?.address,
    text: lines('Someone filled in the chat form on your site.', details(env, contact), consoleLink(event, contact)),
  }
}

async function offlineMail(env: Env, event: QueuedEvent, contact: Visitor): Promise<Content | null> {
  const transcript = event.rid === undefined ? null : await chatRoom(env, event.rid).transcript()
  if (!transcript) return null
  return {
    subject: `Offline message from ${nameOf(contact)}`,
    replyTo: contact.visitorEmails?.[0]?.address,
    text: lines(
      'A visitor left a message while no agent was available.',
      [...details(env, contact, transcript.room.departmentId), '', 'Message:', transcript.messages[0]?.msg ?? ''],
      consoleLink(event, contact),
    ),
  }
}

const nameOf = (contact: Visitor) => contact.name || contact.username

/** The contact's details, one `Label: value` a line, only those it has. */
function details(env: Env, contact: Visitor, departmentId = contact.department): string[] {
  const department = departmentId && (setting(env, 'LIVECHAT_DEPARTMENTS').find((d) => d._id === departmentId)?.name ?? departmentId)
  const fields = contactFields(env).filter((f) => contact.livechatData?.[f._id]).map((f) => [f.label, contact.livechatData![f._id]])
  const entries: [string, string | undefined][] = [
    ['Name', contact.name],
    ['Email', contact.visitorEmails?.map((e) => e.address).join(', ')],
    ['Phone', contact.phone?.map((p) => p.phoneNumber).join(', ')],
    ['Department', department || undefined],
    ...(fields as [string, string][]),
    ['Came from', contact.sourcePage && `${contact.sourcePage.title} ${contact.sourcePage.url}`.trim()],
    ['Consent', contact.consent && `agreed on ${contact.consent.at} to: ${contact.consent.text}`],
  ]
  return entries.filter(([, value]) => value).map(([label, value]) => `${label}: ${value}`)
}

function consoleLink(event: QueuedEvent, contact: Visitor): string[] {
  return event.origin ? [`Open it in the console: ${event.origin}/agent/#/contacts/${encodeURIComponent(contact._id)}`] : []
}

const lines = (intro: string, body: string[], link: string[]) => [intro, '', ...body, ...(link.length ? ['', ...link] : [])].join('\n')
