// Errors as Meteor serialises a Meteor.Error over DDP: Rocket.Chat's clients read `error` and
// `reason`, and show `message`.

export interface MeteorError {
  error: string | number
  reason: string
  message: string
  errorType: 'Meteor.Error'
}

export const meteorError = (error: string | number, reason: string): MeteorError =>
  ({ error, reason, message: `${reason} [${error}]`, errorType: 'Meteor.Error' })

/** What Rocket.Chat's streamer answers a `sub` or write it does not allow. */
export const notAllowed = (): MeteorError => meteorError('not-allowed', 'not-allowed')

export const subscriptionNotFound = (name: string) => meteorError(404, `Subscription '${name}' not found`)

export const methodNotFound = (name: string) => meteorError(404, `Method '${name}' not found`)

/** Meteor's answer to a `login` with a resume token it does not know (expired, revoked, wrong). */
export const loggedOut = () => meteorError(403, "You've been logged out by the server. Please log in again.")

/** Meteor's answer to a `login` with parameters no login handler takes (e.g. a password). */
export const unrecognizedLogin = () => meteorError(400, 'Unrecognized options for login request')

export const tooManySubscriptions = () => meteorError('too-many-subscriptions', 'Too many subscriptions on this connection')

/** Anything unexpected: the details go to the log, never to the client. */
export const internalError = () => meteorError(500, 'Internal server error')
