// Notifications under test: the local webhook receiver (test/support/webhook-receiver.ts, reached
// over HTTP from workerd), the queue consumer called with a real MessageBatch, and the Durable
// Objects' outboxes pointed at queues that record or fail.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test'
import { inject } from 'vitest'
import worker from '../../worker/src/index.ts'
import { randomId } from '../../shared/ids.ts'
import type { EventOutbox } from '../../worker/src/notifications/event-outbox.ts'
import type { Destination, EventRefs, EventType, QueuedEvent } from '../../worker/src/notifications/events.ts'
import type { Received } from '../support/webhook-receiver-context.ts'
import { env } from './support.ts'

export const SECRET = 'receiver-shared-secret'

/** A fresh path on the receiver, answering by `plan` (e.g. '500,hang,200'). */
export function hookUrl(plan?: string): string {
  return `${inject('webhookReceiver')}/hook/${randomId()}${plan ? `?plan=${plan}` : ''}`
}

/** What the receiver got on this hook's path, oldest first. */
export async function received(url: string): Promise<Received[]> {
  const response = await fetch(`${inject('webhookReceiver')}/received?path=${new URL(url).pathname}`)
  return response.json()
}

/** Settings with the webhook on, to `url`, with the secret. */
export const webhookOn = (url: string, extra: Partial<Record<keyof Env, string>> = {}): Partial<Env> =>
  ({ LIVECHAT_WEBHOOK_URL: url, LIVECHAT_WEBHOOK_SECRET: SECRET, ...extra }) as Partial<Env>

export const emailOn: Partial<Env> = { LIVECHAT_EMAIL_TO: 'owner@shop.example', LIVECHAT_EMAIL_FROM: 'chat@shop.example' } as Partial<Env>

/** A queue message's body. */
export function queued(type: EventType, to: Destination, refs: EventRefs = {}): QueuedEvent {
  return { eventId: randomId(), type, at: new Date().toISOString(), to, ...refs }
}

/** Runs the Worker's queue handler on these messages (each at its `attempts`), with these
 * settings; answers what it acknowledged and retried. */
export async function consume(bodies: QueuedEvent[], overrides: Partial<Env> = {}, { attempts = 1, queue = 'livechat-events' } = {}) {
  const batch = createMessageBatch<QueuedEvent>(queue, bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })))
  // The test batch does not keep retry()'s delay: read it from the call.
  const delays = new Map<string, number | undefined>()
  for (const message of batch.messages) {
    const retry = message.retry.bind(message)
    Object.defineProperty(message, 'retry', { value: (options?: QueueRetryOptions) => (delays.set(message.id, options?.delaySeconds), retry(options)) })
  }
  const ctx = createExecutionContext()
  await (worker.queue as ExportedHandlerQueueHandler<Env, QueuedEvent>)(batch, { ...env, ...overrides }, ctx)
  const result = await getQueueResult(batch, ctx)
  return { ...result, retryMessages: result.retryMessages.map((r) => ({ ...r, delaySeconds: delays.get(r.msgId) })) }
}

type Outboxed = { outbox: EventOutbox }

/** Points the object's outbox at `queue` and `settings` until `restore()`. */
export async function outboxOf<T extends Outboxed>(stub: DurableObjectStub<T & Rpc.DurableObjectBranded>, { queue, settings }: { queue?: Queue; settings?: Partial<Env> }) {
  await runInDurableObject(stub, (instance: T) => {
    if (queue) instance.outbox.queue = queue
    if (settings) instance.outbox.settings = { ...env, ...settings }
  })
  return {
    restore: () => runInDurableObject(stub, (instance: T) => {
      instance.outbox.queue = env.LIVECHAT_EVENTS
      instance.outbox.settings = env
    }),
  }
}

/** The real queue, recording what it is sent; `failing.on` makes sends fail instead. */
export function recordingQueue() {
  const sent: QueuedEvent[] = []
  const failing = { on: false }
  const queue = new Proxy(env.LIVECHAT_EVENTS, {
    get(target, prop) {
      if (prop === 'sendBatch') {
        return async (messages: Iterable<MessageSendRequest<QueuedEvent>>, options?: QueueSendBatchOptions) => {
          if (failing.on) throw new Error('Queue sendBatch failed: 503 Service Unavailable')
          const list = [...messages]
          sent.push(...list.map((m) => m.body))
          return target.sendBatch(list, options)
        }
      }
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { queue, sent, failing }
}

/** Rows of the object's event outbox, once the rows of sends done are deleted (after answers). */
export function outboxRows<T extends Outboxed>(stub: DurableObjectStub<T & Rpc.DurableObjectBranded>): Promise<{ id: string; body: string }[]> {
  return runInDurableObject(stub, async (instance: T, state) => {
    await instance.outbox.settled()
    return state.storage.sql.exec<{ id: string; body: string }>('SELECT id, body FROM event_outbox').toArray()
  })
}
