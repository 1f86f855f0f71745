// Every response the API sends is shaped here, as Rocket.Chat's REST API shapes it.

const JSON_HEADERS = { 'content-type': 'application/json' }

/** `body` as JSON, with `status` and any extra headers. */
export const json = (status: number, body: object, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } })

/** `{...body, success: true}` with status 200. */
export const ok = (body: object): Response => json(200, { ...body, success: true })

/** A failure the client caused (or may retry), with Rocket.Chat's `{success: false, error, errorType?}`. */
export class ApiError extends Error {
  readonly status: number
  readonly errorType?: string
  /** Extra top-level keys of the body, e.g. the 401's `status` and `message`. */
  readonly extra: Record<string, unknown>
  /** Extra response headers, e.g. `Retry-After`. */
  headers: Record<string, string> = {}

  constructor(status: number, message: string, errorType?: string, extra: Record<string, unknown> = {}) {
    super(message)
    this.status = status
    this.errorType = errorType
    this.extra = extra
  }

  /** Tells the client when to try again. */
  retryAfter(seconds: number): this {
    this.headers = { 'retry-after': String(seconds) }
    return this
  }

  /** Rocket.Chat's coded error: the message reads `Reason [code]` and errorType is the code. */
  static coded(code: string, reason: string, status = 400): ApiError {
    return new ApiError(status, reason ? `${reason} [${code}]` : `[${code}]`, code)
  }
}

const LOGGED_OUT = 'You must be logged in to do this.'

export const unauthorized = (): ApiError =>
  new ApiError(401, LOGGED_OUT, undefined, { status: 'error', message: LOGGED_OUT })

export const forbidden = (): ApiError =>
  new ApiError(403, 'User does not have the permissions required for this action [error-unauthorized]')

export const tooManyRequests = (waitSeconds: number): ApiError =>
  new ApiError(
    429,
    `Error, too many requests. Please slow down. You must wait ${waitSeconds} seconds before trying this endpoint again. [error-too-many-requests]`,
  ).retryAfter(waitSeconds)

export const notFound = (request: Request): Response =>
  failure(new ApiError(404, `API endpoint "${new URL(request.url).pathname}" not found.`))

/** Turns anything thrown into a response; unexpected errors never leak their message or stack. */
export function failure(error: unknown): Response {
  if (!(error instanceof ApiError)) {
    console.error('unhandled error', error)
    error = new ApiError(500, 'Internal server error [error-internal]', 'error-internal')
  }
  const { status, message, errorType, extra, headers } = error as ApiError
  const body = { success: false, error: message, ...(errorType && { errorType }), ...extra }
  return json(status, body, headers)
}
