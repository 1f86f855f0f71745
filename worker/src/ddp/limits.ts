// The gateway's abuse limits, and the per-socket frame budget. RATE_LIMITS=off lifts every one
// except the frame size (a memory bound, not a rate).

/** Largest text frame (bytes): a chat message is at most 5,000 characters (15 KB of UTF-8) and
 * messages go over REST anyway; no frame a client sends comes near this. Over it: close 1009. */
export const MAX_FRAME_BYTES = 64 * 1024

/** Subscriptions one socket holds: the widget needs 6 per room, an agent 2 per served room plus
 * the queue; all of them must fit the socket's 16 KiB attachment. Over it: `nosub` too-many-subscriptions. */
export const MAX_SUBSCRIPTIONS = 100

/** Open sockets per client network (one shard holds all of a network's): a widget tab or agent
 * console holds one; 100 leaves room for an office behind one NAT. Over it: the upgrade gets 429. */
export const MAX_SOCKETS_PER_NETWORK = 100

/** Frames a socket may send per window: the widget sends a ping every 30 s, a few subs per room and
 * typing at most every couple of seconds; an agent re-subscribing 40 rooms after a reconnect sends
 * ~80 at once. Over it: close 1008. Pings answered by the auto-response never count: they never
 * reach the object. */
export const FRAME_WINDOW_MS = 10_000
export const MAX_FRAMES_PER_WINDOW = 200

export const CLOSE_TOO_BIG = 1009
export const CLOSE_POLICY = 1008

/** UTF-8 length of a frame, measured only when it could be over the cap. */
export function frameTooBig(message: string | ArrayBuffer): boolean {
  if (typeof message !== 'string') return message.byteLength > MAX_FRAME_BYTES
  return message.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(message).byteLength > MAX_FRAME_BYTES
}

/** Frames per socket in fixed windows, in memory: a hibernated object had no frames to count. */
export class FrameBudget {
  readonly #windows = new Map<string, { start: number; count: number }>()

  /** Counts one frame of `session`; false once it is over the window's budget. */
  spend(session: string, now = Date.now()): boolean {
    let window = this.#windows.get(session)
    if (!window || now - window.start >= FRAME_WINDOW_MS) this.#windows.set(session, (window = { start: now, count: 0 }))
    return ++window.count <= MAX_FRAMES_PER_WINDOW
  }

  forget(session: string): void {
    this.#windows.delete(session)
  }
}
