// The queue consumers (this Worker's `queue` handler): each message is one event for one
// destination, delivered on its own and acknowledged once delivered (or once there is nothing to
// deliver: the type was switched off, or what it is about was erased). A failure is retried with
// exponential backoff; after wrangler.toml's max_retries the platform moves the message to the
// dead-letter queue, whose consumer logs it.
import { omnichannel } from '../chat/stubs.ts'
import { registry } from '../visitors/visitor-registry.ts'
import { ownerMail, sendMail } from './email.ts'
import { wants, type QueuedEvent } from './events.ts'
import { buildPayload } from './payloads.ts'
import { postWebhook } from './webhook.ts'

export const EVENTS_QUEUE = 'livechat-events'
export const DEAD_LETTER_QUEUE = 'livechat-events-dead'

/** Seconds before the next try after `attempts` tries: 2 s, doubling, at most an hour. */
export const retryDelay = (attempts: number): number => Math.min(2 ** Math.max(attempts, 1), 3600)

export async function consume(batch: MessageBatch<QueuedEvent>, env: Env): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return logDead(batch)
  await Promise.all(batch.messages.map((message) => deliverOne(message, env)))
}

async function deliverOne(message: Message<QueuedEvent>, env: Env): Promise<void> {
  const { type, eventId, to } = message.body
  try {
    await deliver(message.body, env)
    message.ack()
  } catch (error) {
    const delaySeconds = retryDelay(message.attempts)
    // Ids and the reason only: no personal data in the log.
    console.warn(`${type} ${eventId} to ${to}: attempt ${message.attempts} failed (${reason(error)}); retrying in ${delaySeconds} s`)
    message.retry({ delaySeconds })
  }
}

async function deliver(event: QueuedEvent, env: Env): Promise<void> {
  // Switched off since it was recorded.
  if (!wants(env, event.type, event.to)) return
  if (event.to === 'webhook') {
    const payload = await buildPayload(env, event)
    if (payload) await postWebhook(env, payload)
  } else if (event.to === 'email') {
    const mail = await ownerMail(env, event)
    if (mail) await sendMail(env, mail)
  } else {
    const contact = event.visitorId === undefined ? null : await registry(env).info(event.visitorId)
    if (contact) await omnichannel(env).publishNewContact(contact)
  }
}

/** Events that never got through, by type and id, for the operator (`wrangler tail`). */
function logDead(batch: MessageBatch<QueuedEvent>): void {
  for (const message of batch.messages) {
    const { type, eventId, to, at } = message.body
    console.error(`notification dead-lettered: ${type} ${eventId} to ${to} (from ${at}), after every retry failed`)
    message.ack()
  }
}

const reason = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : 'an error that is not an Error')
