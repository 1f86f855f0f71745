// What the Turnstile stand-in (turnstile-standin.ts, Node) hands the Worker's tests (workerd):
// shared by both sides, so it imports nothing.

export interface TurnstileStandin {
  /** The stand-in's siteverify URL. */
  verifyUrl: string
  /** A URL on which nothing listens: siteverify down. */
  downUrl: string
  /** The only secret key the stand-in accepts. */
  secret: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    turnstile: TurnstileStandin
  }
}
