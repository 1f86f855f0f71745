// Delivering the agent's message: the same client-chosen `_id` on every try, so the server stores
// it once however often it is resent (chat.sendMessage is idempotent by `_id`). Only failures that
// may pass are retried: no network, 429 and 5xx; anything else is the answer.
import type { Result } from './api'

/** The waits between tries; after the last, the message is marked failed with a Retry button. */
export const SEND_DELAYS_MS = [1_000, 2_000, 4_000, 8_000]

const transient = (status: number) => status === 0 || status === 429 || status >= 500

export async function deliver<T>(send: () => Promise<Result<T>>): Promise<Result<T>> {
  for (let attempt = 0; ; attempt++) {
    const result = await send()
    if (result.ok || !transient(result.status) || attempt >= SEND_DELAYS_MS.length) return result
    const wait = result.retryAfterS ? result.retryAfterS * 1_000 : SEND_DELAYS_MS[attempt]
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
