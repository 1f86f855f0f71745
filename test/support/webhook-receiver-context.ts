// What the webhook receiver (webhook-receiver.ts, Node) records and hands the Worker's tests
// (workerd): shared by both sides, so it imports nothing.

export interface Received {
  path: string
  headers: Record<string, string | string[] | undefined>
  body: { eventId?: string; type?: string } & Record<string, unknown>
  /** The status answered, or 'hang' when it held the request. */
  answer: number | 'hang'
  /** When it arrived (ms). */
  at: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The receiver's base URL. */
    webhookReceiver: string
  }
}
